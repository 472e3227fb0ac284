#!/usr/bin/python3
"""A small CC7261 client in Python: proof that Synod speaks the course's wire format.

It uses only what any course group would use: a ZeroMQ REQ socket to the broker (port 5555),
a SUB socket to the proxy (port 5558), and MessagePack envelopes {"service": ..., "data": {...}}
with a Lamport clock. Needs Debian's python3-zmq and python3-msgpack (run with /usr/bin/python3).

It also speaks Synod's extensions: every request carries `client_id` and `request_id` (a retry
resends the same frame, so a write is applied once), and the social network's services (post,
follow, unfollow, feed, timeline, profile, notifications, notifications_read, conversations,
search; docs/protocol.md) with their live topics.

    /usr/bin/python3 synod_client.py --user ana login
    /usr/bin/python3 synod_client.py selftest      # the end-to-end check the test suite runs
    /usr/bin/python3 synod_client.py social-demo   # two users follow, post and read their feed

Secure mode (docs/security.md): `--password` logs in with a password; the client keeps the session
`token` the login returns and sends it with every later request, and listens for private messages on
the session's own topic (`delivery`). `--server-public-key FILE` (the cluster's server.key from
./synod keys) makes both sockets speak CURVE with a key pair generated for this run.

    /usr/bin/python3 synod_client.py --server-public-key data/keys/server.key --password s3cret \
        secure-selftest                           # the secure-mode check the test suite runs
"""
import argparse
import sys
import time
import uuid

import msgpack
import zmq


# The social topics start and end with U+001F, which no user name contains (docs/protocol.md, section 5).
TOPIC_MARK = "\x1f"


def notifications_topic(user):
    """Where `user`'s notifications are published (new follower, mention, private message)."""
    return TOPIC_MARK + "notifications" + TOPIC_MARK + user + TOPIC_MARK


def session_topic(delivery, kind="messages"):
    """Where a secure server publishes a session's private messages ("messages") or notifications."""
    return TOPIC_MARK + "session" + TOPIC_MARK + delivery + TOPIC_MARK + kind + TOPIC_MARK


def load_public_key(path):
    """The Z85 public key of a ./synod keys certificate (pyzmq's format: zmq.auth reads it)."""
    import zmq.auth
    public, _secret = zmq.auth.load_certificate(path)
    if public is None or len(public) != 40:
        raise ValueError(f"{path}: no 40-character Z85 public-key")
    return public


def posts_topic(author):
    """Where `author`'s posts are published."""
    return TOPIC_MARK + "posts" + TOPIC_MARK + author + TOPIC_MARK


class Client:
    """REQ/SUB client with a Lamport clock and the Lazy Pirate retry (recreate REQ on timeout).

    With `server_public_key` (Z85 bytes) both sockets speak CURVE with one key pair generated here: the
    cluster authenticates users by password and token, not by client key. After a login that returned a
    session `token`, every request carries it (writes and private reads need it in secure mode)."""

    def __init__(self, broker, proxy, timeout_ms=3000, retries=3, server_public_key=None):
        self.broker, self.proxy = broker, proxy
        self.timeout_ms, self.retries = timeout_ms, retries
        self.clock = 0
        self.client_id = "py-" + uuid.uuid4().hex[:16]
        self.next_request_id = 1
        self.token = None  # the session token of the last login with a password
        self.delivery = None  # that session's private delivery (secure mode)
        self.server_public_key = server_public_key
        self.keys = zmq.curve_keypair() if server_public_key else None
        self.ctx = zmq.Context()
        self.req = None
        self._connect_req()
        self.sub = self.ctx.socket(zmq.SUB)
        self.sub.setsockopt(zmq.LINGER, 0)
        self._secure(self.sub)
        self.sub.connect(proxy)

    def _secure(self, socket):
        if self.keys is not None:
            socket.curve_serverkey = self.server_public_key
            socket.curve_publickey, socket.curve_secretkey = self.keys

    def _connect_req(self):
        if self.req is not None:
            self.req.close(linger=0)
        self.req = self.ctx.socket(zmq.REQ)
        self.req.setsockopt(zmq.LINGER, 0)
        self._secure(self.req)
        self.req.connect(self.broker)

    def _observe(self, data):
        received = data.get("clock", 0) if isinstance(data, dict) else 0
        self.clock = max(self.clock, int(received)) + 1

    def request(self, service, **fields):
        self.clock += 1
        fields = {k: v for k, v in fields.items() if v is not None}  # an option left out takes the default
        if self.token is not None:
            fields.setdefault("token", self.token)
        fields.update(timestamp=time.time(), clock=self.clock, client_id=self.client_id,
                      request_id=self.next_request_id)
        self.next_request_id += 1
        frame = msgpack.packb({"service": service, "data": fields}, use_bin_type=True)
        for _ in range(self.retries):
            self.req.send(frame)
            if self.req.poll(self.timeout_ms, zmq.POLLIN):
                reply = msgpack.unpackb(self.req.recv(), raw=False)
                self._observe(reply.get("data", {}))
                return reply
            self._connect_req()  # Lazy Pirate: the REQ socket is stuck after a lost reply
        raise TimeoutError(f"no reply to {service} from {self.broker}")

    def login(self, user, password=None):
        """`login`, with a password if given; keeps the session's token and delivery the reply returns."""
        reply = self.request("login", user=user, password=password)
        data = reply["data"]
        if data.get("status") == "sucesso" and data.get("token"):
            self.token, self.delivery = data["token"], data.get("delivery")
        return reply

    # ---- the social network (extension; each returns the reply's data: "status" "OK" or "erro") ----

    def post(self, user, message, reply_to=None):
        return self.request("post", user=user, message=message, reply_to=reply_to)["data"]

    def follow(self, user, target):
        return self.request("follow", user=user, target=target)["data"]

    def unfollow(self, user, target):
        return self.request("unfollow", user=user, target=target)["data"]

    def feed(self, user, before=None, limit=None):
        """Posts of the users `user` follows, newest first; the next page: before=reply["next_before"]."""
        return self.request("feed", user=user, before=before, limit=limit)["data"]

    def timeline(self, before=None, limit=None):
        return self.request("timeline", before=before, limit=limit)["data"]

    def profile(self, user, before=None, limit=None):
        return self.request("profile", user=user, before=before, limit=limit)["data"]

    def notifications(self, user, after_seq=None, limit=None):
        """Notifications after `after_seq`, oldest first, with last_seq, read_seq, unread, unread_total."""
        return self.request("notifications", user=user, after_seq=after_seq, limit=limit)["data"]

    def notifications_read(self, user, seq, post_index=None):
        return self.request("notifications_read", user=user, seq=seq, post_index=post_index)["data"]

    def conversations(self, user, before=None, limit=None):
        return self.request("conversations", user=user, before=before, limit=limit)["data"]

    def search(self, user, query, sort=None, kind=None, channel=None, author=None, limit=None, cursor=None):
        """Words in channel messages, posts and `user`'s private messages (docs/search.md)."""
        return self.request("search", user=user, query=query, sort=sort, kind=kind, channel=channel,
                            author=author, limit=limit, cursor=cursor)["data"]

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
    social_checks(client, ana, bia, suffix)
    print("python client: all checks passed", flush=True)


def error_text(data):
    """The text of an `erro` reply: `message`, or `description` (the statement's login replies)."""
    return str(data.get("message") or data.get("description") or "")


def secure_selftest(broker, proxy, server_public_key, password):
    """Secure mode over CURVE: password logins, writes with the session token, private delivery only on
    the session's topic; exits 1 on a failure."""
    suffix = uuid.uuid4().hex[:8]
    ana_name, bia_name, channel = "py_ana_" + suffix, "py_bia_" + suffix, "py_chan_" + suffix
    ana = Client(broker, proxy, server_public_key=server_public_key)
    bia = Client(broker, proxy, server_public_key=server_public_key)
    stranger = Client(broker, proxy, server_public_key=server_public_key)
    try:
        reply = ana.login(ana_name)["data"]
        check(reply["status"] == "erro" and "password" in error_text(reply), "login without password -> erro")
        check(ana.login(ana_name, password)["data"]["status"] == "sucesso", "login ana with password over CURVE")
        check(ana.token is not None and len(ana.token) == 43, "the login returned a session token")
        check(ana.delivery is not None and len(ana.delivery) == 43, "and a private delivery")
        check(bia.login(bia_name, password)["data"]["status"] == "sucesso", "login bia with password")
        reply = stranger.login(ana_name, password + "-wrong")["data"]
        check(reply["status"] == "erro" and stranger.token is None, "login ana with a wrong password -> erro")

        check(ana.request("channel", channel=channel)["data"]["status"] == "sucesso", "channel created with a token")
        ana.subscribe(channel)
        bia.subscribe(session_topic(bia.delivery))
        bia.subscribe(bia_name)
        time.sleep(0.5)  # ZeroMQ slow joiner
        reply = ana.request("publish", user=ana_name, channel=channel, message="hello from secure python")
        check(reply["data"]["status"] == "OK", "publish with the token -> OK")
        check(ana.receive(channel)["message"] == "hello from secure python", "publication received over CURVE")
        reply = ana.request("publish", user=bia_name, channel=channel, message="forged")["data"]
        check(reply["status"] == "erro" and "token" in error_text(reply), "publish as bia with ana's token -> erro")
        reply = stranger.request("publish", user=ana_name, channel=channel, message="no token")["data"]
        check(reply["status"] == "erro" and "token" in error_text(reply), "publish without a token -> erro")

        reply = ana.request("message", src=ana_name, dst=bia_name, message="psst secure")
        check(reply["data"]["status"] == "OK", "message -> OK")
        dm = bia.receive(session_topic(bia.delivery))
        check(dm["src"] == ana_name and dm["message"] == "psst secure", "private message on bia's session topic")
        try:
            bia.receive(bia_name, timeout_s=1.0)
            check(False, "nothing on bia's name topic")
        except TimeoutError:
            check(True, "nothing on bia's name topic")
        reply = ana.request("private_history", user=bia_name, peer=ana_name)["data"]
        check(reply["status"] == "erro", "private_history of bia with ana's token -> erro")
    finally:
        for client in (ana, bia, stranger):
            client.close()
    print("python client: all secure checks passed", flush=True)


def social_checks(client, ana, bia, suffix):
    """bia follows ana; ana posts; the post arrives live and in bia's feed; notifications and their read mark."""
    client.subscribe(notifications_topic(ana))
    client.subscribe(posts_topic(ana))
    time.sleep(0.5)  # ZeroMQ slow joiner
    check(client.follow(bia, ana)["status"] == "OK", "follow bia -> ana -> OK")
    check(client.follow(bia, ana)["status"] == "erro", "follow again -> erro")
    check(client.follow(ana, ana)["status"] == "erro", "self-follow -> erro")
    note = client.receive(notifications_topic(ana))
    check(note["kind"] == "follower" and note["actor"] == bia, "ana's follower notification, live")
    text = "python post " + suffix
    reply = client.post(ana, text)
    check(reply["status"] == "OK" and reply.get("id"), "post -> OK with its id")
    live = client.receive(posts_topic(ana))
    check(live["message"] == text and live["seq"] == 1, "the post, live on ana's post topic")
    feed = client.feed(bia)
    check([p["message"] for p in feed["posts"]] == [text], "feed of bia lists ana's post")
    check(any(p["message"] == text for p in client.timeline(limit=100)["posts"]), "timeline lists it")
    profile = client.profile(ana)
    check(profile["post_count"] == 1 and profile["follower_count"] == 1, "profile counts of ana")
    notes = client.notifications(ana)
    check(notes["unread"] == 1 and notes["notifications"][0]["actor"] == bia, "ana has 1 unread notification")
    check(client.notifications_read(ana, notes["last_seq"])["status"] == "OK", "notifications_read -> OK")
    check(client.notifications(ana)["unread"] == 0, "and then none unread")
    check(client.notifications(bia)["unread_posts"] == 1, "bia has ana's post unread")
    peers = [c["peer"] for c in client.conversations(bia)["conversations"]]
    check(peers == [ana], "conversations of bia: ana")
    check(client.unfollow(bia, ana)["status"] == "OK", "unfollow -> OK")
    check(client.feed(bia)["posts"] == [], "feed of bia is empty after unfollowing")
    found = client.search(bia, "python post " + suffix)
    if found["status"] == "OK":
        check(any(r.get("message") == text for r in found["results"]), "search finds the post")
    else:
        print("skip search: not served here (" + str(found.get("message")) + ")", flush=True)


def social_demo(client, user):
    """A small demo: `user` and a friend follow each other, post, read their feed and notifications."""
    friend = user + "_friend"
    for name in (user, friend):
        client.request("login", user=name)
    client.subscribe(notifications_topic(user))
    time.sleep(0.5)
    print("follow:", client.follow(user, friend)["status"], client.follow(friend, user)["status"])
    try:
        print("live:", client.receive(notifications_topic(user), timeout_s=3.0))
    except TimeoutError:
        print("live: nothing new (they already followed each other)")
    client.post(friend, "hello @" + user + ", welcome" if " " not in user else "hello, welcome")
    client.post(user, "my first post")
    for post in client.feed(user)["posts"]:
        print("feed:", post["user"], "-", post["message"])
    notes = client.notifications(user)
    print("notifications:", notes["unread_total"], "unread")
    for note in notes["notifications"]:
        print("  #%d %s by %s: %s" % (note["seq"], note["kind"], note["actor"], note["message"]))
    client.notifications_read(user, notes["last_seq"])
    print("profile:", {k: v for k, v in client.profile(user).items() if k.endswith("_count")})
    print("search:", client.search(user, "welcome"))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--broker", default="tcp://127.0.0.1:5555")
    parser.add_argument("--proxy", default="tcp://127.0.0.1:5558")
    parser.add_argument("--user", default="py_user")
    parser.add_argument("--password", help="log in with this password; later requests carry the session token")
    parser.add_argument("--server-public-key", metavar="FILE",
                        help="the cluster's server.key (./synod keys): speak CURVE (secure mode)")
    parser.add_argument("command",
                        choices=["selftest", "secure-selftest", "social-demo", "login", "users", "channels"])
    args = parser.parse_args()
    key = load_public_key(args.server_public_key) if args.server_public_key else None
    if args.command == "secure-selftest":
        if not args.password:
            parser.error("secure-selftest needs --password")
        return secure_selftest(args.broker, args.proxy, key, args.password)
    client = Client(args.broker, args.proxy, server_public_key=key)
    try:
        if args.command == "selftest":
            selftest(client)
        elif args.command == "social-demo":
            social_demo(client, args.user)
        elif args.command == "login":
            print(client.login(args.user, args.password))
        else:
            print(client.request(args.command))
    finally:
        client.close()


if __name__ == "__main__":
    sys.exit(main())
