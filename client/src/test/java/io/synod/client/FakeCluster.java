package io.synod.client;

import io.synod.protocol.Envelope;
import io.synod.protocol.Limits;
import io.synod.protocol.MsgPack;
import io.synod.protocol.Publication;
import io.synod.protocol.Replies;
import io.synod.protocol.Services;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * A tiny stand-in for broker + server + proxy, for tests: a ROUTER that answers the protocol
 * directly (the client's DEALER connects to it as to a broker) and an XPUB the client's SUB
 * connects to (so tests can wait until a subscription arrived). Both bound on free loopback
 * ports. One thread owns both sockets; tests talk to it through thread-safe queues and lists.
 */
public final class FakeCluster implements AutoCloseable {
    /** What the ROUTER received: the peer identity and the decoded request. */
    public record Received(String identity, Envelope request) {}

    private final ZContext context = new ZContext(1);
    private final ZMQ.Socket router;
    private final ZMQ.Socket xpub;
    private final String brokerEndpoint;
    private final String proxyEndpoint;
    private final Thread thread;
    private volatile boolean running = true;

    public final List<Received> received = new CopyOnWriteArrayList<>();
    public final Set<String> subscriptions = Collections.synchronizedSet(new LinkedHashSet<>());
    private final ConcurrentLinkedQueue<byte[][]> outgoing = new ConcurrentLinkedQueue<>();

    /** Replies to drop: the next N replies are not sent. */
    public final AtomicInteger repliesToDrop = new AtomicInteger();
    /**
     * Logins with a password answered without a token, as a real server answers a retried login whose first attempt
     * was applied (the token was in the lost reply); later ones carry a token, as a real server's do.
     */
    public final AtomicInteger tokenlessLogins = new AtomicInteger();

    public volatile boolean echoRequestId = true;
    public volatile boolean silent;
    public volatile long replyClock = 1;
    /** Replaces the default handler when set; returning null sends no reply. */
    public volatile Function<Envelope, Envelope> handler;

    // Chat state (fake thread only, except seeding before start).
    public final Set<String> users = Collections.synchronizedSet(new LinkedHashSet<>());
    public final Set<String> channels = Collections.synchronizedSet(new LinkedHashSet<>());
    public final Map<String, List<Publication>> channelHistory = Collections.synchronizedMap(new HashMap<>());
    public final Map<String, List<Publication>> inboxHistory = Collections.synchronizedMap(new HashMap<>());
    /** The social services (posts, follows, notifications...). */
    public final FakeSocial social = new FakeSocial(this);

    public FakeCluster() {
        router = context.createSocket(SocketType.ROUTER);
        router.setLinger(0);
        router.bind("tcp://127.0.0.1:*");
        brokerEndpoint = router.getLastEndpoint();
        xpub = context.createSocket(SocketType.XPUB);
        xpub.setLinger(0);
        xpub.bind("tcp://127.0.0.1:*");
        proxyEndpoint = xpub.getLastEndpoint();
        thread = new Thread(this::run, "fake-cluster");
        thread.setDaemon(true);
        thread.start();
    }

    public String brokerEndpoint() {
        return brokerEndpoint;
    }

    public String proxyEndpoint() {
        return proxyEndpoint;
    }

    public List<Envelope> requests(String service) {
        return received.stream()
                .map(Received::request)
                .filter(r -> r.service().equals(service))
                .toList();
    }

    /** Publishes {@code [topic, payload]} from the fake's thread. */
    public void publish(String topic, Map<String, Object> payload) {
        outgoing.add(new byte[][] {topic.getBytes(StandardCharsets.UTF_8), MsgPack.encode(payload)});
    }

    public void publish(Publication publication) {
        publish(publication.topic(), publication.toPayload());
    }

    /** Adds a post to a channel's history without publishing it. */
    public Publication.ChannelPost store(String channel, long seq, String user, String message) {
        Publication.ChannelPost post =
                new Publication.ChannelPost(channel, user, message, 1_700_000_000.0 + seq, seq, seq, "m" + seq, seq);
        channels.add(channel);
        channelHistory
                .computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>())
                .add(post);
        return post;
    }

    private void run() {
        try (ZMQ.Poller poller = context.createPoller(2)) {
            poller.register(router, ZMQ.Poller.POLLIN);
            poller.register(xpub, ZMQ.Poller.POLLIN);
            while (running && !Thread.currentThread().isInterrupted()) {
                poller.poll(5);
                if (poller.pollin(0)) {
                    receiveRequest();
                }
                if (poller.pollin(1)) {
                    receiveSubscription();
                }
                byte[][] frames;
                while ((frames = outgoing.poll()) != null) {
                    xpub.sendMore(frames[0]);
                    xpub.send(frames[1]);
                }
            }
        } catch (RuntimeException e) {
            if (running) {
                throw e;
            }
        }
    }

    private void receiveSubscription() {
        byte[] frame = xpub.recv(ZMQ.DONTWAIT);
        if (frame != null && frame.length > 0) {
            String topic = new String(frame, 1, frame.length - 1, StandardCharsets.UTF_8);
            if (frame[0] == 1) {
                subscriptions.add(topic);
            } else {
                subscriptions.remove(topic);
            }
        }
    }

    private void receiveRequest() {
        byte[] identity = router.recv();
        List<byte[]> frames = new ArrayList<>();
        while (router.hasReceiveMore()) {
            frames.add(router.recv());
        }
        Envelope request = Envelope.decode(frames.get(frames.size() - 1), Limits.DEFAULT);
        received.add(new Received(hex(identity), request));
        if (silent) {
            return;
        }
        Function<Envelope, Envelope> custom = handler;
        Envelope reply = custom != null ? custom.apply(request) : answer(request);
        if (reply == null || repliesToDrop.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            return;
        }
        Map<String, Object> data = new LinkedHashMap<>(reply.data());
        if (echoRequestId && request.data().get("request_id") != null) {
            data.put("request_id", request.data().get("request_id"));
        }
        Envelope stamped = new Envelope(reply.service(), data).stamped(1_700_000_000.5, replyClock);
        router.sendMore(identity);
        for (int i = 0; i < frames.size() - 1; i++) {
            router.sendMore(frames.get(i));
        }
        router.send(stamped.encode());
    }

    private Envelope answer(Envelope request) {
        Map<String, Object> d = request.data();
        return switch (request.service()) {
            case Services.LOGIN -> {
                users.add((String) d.get("user"));
                if (d.get("password") == null || tokenlessLogins.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    yield Replies.success(Services.LOGIN);
                }
                yield Replies.success(Services.LOGIN, Map.of("token", "fake-token-" + d.get("request_id")));
            }
            case Services.USERS -> Replies.users(new ArrayList<>(users));
            case Services.CHANNEL ->
                channels.add((String) d.get("channel"))
                        ? Replies.success(Services.CHANNEL)
                        : Replies.error(Services.CHANNEL, "channel already exists");
            case Services.CHANNELS -> Replies.channels(new ArrayList<>(channels));
            case Services.PUBLISH -> publishPost(d);
            case Services.MESSAGE -> sendDirect(d);
            case Services.HISTORY ->
                page(channelHistory.getOrDefault((String) d.get("channel"), List.of()), d, Services.HISTORY);
            case Services.PRIVATE_HISTORY ->
                page(inboxHistory.getOrDefault((String) d.get("user"), List.of()), d, Services.PRIVATE_HISTORY);
            default -> {
                Envelope social = this.social.answer(request);
                yield social != null ? social : Replies.error(request.service(), "unknown service");
            }
        };
    }

    private Envelope publishPost(Map<String, Object> d) {
        String channel = (String) d.get("channel");
        if (!channels.contains(channel)) {
            return Replies.error(Services.PUBLISH, "no such channel: " + channel);
        }
        List<Publication> history = channelHistory.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>());
        long seq = history.size() + 1;
        Publication.ChannelPost post = new Publication.ChannelPost(
                channel, (String) d.get("user"), (String) d.get("message"), 1_700_000_000.0, seq, seq, "p" + seq, seq);
        history.add(post);
        publish(post);
        return Replies.success(Services.PUBLISH);
    }

    private Envelope sendDirect(Map<String, Object> d) {
        String dst = (String) d.get("dst");
        if (!users.contains(dst)) {
            return Replies.error(Services.MESSAGE, "no such user: " + dst);
        }
        List<Publication> inbox = inboxHistory.computeIfAbsent(dst, u -> new CopyOnWriteArrayList<>());
        long seq = inbox.size() + 1;
        Publication.DirectMessage dm = new Publication.DirectMessage(
                (String) d.get("src"), dst, (String) d.get("message"), 1_700_000_000.0, seq, seq, "d" + seq, seq, seq);
        inbox.add(dm);
        publish(dm);
        return Replies.success(Services.MESSAGE);
    }

    private static Envelope page(List<Publication> all, Map<String, Object> d, String service) {
        long after = d.get("after_seq") instanceof Long a ? a : 0;
        long limit = d.get("limit") instanceof Long l ? l : 100;
        List<Publication> items =
                all.stream().filter(p -> p.seq() > after).limit(limit).toList();
        long next = items.isEmpty() ? after : items.get(items.size() - 1).seq();
        boolean more = all.stream().anyMatch(p -> p.seq() > next);
        return Replies.history(service, items, next, more);
    }

    private static String hex(byte[] bytes) {
        StringBuilder out = new StringBuilder();
        for (byte b : bytes) {
            out.append(String.format("%02x", b));
        }
        return out.toString();
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        context.close();
    }
}
