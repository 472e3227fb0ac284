#!/usr/bin/python3
"""A small CC7261 client in Python: proof that Synod speaks the course's wire format.

It uses only what any course group would use: a ZeroMQ REQ socket to the broker (port 5555),
a SUB socket to the proxy (port 5558), and MessagePack envelopes {"service": ..., "data": {...}}
with a Lamport clock. Needs Debian's python3-zmq and python3-msgpack (run with /usr/bin/python3).

    /usr/bin/python3 synod_client.py --user ana login
    /usr/bin/python3 synod_client.py selftest      # the end-to-end check the test suite runs
"""
import argparse
import sys
import time
import uuid

import msgpack
import zmq


class Client:
    """REQ/SUB client with a Lamport clock and the Lazy Pirate retry (recreate REQ on timeout)."""

    def __init__(self, broker, proxy, timeout_ms=3000, retries=3):
        self.broker, self.proxy = broker, proxy
        self.timeout_ms, self.retries = timeout_ms, retries
        self.clock = 0
        self.ctx = zmq.Context()
        self.req = None
        self._connect_req()
        self.sub = self.ctx.socket(zmq.SUB)
        self.sub.setsockopt(zmq.LINGER, 0)
        self.sub.connect(proxy)

    def _connect_req(self):
        if self.req is not None:
            self.req.close(linger=0)
        self.req = self.ctx.socket(zmq.REQ)
        self.req.setsockopt(zmq.LINGER, 0)
        self.req.connect(self.broker)

    def _observe(self, data):
        received = data.get("clock", 0) if isinstance(data, dict) else 0
        self.clock = max(self.clock, int(received)) + 1

    def request(self, service, **fields):
        self.clock += 1
        fields.update(timestamp=time.time(), clock=self.clock)
        frame = msgpack.packb({"service": service, "data": fields}, use_bin_type=True)
        for _ in range(self.retries):
            self.req.send(frame)
            if self.req.poll(self.timeout_ms, zmq.POLLIN):
                reply = msgpack.unpackb(self.req.recv(), raw=False)
                self._observe(reply.get("data", {}))
                return reply
            self._connect_req()  # Lazy Pirate: the REQ socket is stuck after a lost reply
        raise TimeoutError(f"no reply to {service} from {self.broker}")

    def subscribe(self, topic):
        self.sub.setsockopt_string(zmq.SUBSCRIBE, topic)

    def receive(self, topic, timeout_s=10.0):
        """The next publication whose topic frame is exactly `topic` (SUB filters by prefix)."""
        deadline = time.time() + timeout_s
        while time.time() < deadline:
            if self.sub.poll(100, zmq.POLLIN):
                frames = self.sub.recv_multipart()
                if len(frames) == 2 and frames[0].decode() == topic:
                    payload = msgpack.unpackb(frames[1], raw=False)
                    self._observe(payload)
                    return payload
        raise TimeoutError(f"nothing published on {topic!r} within {timeout_s} s")

    def close(self):
        self.req.close(linger=0)
        self.sub.close(linger=0)
        self.ctx.term()


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what, flush=True)
    if not condition:
        raise SystemExit(1)


def selftest(client):
    """Login, channel, publish received on SUB, private message received; exits 1 on a failure."""
    suffix = uuid.uuid4().hex[:8]
    ana, bia, channel = "py_ana_" + suffix, "py_bia_" + suffix, "py_chan_" + suffix
    reply = client.request("login", user=ana)
    check(reply["service"] == "login" and reply["data"]["status"] == "sucesso", "login ana -> sucesso")
    check("clock" in reply["data"] and "timestamp" in reply["data"], "reply carries clock and timestamp")
    check(client.request("login", user=bia)["data"]["status"] == "sucesso", "login bia -> sucesso")
    check(ana in client.request("users")["data"]["users"], "users lists ana")
    check(client.request("channel", channel=channel)["data"]["status"] == "sucesso", "channel created")
    check(client.request("channel", channel=channel)["data"]["status"] == "erro", "duplicate channel -> erro")
    channels = client.request("channels")["data"]
    check(channel in channels.get("channels", channels.get("users", [])), "channels lists it")

    client.subscribe(channel)
    client.subscribe(bia)
    time.sleep(0.5)  # ZeroMQ slow joiner: let the subscription reach the proxy
    clock_before = client.clock
    reply = client.request("publish", user=ana, channel=channel, message="hello from python")
    check(reply["data"]["status"] == "OK", "publish -> OK")
    post = client.receive(channel)
    check(post["user"] == ana and post["message"] == "hello from python", "publication received on the channel topic")
    check(post["clock"] > clock_before, "publication's Lamport clock is after the request's")

    reply = client.request("message", src=ana, dst=bia, message="psst")
    check(reply["data"]["status"] == "OK", "message -> OK")
    dm = client.receive(bia)
    check(dm["src"] == ana and dm["message"] == "psst", "private message received on the user's topic")

    reply = client.request("publish", user=ana, channel="no_such_" + suffix, message="x")
    check(reply["data"]["status"] == "erro" and reply["data"].get("message"), "publish to a missing channel -> erro")
    print("python client: all checks passed", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--broker", default="tcp://127.0.0.1:5555")
    parser.add_argument("--proxy", default="tcp://127.0.0.1:5558")
    parser.add_argument("--user", default="py_user")
    parser.add_argument("command", choices=["selftest", "login", "users", "channels"])
    args = parser.parse_args()
    client = Client(args.broker, args.proxy)
    try:
        if args.command == "selftest":
            selftest(client)
        elif args.command == "login":
            print(client.request("login", user=args.user))
        else:
            print(client.request(args.command))
    finally:
        client.close()


if __name__ == "__main__":
    sys.exit(main())
