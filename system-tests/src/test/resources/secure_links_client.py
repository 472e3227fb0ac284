"""A foreign CURVE client (libzmq via Debian's python3-zmq) against a secure Synod cluster: SecureLinksTest runs it.

Usage: secure_links_client.py SERVER_PUBLIC_KEY_FILE BROKER PROXY_XPUB PROXY_XSUB
Prints one line per check and "all checks passed" at the end; exits 1 on a failure.
"""
import sys
import time
import uuid

import msgpack
import zmq
import zmq.auth

key_file, broker, xpub, xsub = sys.argv[1:5]
server_public, _ = zmq.auth.load_certificate(key_file)
ctx = zmq.Context()
TIMEOUT_MS = 10000
SILENCE_MS = 2000
clock = 0


def check(name, condition):
    if not condition:
        print("FAIL", name, flush=True)
        sys.exit(1)
    print("ok", name, flush=True)


def curve(s, server_key):
    public, secret = zmq.curve_keypair()  # any client key: users prove who they are with passwords and tokens
    s.curve_publickey = public
    s.curve_secretkey = secret
    s.curve_serverkey = server_key


def sock(kind, endpoint, server_key=server_public, timeout=TIMEOUT_MS):
    s = ctx.socket(kind)
    s.setsockopt(zmq.LINGER, 0)
    s.setsockopt(zmq.RCVTIMEO, timeout)
    if server_key is not None:
        curve(s, server_key)
    s.connect(endpoint)
    return s


def request(s, service, **fields):
    global clock
    clock += 1
    fields.update(timestamp=time.time(), clock=clock)
    s.send(msgpack.packb({"service": service, "data": fields}, use_bin_type=True))
    reply = msgpack.unpackb(s.recv(), raw=False)
    clock = max(clock, int(reply["data"].get("clock", 0))) + 1
    return reply["data"]


room = "sala-" + uuid.uuid4().hex[:8]
req = sock(zmq.REQ, broker)
login = request(req, "login", user="ana", password="senha-da-ana")
check("login over CURVE through the broker: sucesso", login.get("status") == "sucesso")
token = login["token"]
check("channel over CURVE", request(req, "channel", channel=room, token=token).get("status") == "sucesso")

sub = sock(zmq.SUB, xpub, timeout=500)
sub.setsockopt_string(zmq.SUBSCRIBE, room)
time.sleep(0.5)  # the subscription reaches the servers through the proxy
forger = sock(zmq.PUB, xsub)  # a publisher without the server secret key (a random client key)
received = []
deadline = time.time() + TIMEOUT_MS / 1000
published = False
while time.time() < deadline and not any(f"oi de {room}" in str(m) for m in received):
    if not published:
        reply = request(req, "publish", user="ana", channel=room, message=f"oi de {room}", token=token)
        check("publish over CURVE: OK", reply.get("status") == "OK")
        published = True
    forger.send_multipart([room.encode(), msgpack.packb({"message": "forged"}, use_bin_type=True)])
    try:
        frames = sub.recv_multipart()
        received.append(msgpack.unpackb(frames[1], raw=False))
    except zmq.Again:
        pass
check("the CURVE subscriber on the proxy received the publication", any(f"oi de {room}" in str(m) for m in received))
for i in range(10):
    forger.send_multipart([room.encode(), msgpack.packb({"message": "forged"}, use_bin_type=True)])
time.sleep(SILENCE_MS / 1000)
try:
    while True:
        received.append(msgpack.unpackb(sub.recv_multipart(zmq.NOBLOCK)[1], raw=False))
except zmq.Again:
    pass
check("no publication of a publisher without the server secret reached the subscriber",
      not any("forged" in str(m) for m in received))

wrong = sock(zmq.REQ, broker, server_key=zmq.curve_keypair()[0], timeout=SILENCE_MS)
wrong.send(msgpack.packb({"service": "login", "data": {"user": "eve", "password": "x", "timestamp": time.time()}}))
try:
    wrong.recv()
    check("a client with a wrong server public key gets no reply", False)
except zmq.Again:
    check("a client with a wrong server public key gets no reply", True)
plain = sock(zmq.REQ, broker, server_key=None, timeout=SILENCE_MS)
plain.send(msgpack.packb({"service": "login", "data": {"user": "eve", "password": "x", "timestamp": time.time()}}))
try:
    plain.recv()
    check("a client without CURVE gets no reply", False)
except zmq.Again:
    check("a client without CURVE gets no reply", True)
users = request(req, "users")
check("neither eve login reached a server", "eve" not in users.get("users", []))
print("all checks passed", flush=True)
for s in (req, sub, forger, wrong, plain):
    s.close()
ctx.term()
