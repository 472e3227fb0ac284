package io.synod.client;

import io.synod.messaging.InteractionLog;
import io.synod.messaging.ProcessClock;
import io.synod.messaging.ZmqOptions;
import io.synod.protocol.Envelope;
import io.synod.protocol.MsgPack;
import io.synod.protocol.ProtocolException;
import io.synod.protocol.Publication;
import io.synod.protocol.Services;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * The client's I/O thread: the only thread that touches its ZeroMQ sockets (a DEALER per
 * broker: {@link BrokerSockets}; a SUB to every proxy) and its request and subscription state. Other threads hand it
 * work with {@link #execute(Runnable)}, which queues the task and wakes the poll through a
 * {@link Pipe}.
 *
 * <p>Requests follow the ZeroMQ guide's Lazy Pirate pattern over a DEALER: each send is stamped
 * (Lamport clock, synchronised timestamp, {@code client_id}, {@code request_id}); when an attempt
 * times out, the DEALER is closed and a new one connected (dropping any late reply), and every
 * request in flight is sent again with the same request id, until a request has used its
 * attempts and fails with {@link ClientException.RequestTimeout}. {@link RequestTracker} decides
 * the window and the reply matching. With several brokers, a lost connection resends what was in
 * flight through it at once, without waiting for the timeout.
 *
 * <p>Publications are matched to their topic exactly, decoded, clock-observed, logged and passed
 * through a {@link TopicSequencer} per subscribed channel and one for the user's own inbox; with
 * several proxies each publication comes once from each, and the sequencer drops the copies.
 */
final class ClientLoop implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(ClientLoop.class);
    private static final long POLL_MILLIS_MAX = 100;
    private static final String PROXY_PEER = "proxy";
    /**
     * JeroMQ's connect race ({@link ZmqOptions#nudge}): a connection can sit unpolled until the context's I/O
     * thread is nudged. A request unanswered this long, with nothing received since it went out, gets a nudge,
     * and again at this interval while that lasts; the SUB, which has no reply to wait for, gets one this long
     * after the sockets open.
     */
    static final long NUDGE_AFTER_MILLIS = ZmqOptions.NUDGE_INTERVAL_MILLIS;

    private final ClientConfig config;
    private final ProcessClock clock;
    private final InteractionLog log;
    private final String clientId;
    private final Deliverer deliverer;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    /** Set while a wake-up byte is on its way, so a burst of tasks costs one pipe write. */
    private final AtomicBoolean wakePending = new AtomicBoolean();

    private final Pipe wakePipe;
    private final ZContext context = new ZContext(1);
    private final RequestTracker tracker;
    private final Subscriptions subscriptions;
    private final LoopTimers timers = new LoopTimers();

    private BrokerSockets brokers;
    private ZMQ.Socket sub;
    private ZMQ.Poller poller;
    private int subIndex;
    private long nextRequestId = 1;
    /** The highest log index seen (I/O thread); reads pass it as {@code min_index}. */
    private long highestIndexSeen;

    volatile Map<String, Object> session = Map.of(); // the {token} a login with a password returned, sent always
    /** When the DEALER last received anything (I/O thread). */
    private long lastReplyNanos = System.nanoTime();
    /** No nudge before this (I/O thread). */
    private long nextNudgeNanos = System.nanoTime();

    private volatile boolean running = true;
    private volatile Thread thread;

    /** Replies and publications whose handling threw; each was dropped and logged. I/O thread only. */
    private long messagesFailed;

    ClientLoop(ClientConfig config, ProcessClock clock, InteractionLog log, String clientId, Deliverer deliverer) {
        this.config = config;
        this.clock = clock;
        this.log = log;
        this.clientId = clientId;
        this.deliverer = deliverer;
        this.tracker = new RequestTracker(config.requestsInFlightMax(), config.requestsQueuedMax());
        this.subscriptions = new Subscriptions(this, config);
        try {
            this.wakePipe = Pipe.open();
            wakePipe.source().configureBlocking(false);
            wakePipe.sink().configureBlocking(false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the client's wake-up pipe", e);
        }
        openSockets();
    }

    /** Secure mode: CURVE towards the cluster's server key, with a fresh key pair of this client's own. */
    private void secure(ZMQ.Socket socket) {
        if (config.serverPublicKey() == null) {
            return;
        }
        ZMQ.Curve.KeyPair pair = ZMQ.Curve.generateKeyPair();
        socket.setCurvePublicKey(ZMQ.Curve.z85Decode(pair.publicKey));
        socket.setCurveSecretKey(ZMQ.Curve.z85Decode(pair.secretKey));
        socket.setCurveServerKey(config.serverPublicKey());
    }

    /**
     * Creates and connects the sockets on the constructing thread, so that a malformed endpoint
     * fails the constructor; the I/O thread takes them over ({@link Thread#start()} is the memory
     * barrier ZeroMQ asks for when a socket changes threads).
     */
    private void openSockets() {
        try {
            sub = context.createSocket(SocketType.SUB);
            sub.setLinger(0);
            secure(sub);
            config.proxyEndpoints().forEach(sub::connect);
        } catch (RuntimeException e) {
            context.close();
            throw new IllegalArgumentException(
                    "cannot connect to the proxy at " + config.proxyEndpoint() + ": " + e, e);
        }
        try {
            poller = context.createPoller(4);
            subIndex = poller.register(sub, ZMQ.Poller.POLLIN);
            poller.register(wakePipe.source(), ZMQ.Poller.POLLIN);
            brokers = new BrokerSockets(context, poller, config.brokerEndpoints(), this::secure);
        } catch (RuntimeException e) {
            context.close();
            throw new IllegalArgumentException(
                    "cannot connect to the broker at " + config.brokerEndpoint() + ": " + e, e);
        }
    }

    /** Queues {@code task} to run on the I/O thread; thread-safe. Fails it if the loop has stopped. */
    void execute(Runnable task) {
        if (!running) {
            throw new ClientException.Closed();
        }
        tasks.add(task);
        if (wakePending.compareAndSet(false, true)) {
            wake();
        }
    }

    /** Replies and publications dropped because their handling threw (read on the I/O thread). */
    long messagesFailed() {
        return messagesFailed;
    }

    boolean onLoopThread() {
        return Thread.currentThread() == thread;
    }

    boolean running() {
        return running;
    }

    ClientConfig config() {
        return config;
    }

    Deliverer deliverer() {
        return deliverer;
    }

    Subscriptions subscriptions() {
        return subscriptions;
    }

    /** Asks the loop to stop; it fails what is pending and closes its sockets. Thread-safe. */
    void stop() {
        running = false;
        wake();
    }

    @Override
    public void run() {
        thread = Thread.currentThread();
        schedule(NUDGE_AFTER_MILLIS, () -> ZmqOptions.nudge(context));
        try {
            while (running) {
                iterate();
            }
        } catch (RuntimeException e) {
            LOG.error("client I/O loop failed", e);
        } finally {
            running = false;
            shutdown();
        }
    }

    private void iterate() {
        poller.poll(pollTimeoutMillis(System.nanoTime()));
        drainWakePipe();
        wakePending.set(false);
        runTasks();
        receiveReplies();
        if (poller.pollin(subIndex)) {
            receivePublications();
        }
        long now = System.nanoTime();
        for (int lost : brokers.takeLost()) {
            resendFrom(lost);
        }
        if (tracker.anyExpired(now)) {
            onAttemptTimeout(now);
        }
        nudgeIfAReplyIsLate(now);
        timers.runDue(now);
        sendSendable();
    }

    private long pollTimeoutMillis(long nowNanos) {
        long due = Math.min(tracker.nextDeadlineNanos(nowNanos), timers.nextDueNanos());
        if (due == Long.MAX_VALUE) {
            return POLL_MILLIS_MAX;
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(due - nowNanos) + 1;
        return Math.max(0, Math.min(POLL_MILLIS_MAX, millis));
    }

    // ---- requests ----

    /** Submits a request on the I/O thread; {@code onDone} runs there with the reply, or null and the failure. */
    void submit(String service, Map<String, Object> fields, BiConsumer<Envelope, ClientException> onDone) {
        if (highestIndexSeen > 0 && Services.READS.contains(service) && !fields.containsKey("min_index")) {
            Map<String, Object> withIndex = new LinkedHashMap<>(fields);
            withIndex.put("min_index", highestIndexSeen); // monotonic reads: never a state older than one seen
            fields = withIndex;
        }
        PendingRequest request = new PendingRequest(nextRequestId++, service, fields, onDone);
        if (!running) {
            complete(request, null, new ClientException.Closed());
        } else if (!tracker.submit(request)) {
            complete(request, null, new ClientException.TooManyRequests(config.requestsQueuedMax()));
        }
    }

    private void sendSendable() {
        for (PendingRequest request : tracker.takeSendable()) {
            send(request, true);
        }
    }

    /**
     * Stamps and sends one attempt without blocking (a message the socket cannot queue is sent
     * again at the timeout). {@code newAttempt} is false when it is resent only because the socket
     * was recreated for another request.
     */
    private void send(PendingRequest request, boolean newAttempt) {
        Map<String, Object> data = new LinkedHashMap<>(request.fields);
        long stamp = clock.tickForSend();
        double timestamp = clock.nowSeconds();
        data.put("timestamp", timestamp);
        data.put("clock", stamp);
        data.put("client_id", clientId);
        data.put("request_id", request.requestId);
        data.putAll(session);
        Envelope envelope = new Envelope(request.service, data);
        if (newAttempt) {
            request.attemptsSent++;
        }
        request.deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.requestTimeoutMillis());
        request.broker = brokers.send(envelope.encode());
        log.sent(request.service, brokers.described(request.broker), stamp, timestamp, envelope.data());
        if (request.broker == BrokerSockets.NOT_QUEUED) {
            LOG.warn(
                    "could not queue '{}' for the brokers at {}; it will be retried",
                    request.service,
                    brokers.described());
        }
    }

    /** See {@link #NUDGE_AFTER_MILLIS}. The loop wakes at least every {@link #POLL_MILLIS_MAX}, so no timer. */
    private void nudgeIfAReplyIsLate(long nowNanos) {
        long earliestDeadline = tracker.nextDeadlineNanos(nowNanos);
        if (earliestDeadline == Long.MAX_VALUE || nowNanos - nextNudgeNanos < 0) {
            return;
        }
        long oldestSent = earliestDeadline - TimeUnit.MILLISECONDS.toNanos(config.requestTimeoutMillis());
        long waitedNanos = nowNanos - oldestSent;
        if (waitedNanos >= TimeUnit.MILLISECONDS.toNanos(NUDGE_AFTER_MILLIS) && lastReplyNanos - oldestSent < 0) {
            ZmqOptions.nudge(context);
            nextNudgeNanos = nowNanos + TimeUnit.MILLISECONDS.toNanos(NUDGE_AFTER_MILLIS);
            logEvent(
                    "io-nudge",
                    Map.of("endpoint", brokers.described(), "waited_ms", TimeUnit.NANOSECONDS.toMillis(waitedNanos)));
        }
    }

    private void receiveReplies() {
        byte[] payload;
        while ((payload = brokers.receive()) != null) {
            lastReplyNanos = System.nanoTime();
            onReplyFrameIsolated(payload);
        }
    }

    /** A reply whose handling throws (a bug it exposed) is dropped and logged; the loop serves on. */
    private void onReplyFrameIsolated(byte[] payload) {
        try {
            onReplyFrame(payload);
        } catch (RuntimeException e) {
            messagesFailed++;
            LOG.warn("dropped a reply from {} whose handling failed", brokers.described(), e);
        }
    }

    private void onReplyFrame(byte[] payload) {
        Envelope reply;
        try {
            reply = Envelope.decode(payload, config.limits());
        } catch (ProtocolException e) {
            LOG.warn("dropped an undecodable reply from {}: {}", brokers.described(), e.getMessage());
            return;
        }
        long received = reply.data().get("clock") instanceof Long c ? c : 0;
        long stamp = clock.observe(received);
        log.received(reply.service(), brokers.described(), stamp, clock.nowSeconds(), reply.data());
        noteIndex(reply.data().get("index"));
        if (reply.data().get("messages") instanceof List<?> messages) {
            for (Object message : messages) {
                if (message instanceof Map<?, ?> m) {
                    noteIndex(m.get("index"));
                }
            }
        }
        PendingRequest request = tracker.match(reply);
        if (request == null) {
            LOG.debug("dropped a stale reply to '{}'", reply.service());
            return;
        }
        complete(request, reply, null);
    }

    /** Remembers the highest Synod log index seen in a reply (foreign servers send none). */
    private void noteIndex(Object index) {
        if (index instanceof Long i && i > highestIndexSeen) {
            highestIndexSeen = i;
        }
    }

    /** Lazy Pirate: give up on exhausted requests, recreate the DEALER, resend what is in flight. */
    private void onAttemptTimeout(long nowNanos) {
        int attemptsMax = 1 + config.requestRetriesMax();
        for (PendingRequest exhausted : tracker.removeExhausted(nowNanos, attemptsMax)) {
            logEvent(
                    "request-failed",
                    Map.of(
                            "service",
                            exhausted.service,
                            "request_id",
                            exhausted.requestId,
                            "attempts",
                            exhausted.attemptsSent));
            complete(
                    exhausted,
                    null,
                    new ClientException.RequestTimeout(
                            brokers.described(),
                            exhausted.service,
                            exhausted.attemptsSent,
                            config.requestTimeoutMillis()));
        }
        LOG.debug("request timed out; reconnecting to the brokers at {}", brokers.described());
        logEvent("broker-reconnect", Map.of("endpoint", brokers.described(), "in_flight", tracker.inFlightCount()));
        brokers.reopen();
        for (PendingRequest request : tracker.inFlight()) {
            send(request, request.deadlineNanos - nowNanos <= 0);
        }
    }

    /**
     * Several brokers ({@link BrokerSockets}): the connection to broker {@code lost} is gone, so the requests in flight
     * through it are sent again through the others at once; same ids, and neither a new attempt nor a later deadline.
     */
    private void resendFrom(int lost) {
        int resent = 0;
        for (PendingRequest request : tracker.inFlight()) {
            if (request.broker == lost) {
                long deadline = request.deadlineNanos; // the attempt's timeout stands: resending does not extend it
                send(request, false);
                request.deadlineNanos = deadline;
                resent++;
            }
        }
        logEvent("broker-lost", Map.of("endpoint", brokers.described(lost), "up", brokers.upCount(), "resent", resent));
    }

    /** Writes an event line (not a message) to the interaction log. */
    void logEvent(String kind, Map<String, Object> data) {
        log.event(kind, clock.lamport().current(), clock.nowSeconds(), data);
    }

    private void complete(PendingRequest request, Envelope reply, ClientException failure) {
        try {
            request.onDone.accept(reply, failure);
        } catch (RuntimeException e) {
            LOG.error("a request callback failed", e);
        }
    }

    // ---- subscriptions ----

    /** Subscribes the SUB socket to {@code topic} (a ZeroMQ prefix filter). */
    void zmqSubscribe(String topic) {
        sub.subscribe(topic.getBytes(StandardCharsets.UTF_8));
    }

    void zmqUnsubscribe(String topic) {
        sub.unsubscribe(topic.getBytes(StandardCharsets.UTF_8));
    }

    private void receivePublications() {
        while (true) {
            byte[] topicFrame = sub.recv(ZMQ.DONTWAIT);
            if (topicFrame == null) {
                return;
            }
            List<byte[]> rest = new ArrayList<>(1);
            while (sub.hasReceiveMore()) {
                rest.add(sub.recv());
            }
            if (rest.isEmpty()) {
                continue;
            }
            String topic = new String(topicFrame, StandardCharsets.UTF_8);
            try {
                onPublicationFrames(topic, rest.get(0));
            } catch (RuntimeException e) { // anyone can publish into the proxy: nothing one sends may stop us
                messagesFailed++;
                LOG.warn("dropped a publication on '{}' whose handling failed", topic, e);
            }
        }
    }

    private void onPublicationFrames(String topic, byte[] payload) {
        if (!subscriptions.wants(topic)) {
            return; // ZeroMQ filters by prefix: "ana" also receives "anabel"
        }
        Object decoded;
        try {
            decoded = MsgPack.decode(payload, config.limits());
        } catch (ProtocolException e) {
            LOG.warn("dropped an undecodable publication on '{}': {}", topic, e.getMessage());
            return;
        }
        Publication publication = ReplyParser.publicationOf(topic, decoded, config.limits());
        if (publication == null) {
            LOG.debug("dropped a publication on '{}' that is not a post or a message", topic);
            return;
        }
        long stamp = clock.observe(((Map<?, ?>) decoded).get("clock") instanceof Long c ? c : 0);
        // a live publication's index does not raise the floor of later reads (min_index): anyone can publish
        // into the proxy, and a forged huge index would make every read wait and fail
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("topic", topic);
        data.put("payload", decoded);
        log.received("publication", PROXY_PEER + " " + config.proxyEndpoint(), stamp, clock.nowSeconds(), data);
        subscriptions.onLive(topic, publication);
    }

    // ---- timers, wake-up, shutdown ----

    /** Runs {@code action} on the I/O thread after {@code delayMillis}. I/O thread only. */
    void schedule(long delayMillis, Runnable action) {
        timers.schedule(delayMillis, action);
    }

    private void runTasks() {
        Runnable task;
        while ((task = tasks.poll()) != null) {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.error("a client task failed", e);
            }
        }
    }

    private void wake() {
        try {
            wakePipe.sink().write(ByteBuffer.wrap(new byte[] {1}));
        } catch (IOException e) {
            // The pipe is closed only on shutdown; the poll timeout bounds the delay anyway.
        }
    }

    private void drainWakePipe() {
        ByteBuffer buffer = ByteBuffer.allocate(256);
        try {
            while (wakePipe.source().read(buffer) > 0) {
                buffer.clear();
            }
        } catch (IOException e) {
            // see wake()
        }
    }

    private void shutdown() {
        runTasks();
        for (PendingRequest request : tracker.drainAll()) {
            complete(request, null, new ClientException.Closed());
        }
        Runnable task;
        while ((task = tasks.poll()) != null) {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.debug("a task queued during shutdown failed", e);
            }
        }
        if (poller != null) {
            poller.close();
        }
        context.close();
        try {
            wakePipe.sink().close();
            wakePipe.source().close();
        } catch (IOException e) {
            LOG.debug("closing the wake-up pipe failed", e);
        }
    }
}
