"""libzmq CURVE peers (Debian's python3-zmq with libsodium) against Synod's broker and proxy in secure mode:
CurveInteropTest runs this.

Usage: libzmq_curve_peers.py KEY_DIR BROKER_FRONTEND BROKER_BACKEND PROXY_XSUB PROXY_XPUB
KEY_DIR holds server.key / server.key_secret as ./synod keys writes them (loaded with zmq.auth, so the file
format is checked too). Prints one line per check and "all checks passed" at the end; exits 1 on a failure.
"""
import os
import sys
import threading
import time

import zmq
import zmq.auth

key_dir, frontend, backend, xsub, xpub = sys.argv[1:6]
ctx = zmq.Context()
TIMEOUT_MS = 5000
SILENCE_MS = 1500


def check(name, condition):
    if not condition:
        print("FAIL", name, flush=True)
        sys.exit(1)
    print("ok", name, flush=True)


check("libzmq has CURVE", zmq.has("curve"))
server_public, server_secret = zmq.auth.load_certificate(os.path.join(key_dir, "server.key_secret"))
public_only, none = zmq.auth.load_certificate(os.path.join(key_dir, "server.key"))
check("the public certificate holds the same public key and no secret", public_only == server_public and none is None)


def sock(kind, endpoint, server_key=server_public, keys=None, **options):
    s = ctx.socket(kind)
    s.setsockopt(zmq.LINGER, 0)
    s.setsockopt(zmq.RCVTIMEO, TIMEOUT_MS)
    if server_key is not None:
        public, secret = keys if keys else zmq.curve_keypair()
        s.curve_publickey = public
        s.curve_secretkey = secret
        s.curve_serverkey = server_key
    for key, value in options.items():
        s.setsockopt(getattr(zmq, key), value)
    s.connect(endpoint)
    return s


stop = threading.Event()
served = []


def rep_server(keys):
    rep = sock(zmq.REP, backend, keys=keys, RCVTIMEO=100)
    while not stop.is_set():
        try:
            request = rep.recv_multipart()
        except zmq.Again:
            continue
        served.append((keys[0], request))
        rep.send_multipart([b"echo:" + request[0]])
    rep.close()


# A server holding the server key pair serves through the broker's DEALER side.
server = threading.Thread(target=rep_server, args=((server_public, server_secret),), daemon=True)
server.start()
# An impostor with another key pair tries the same side: the broker must refuse it.
impostor_keys = zmq.curve_keypair()
impostor = threading.Thread(target=rep_server, args=(impostor_keys,), daemon=True)
impostor.start()

req = sock(zmq.REQ, frontend)
for i in range(4):
    req.send(b"hello %d" % i)
    check("CURVE REQ round trip %d through the broker" % i, req.recv() == b"echo:hello %d" % i)
check("the impostor server (another key) was never given a request",
      all(keys == server_public for keys, _ in served))

# A client holding a wrong server public key cannot connect: no reply, and no server sees the request.
wrong = sock(zmq.REQ, frontend, server_key=zmq.curve_keypair()[0], RCVTIMEO=SILENCE_MS)
wrong.send(b"with a wrong server key")
try:
    wrong.recv()
    check("a client with a wrong server key gets no reply", False)
except zmq.Again:
    check("a client with a wrong server key gets no reply", True)
check("no server saw the wrong-key request", all(r[0] != b"with a wrong server key" for _, r in served))

# A NULL (plain) client cannot talk to a secure broker either.
plain = sock(zmq.REQ, frontend, server_key=None, RCVTIMEO=SILENCE_MS)
plain.send(b"in clear")
try:
    plain.recv()
    check("a NULL client gets no reply from a secure broker", False)
except zmq.Again:
    check("a NULL client gets no reply from a secure broker", True)
stop.set()

# Pub/sub: a publisher with the server key reaches a CURVE subscriber; one with another key does not.
sub = sock(zmq.SUB, xpub, RCVTIMEO=SILENCE_MS)
sub.setsockopt(zmq.SUBSCRIBE, b"room")
pub = sock(zmq.PUB, xsub, keys=(server_public, server_secret))
forger = sock(zmq.PUB, xsub, keys=zmq.curve_keypair())
received = []
deadline = time.time() + TIMEOUT_MS / 1000
while time.time() < deadline and not any(m == [b"room", b"real"] for m in received):
    pub.send_multipart([b"room", b"real"])
    forger.send_multipart([b"room", b"forged"])
    try:
        while True:
            received.append(sub.recv_multipart(zmq.NOBLOCK))
    except zmq.Again:
        time.sleep(0.05)
check("the subscriber received the server key's publication", [b"room", b"real"] in received)
for i in range(10):
    forger.send_multipart([b"room", b"forged"])
time.sleep(SILENCE_MS / 1000)
try:
    while True:
        received.append(sub.recv_multipart(zmq.NOBLOCK))
except zmq.Again:
    pass
check("no forged publication (another key) reached the subscriber", [b"room", b"forged"] not in received)
print("all checks passed", flush=True)
for s in (req, wrong, plain, sub, pub, forger):
    s.close()
ctx.term()
