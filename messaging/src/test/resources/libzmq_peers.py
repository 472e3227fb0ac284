"""libzmq peers (Debian's python3-zmq) against Synod's broker and proxy: ForwarderLibzmqTest runs this.

Usage: libzmq_peers.py BROKER_FRONTEND BROKER_BACKEND PROXY_XSUB PROXY_XPUB
Prints one line per check and "all checks passed" at the end; exits 1 on the first failure.
"""
import sys
import threading
import time

import zmq
from zmq.utils.monitor import recv_monitor_message

frontend, backend, xsub, xpub = sys.argv[1:5]
ctx = zmq.Context()
TIMEOUT_MS = 5000


def check(name, condition):
    if not condition:
        print("FAIL", name, flush=True)
        sys.exit(1)
    print("ok", name, flush=True)


def sock(kind, endpoint, **options):
    s = ctx.socket(kind)
    s.setsockopt(zmq.LINGER, 0)
    s.setsockopt(zmq.RCVTIMEO, TIMEOUT_MS)
    for key, value in options.items():
        s.setsockopt(getattr(zmq, key), value)
    s.connect(endpoint)
    return s


stop = threading.Event()


def rep_server():
    rep = sock(zmq.REP, backend, RCVTIMEO=100)
    while not stop.is_set():
        try:
            request = rep.recv()
        except zmq.Again:
            continue
        rep.send(b"re:" + request)
    rep.close()


server = threading.Thread(target=rep_server, daemon=True)
server.start()

req = sock(zmq.REQ, frontend)
answers = []
for i in range(100):
    req.send(b"ping %d" % i)
    answers.append(req.recv())
check("a REQ client gets 100 replies in order from a REP server", answers == [b"re:ping %d" % i for i in range(100)])

dealer = sock(zmq.DEALER, frontend, IDENTITY=b"py-dealer")
dealer.send_multipart([b"", b"with identity"])
check("a DEALER client with an identity gets its reply", dealer.recv_multipart() == [b"", b"re:with identity"])

# Heartbeats: a client that pings every 100 ms and gives up after 300 ms without an answer stays connected.
beating = sock(zmq.REQ, frontend, HEARTBEAT_IVL=100, HEARTBEAT_TIMEOUT=300, HEARTBEAT_TTL=1000)
monitor = beating.get_monitor_socket(zmq.EVENT_DISCONNECTED | zmq.EVENT_CONNECTED)
beating.send(b"first")
check("the heartbeating client is served", beating.recv() == b"re:first")
time.sleep(1.5)
disconnects = 0
while monitor.poll(0):
    event = recv_monitor_message(monitor)
    if event["event"] == zmq.EVENT_DISCONNECTED:
        disconnects += 1
check("PINGs are answered: no disconnect while idle for 1.5 s", disconnects == 0)
beating.send(b"second")
check("the heartbeating client is still served", beating.recv() == b"re:second")
stop.set()
server.join(5)

sub = sock(zmq.SUB, xpub)
sub.setsockopt(zmq.SUBSCRIBE, b"geral")
sub.setsockopt(zmq.RCVTIMEO, 100)
pub = sock(zmq.PUB, xsub)
received = None
deadline = time.time() + 10
while received is None and time.time() < deadline:
    pub.send_multipart([b"geral", b"hello"])
    pub.send_multipart([b"outro", b"not for us"])
    try:
        received = sub.recv_multipart()
    except zmq.Again:
        pass
check("a SUB receives a PUB's publication through the proxy", received == [b"geral", b"hello"])
others = []
try:
    while True:
        others.append(sub.recv_multipart())
except zmq.Again:
    pass
check("only the subscribed topic arrives", all(frames[0] == b"geral" for frames in others))

xpub_publisher = sock(zmq.XPUB, xsub)
check("a publisher connecting later is sent the existing subscription", xpub_publisher.recv() == b"\x01geral")

print("all checks passed", flush=True)
ctx.destroy(linger=0)
