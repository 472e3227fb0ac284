# A course broker (zmq.proxy with a ROUTER for clients and a DEALER for servers, libzmq through python3-zmq) gets
# a Synod leader's announcement from a server: it must drop it, and its client must see only its reply.
# Arguments: the announcement's two frames, in hex. Prints "all checks passed" or FAIL lines; exit 1 on failure.
import os
import sys
import threading

import zmq

marker, body = bytes.fromhex(sys.argv[1]), bytes.fromhex(sys.argv[2])
context = zmq.Context()
frontend = context.socket(zmq.ROUTER)
backend = context.socket(zmq.DEALER)
front_port = frontend.bind_to_random_port("tcp://127.0.0.1")
back_port = backend.bind_to_random_port("tcp://127.0.0.1")


def proxy():
    try:
        zmq.proxy(frontend, backend)
    except zmq.ContextTerminated:
        pass


threading.Thread(target=proxy, daemon=True).start()
server = context.socket(zmq.DEALER)
server.connect("tcp://127.0.0.1:%d" % back_port)
failures = []
for kind in (zmq.REQ, zmq.DEALER):
    client = context.socket(kind)
    client.setsockopt(zmq.LINGER, 0)
    client.connect("tcp://127.0.0.1:%d" % front_port)
    if kind == zmq.REQ:
        client.send(b"request")
    else:
        client.send_multipart([b"", b"request"])
    if not server.poll(5000):
        failures.append("FAIL: the server got no request")
        break
    routed = server.recv_multipart()
    server.send_multipart([marker, body])  # before the reply, on the same connection
    server.send_multipart(routed[:-1] + [b"reply"])
    if not client.poll(5000):
        failures.append("FAIL: no reply reached the client")
        break
    got = client.recv_multipart()
    if got[-1] != b"reply":
        failures.append("FAIL: the client got %r first" % (got,))
    if client.poll(500):
        failures.append("FAIL: the client got more: %r" % (client.recv_multipart(),))
    client.close()
print("\n".join(failures) if failures else "all checks passed", flush=True)
os._exit(1 if failures else 0)  # the proxy's thread holds its sockets: no orderly close to wait for
