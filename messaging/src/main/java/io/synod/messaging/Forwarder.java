package io.synod.messaging;

import static io.synod.messaging.Closeables.closeQuietly;

import io.synod.messaging.zmtp.SubscriptionFilter;
import io.synod.messaging.zmtp.ZmtpCodec;
import io.synod.messaging.zmtp.ZmtpCodec.SocketType;
import io.synod.messaging.zmtp.ZmtpConnection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker (ROUTER for clients, DEALER for servers; requirement S1) and the pub/sub proxy (XSUB for
 * publishers, XPUB for subscribers; S2): two bound ZeroMQ endpoints and a bidirectional forwarder between them,
 * behaving as {@code zmq.proxy(frontend, backend)} does with those sockets, so any ZeroMQ 4 client, server,
 * publisher or subscriber works through it unchanged.
 *
 * <p>It speaks the ZeroMQ wire protocol (ZMTP 3, {@link io.synod.messaging.zmtp}) itself, on non-blocking
 * sockets read and written by its one thread: a message crossing it wakes that thread once, where two ZeroMQ
 * sockets and a proxy loop wake three threads (the receiving socket's I/O thread, the loop, the sending
 * socket's I/O thread). Docs/performance.md has the measurements.
 *
 * <p>What each side does ({@link Routing}):
 *
 * <ul>
 *   <li>Broker: a request from a client gets the client's routing id as a first frame and goes to the next
 *       server in turn that has room (round robin, as a DEALER), or to the one that said it leads ({@link
 *       BrokerServers}, {@link LeaderMark}); with no server able to take it, it is held, in
 *       order, until one can, and past {@link ForwarderConfig#highWaterMarkMessages} held requests the clients'
 *       connections are not read. A reply's first frame names the client; a reply to a client that is gone or
 *       whose queue is full is dropped and counted (as a ROUTER does). A client connection has at most {@link
 *       ForwarderConfig#clientInFlightMax} requests unanswered at the servers; the rest waits in its own queue
 *       ({@link BrokerClient}), so a flooding client queues behind itself, not in front of the others.
 *   <li>Proxy: a subscriber's subscriptions are counted per topic; the first subscription to a topic is sent
 *       to every publisher, and the last one gone (cancelled or disconnected) cancels it there; a publisher that
 *       connects gets every topic subscribed. A publication goes once to every subscriber with a subscription
 *       that prefixes its first frame (a session topic: {@link SessionTopicGuard}); a subscriber whose queue is full misses it (as XPUB drops), counted. A
 *       publication identical to one forwarded shortly before for the same topic and {@code seq} is dropped and
 *       counted ({@link ForwarderDedup}): a new Paxos leader republishes what its predecessor may not have, and a
 *       plain course subscriber would show it twice.
 * </ul>
 *
 * <p>No message and no peer stops the loop: a connection whose handling throws (a codec bug, an odd frame, a
 * value nobody expected) is closed, logged and counted ({@code handling_errors}), and the loop goes on with the
 * others; a failure outside any connection's handling (the once-per-turn work) is logged and counted the same way.
 *
 * <p>Interaction log (N7): one {@code forwarded} event per {@link ForwarderConfig#statsIntervalMillis()} with the
 * messages each way and the drops, when something moved (per message would double the cost; senders log them).
 *
 * <p>Thread-safety: {@link #start} binds in the caller's thread and then one owned thread runs the loop;
 * {@link #close()} may be called from any thread, once or more.
 */
public final class Forwarder implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Forwarder.class);
    /** Bytes read from a socket per read call; the decoder copies them out at once, so one buffer serves all. */
    private static final int READ_BUFFER_BYTES = 64 << 10;

    private final String name;
    private final ForwarderConfig config;
    private final InteractionLog log;
    private final ProcessClock clock;
    private final Selector selector;
    private final Side frontend;
    private final Side backend;
    private final Routing routing;
    /** The proxy's window of recent publications; null for the broker, or when turned off. */
    private final ForwarderDedup dedup;

    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER_BYTES);
    private final List<ZmtpConnection> toFlush = new ArrayList<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;
    private long frontendToBackend;
    private long backendToFrontend;
    private long dropped;
    private long refused;
    /** Publications dropped as repeats by the proxy's window (not counted in {@link #frontendToBackend}). */
    private long deduplicated;
    /** Connections closed, or turns' work cut short, because handling them threw. */
    private long handlingErrors;
    /**
     * Sees every message before it is routed; does nothing. Tests make it throw, to check that a message whose
     * handling fails closes its own connection and nothing else.
     */
    volatile java.util.function.Consumer<List<byte[]>> beforeRouting = frames -> {};
    /** Told each stats interval's counters and gauges (the log event's fields, and {@code held}), on the loop. */
    private volatile java.util.function.Consumer<Map<String, Object>> statsListener = data -> {};
    /** The current turn's {@link System#nanoTime} reading, for the handlers called from within it. */
    private long turnNanos = System.nanoTime();

    private Thread thread;
    /** The mechanism each side's connections speak. */
    private ForwarderSecurity security = ForwarderSecurity.NONE;

    /** One bound endpoint and its connections. */
    private final class Side implements ZmtpConnection.Handler {
        final String label;
        final SocketType type;
        final ServerSocketChannel server;
        final String endpoint;
        final Set<ZmtpConnection> connections = new java.util.LinkedHashSet<>();
        boolean readPaused;

        Side(String label, SocketType type, String bindEndpoint) throws IOException {
            this.label = label;
            this.type = type;
            ServerSocketChannel channel = ServerSocketChannel.open();
            try {
                channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                channel.bind(TcpEndpoint.parse(bindEndpoint, true), 128);
                channel.configureBlocking(false);
                channel.register(selector, SelectionKey.OP_ACCEPT, this);
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
            this.server = channel;
            this.endpoint = TcpEndpoint.bound(bindEndpoint, channel.socket());
        }

        void accept() {
            while (true) {
                SocketChannel channel;
                try {
                    channel = server.accept();
                } catch (IOException e) {
                    LOG.warn("{}: accepting on {} failed: {}", name, endpoint, e.getMessage());
                    return;
                }
                if (channel == null) {
                    return;
                }
                if (connections.size() >= config.connectionsMax()) {
                    refused++;
                    closeQuietly(channel);
                    continue;
                }
                try {
                    ZmtpConnection connection = new ZmtpConnection(
                            channel, selector, type, config.connectionLimits(), this, null, System.nanoTime());
                    connection.secure(this == frontend ? security.frontend() : security.backend());
                    connections.add(connection);
                    connection.pauseReading(readPaused);
                    toFlush.add(connection);
                } catch (IOException e) {
                    closeQuietly(channel);
                }
            }
        }

        void pauseReading(boolean paused) {
            if (readPaused != paused) {
                readPaused = paused;
                // a client paused for its own waiting requests stays paused until they go
                connections.forEach(connection -> connection.pauseReading(
                        paused || (connection.attachment instanceof BrokerClient client && client.readPaused())));
            }
        }

        @Override
        public void ready(ZmtpConnection connection) {
            routing.ready(this, connection);
        }

        @Override
        public void message(ZmtpConnection connection, List<byte[]> frames) {
            beforeRouting.accept(frames);
            routing.message(this, connection, frames);
        }

        @Override
        public void closed(ZmtpConnection connection) {
            connections.remove(connection);
            if (running) {
                LOG.debug(
                        "{}: {} connection {} closed: {}", name, label, connection.remote(), connection.closeReason());
            }
            routing.closed(this, connection);
        }

        void close() {
            List.copyOf(connections).forEach(connection -> connection.close("forwarder stopped"));
            closeQuietly(server);
        }
    }

    /** What a forwarder does with its two sides' messages. */
    private interface Routing {
        void ready(Side side, ZmtpConnection connection);

        void message(Side side, ZmtpConnection connection, List<byte[]> frames);

        void closed(Side side, ZmtpConnection connection);

        /** Called once per turn, after reading: whatever was held may move now. */
        void afterTurn();
    }

    private Forwarder(
            String name,
            SocketType frontendType,
            String frontendBind,
            SocketType backendType,
            String backendBind,
            ForwarderConfig config,
            InteractionLog log,
            ProcessClock clock)
            throws IOException {
        if (frontendType == SocketType.ROUTER && backendType == SocketType.DEALER) {
            this.routing = new BrokerRouting();
        } else if (frontendType == SocketType.XSUB && backendType == SocketType.XPUB) {
            this.routing = new ProxyRouting();
        } else {
            throw new IllegalArgumentException(
                    "a forwarder is ROUTER/DEALER or XSUB/XPUB, not " + frontendType + "/" + backendType);
        }
        this.name = name;
        this.config = config;
        this.dedup = routing instanceof ProxyRouting && config.dedupEntriesMax() > 0
                ? new ForwarderDedup(config.dedupEntriesMax(), config.dedupBytesMax(), config.dedupAgeMaxMillis())
                : null;
        this.log = log;
        this.clock = clock;
        this.selector = Selector.open();
        try {
            this.frontend = new Side("frontend", frontendType, frontendBind);
            try {
                this.backend = new Side("backend", backendType, backendBind);
            } catch (IOException | RuntimeException e) {
                frontend.close();
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            selector.close();
            throw e;
        }
    }

    /**
     * Binds both endpoints and starts forwarding. An endpoint may use port {@code *} to pick a free port;
     * {@link #frontendEndpoint()} and {@link #backendEndpoint()} then tell which.
     *
     * @param frontendType ROUTER (a broker) or XSUB (a proxy)
     * @param backendType DEALER (a broker) or XPUB (a proxy)
     * @throws UncheckedIOException if an endpoint cannot be bound (port in use, address not local)
     * @throws IllegalArgumentException if an endpoint is not {@code tcp://HOST:PORT} or the types are not a pair
     */
    public static Forwarder start(
            String name,
            SocketType frontendType,
            String frontendBind,
            SocketType backendType,
            String backendBind,
            ForwarderConfig config,
            InteractionLog log,
            ProcessClock clock) {
        return start(
                name, frontendType, frontendBind, backendType, backendBind, config, ForwarderSecurity.NONE, log, clock);
    }

    /** As {@link #start}, speaking CURVE on the sides {@code security} says (secure mode, docs/security.md). */
    public static Forwarder start(
            String name,
            SocketType frontendType,
            String frontendBind,
            SocketType backendType,
            String backendBind,
            ForwarderConfig config,
            ForwarderSecurity security,
            InteractionLog log,
            ProcessClock clock) {
        Forwarder forwarder;
        try {
            forwarder = new Forwarder(name, frontendType, frontendBind, backendType, backendBind, config, log, clock);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot listen on " + frontendBind + " and " + backendBind + ": " + e.getMessage(), e);
        }
        forwarder.security = security; // before the loop's thread starts, which publishes it
        forwarder.thread = new Thread(forwarder::loop, name + "-forwarder");
        forwarder.thread.start();
        return forwarder;
    }

    /** The frontend's bound endpoint, with the real port. */
    public String frontendEndpoint() {
        return frontend.endpoint;
    }

    /** The backend's bound endpoint, with the real port. */
    public String backendEndpoint() {
        return backend.endpoint;
    }

    private void loop() {
        long nextStatsMillis = clock.nowMillis() + config.statsIntervalMillis();
        try {
            while (running) {
                selector.select(config.pollIntervalMillis());
                long now = System.nanoTime();
                turnNanos = now;
                for (SelectionKey key : selector.selectedKeys()) {
                    serve(key, now);
                }
                selector.selectedKeys().clear();
                try {
                    routing.afterTurn();
                } catch (RuntimeException e) {
                    failed("moving held messages", e);
                }
                // by index: a connection that fails to write closes, and its closing may queue more (a subscriber's
                // last subscription cancelled upstream), which is flushed in this same pass
                for (int i = 0; i < toFlush.size(); i++) {
                    ZmtpConnection connection = toFlush.get(i);
                    try {
                        connection.flush();
                    } catch (RuntimeException e) {
                        failed(connection, "writing", e);
                    }
                }
                toFlush.clear();
                long nowMillis = clock.nowMillis();
                if (nowMillis >= nextStatsMillis) {
                    nextStatsMillis = nowMillis + config.statsIntervalMillis();
                    try {
                        checkAlive(now);
                        if (routing instanceof BrokerRouting broker) {
                            broker.expireInFlight(now);
                        }
                        if (dedup != null) {
                            dedup.expire(now);
                        }
                        logStats();
                    } catch (RuntimeException e) {
                        failed("the periodic checks", e);
                    }
                }
            }
            logStats();
        } catch (IOException | RuntimeException e) { // the selector itself failed: nothing left to serve with
            if (running) {
                LOG.error("{}: forwarding stopped on an error", name, e);
            }
        } finally {
            frontend.close();
            backend.close();
            closeQuietly(selector);
            stopped.countDown();
        }
    }

    /** Accepts, writes or reads what one selected key is ready for; a failure closes that connection only. */
    private void serve(SelectionKey key, long now) {
        Object attachment = key.attachment();
        try {
            if (!key.isValid()) {
                return;
            }
            if (attachment instanceof Side side) {
                side.accept();
            } else if (attachment instanceof ZmtpConnection connection) {
                if (key.isWritable()) {
                    connection.flush();
                }
                if (key.isValid() && key.isReadable()) {
                    connection.readable(readBuffer, now);
                }
            }
        } catch (java.nio.channels.CancelledKeyException e) {
            // closed while this turn ran (by another connection's handling): nothing left to serve
        } catch (RuntimeException | OutOfMemoryError e) { // the error: a peer's frame too large for what is left
            if (attachment instanceof ZmtpConnection connection) {
                failed(connection, "handling", e);
            } else {
                failed("accepting", e);
            }
        }
    }

    /** A connection's handling threw: it is closed (its partial input dropped) and the loop goes on. */
    private void failed(ZmtpConnection connection, String what, Throwable e) {
        handlingErrors++;
        try {
            connection.close("internal error while " + what + ": " + e); // first: frees what its input holds
        } catch (RuntimeException closing) {
            e.addSuppressed(closing);
        }
        LOG.warn("{}: {} {} failed; connection closed: {}", name, what, connection.remote(), e.toString(), e);
    }

    private void failed(String what, Throwable e) {
        handlingErrors++;
        LOG.warn("{}: {} failed; going on: {}", name, what, e.toString(), e);
    }

    private void checkAlive(long nowNanos) {
        for (Side side : List.of(frontend, backend)) {
            for (ZmtpConnection connection : List.copyOf(side.connections)) {
                connection.checkAlive(nowNanos);
            }
        }
    }

    /** Queues {@code frames} on {@code to} for this turn's writes; false if it has no room. */
    private boolean offer(ZmtpConnection to, List<byte[]> frames) {
        boolean idle = !to.hasOutput();
        if (!to.send(frames)) {
            return false;
        }
        if (idle) {
            toFlush.add(to);
        }
        return true;
    }

    /** ROUTER frontend, DEALER backend; each client's requests beyond its in-flight limit wait ({@link BrokerClient}). */
    private final class BrokerRouting implements Routing {
        private final Map<BrokerClient.RoutingId, BrokerClient> clients = new java.util.HashMap<>();
        private final BrokerServers<ZmtpConnection> servers = new BrokerServers<>();
        private final java.util.ArrayDeque<List<byte[]>> held = new java.util.ArrayDeque<>();
        private int nextGeneratedId = new java.util.SplittableRandom().nextInt();

        @Override
        public void ready(Side side, ZmtpConnection connection) {
            if (side == backend) {
                servers.add(connection);
                return;
            }
            byte[] identity = connection.peerIdentity();
            BrokerClient.RoutingId id;
            if (identity.length > 0 && identity[0] != 0) {
                id = new BrokerClient.RoutingId(identity);
                if (clients.containsKey(id)) {
                    connection.close("identity already in use by another client");
                    return;
                }
            } else {
                do {
                    id = BrokerClient.RoutingId.generated(nextGeneratedId++);
                } while (clients.containsKey(id));
            }
            BrokerClient client = new BrokerClient(id, connection);
            connection.attachment = client;
            clients.put(id, client);
        }

        @Override
        public void message(Side side, ZmtpConnection connection, List<byte[]> frames) {
            if (side == frontend) {
                if (!(connection.attachment instanceof BrokerClient client)) {
                    return;
                }
                List<byte[]> routed = new ArrayList<>(frames.size() + 1);
                routed.add(client.id.bytes());
                routed.addAll(frames);
                frontendToBackend++;
                if (client.waits(routed, config.clientInFlightMax())) {
                    return;
                }
                dispatch(client, routed);
                return;
            }
            if (servers.announced(connection, frames, turnNanos)) {
                return; // our server says it leads (LeaderMark): not a reply
            }
            if (frames.size() < 2) {
                dropped++; // a reply needs the client's id and a body
                return;
            }
            backendToFrontend++;
            BrokerClient client = clients.get(new BrokerClient.RoutingId(frames.get(0)));
            if (client == null || !offer(client.connection, frames.subList(1, frames.size()))) {
                dropped++;
            }
            if (client != null) {
                client.answered(turnNanos);
                client.release(config.clientInFlightMax(), frontend.readPaused, this::dispatch);
            }
        }

        /** Sends one request of {@code client} towards the servers (or holds it while none has room). */
        private void dispatch(BrokerClient client, List<byte[]> routed) {
            client.sent(turnNanos);
            if (held.isEmpty() && toServer(routed)) {
                return;
            }
            held.addLast(routed);
            if (held.size() >= config.highWaterMarkMessages()) {
                frontend.pauseReading(true);
            }
        }

        void expireInFlight(long nowNanos) { // requests a dead server will never answer
            for (BrokerClient client : List.copyOf(clients.values())) {
                if (client.expire(nowNanos)) {
                    client.release(config.clientInFlightMax(), frontend.readPaused, this::dispatch);
                }
            }
        }

        private boolean toServer(List<byte[]> frames) {
            return servers.offer(frames, turnNanos, Forwarder.this::offer);
        }

        @Override
        public void closed(Side side, ZmtpConnection connection) {
            if (side == backend) {
                servers.remove(connection);
            } else if (connection.attachment instanceof BrokerClient client) {
                clients.remove(client.id, client);
            }
        }

        @Override
        public void afterTurn() {
            while (!held.isEmpty() && toServer(held.peekFirst())) {
                held.pollFirst();
            }
            if (held.size() < config.highWaterMarkMessages()) {
                frontend.pauseReading(false);
            }
        }
    }

    /** XSUB frontend (publishers), XPUB backend (subscribers). */
    private final class ProxyRouting implements Routing {
        private final SubscriptionFilter<ZmtpConnection> subscriptions = new SubscriptionFilter<>();
        private final ProxyFanout fanout = new ProxyFanout(toFlush);

        @Override
        public void ready(Side side, ZmtpConnection connection) {
            if (side == frontend) {
                for (byte[] topic : subscriptions.topics()) {
                    offer(connection, ZmtpCodec.subscription(true, topic));
                }
            }
        }

        @Override
        public void message(Side side, ZmtpConnection connection, List<byte[]> frames) {
            if (side == frontend) {
                publish(frames);
            } else if (frames.size() == 1) {
                // a subscriber sends only subscriptions; anything else is ignored, as XPUB does
                byte[] upstream = subscriptions.apply(connection, frames.get(0));
                if (upstream != null) {
                    upstream(List.of(upstream));
                }
            }
        }

        private void upstream(List<byte[]> message) {
            for (ZmtpConnection publisher : frontend.connections) {
                if (publisher.isReady()) {
                    offer(publisher, message);
                }
            }
        }

        private void publish(List<byte[]> frames) {
            if (dedup != null && frames.size() == 2 && dedup.repeated(frames.get(0), frames.get(1), turnNanos)) {
                deduplicated++;
                return;
            }
            frontendToBackend++;
            fanout.deliver(subscriptions, frames);
            backendToFrontend += fanout.offered();
            dropped += fanout.dropped();
        }

        @Override
        public void closed(Side side, ZmtpConnection connection) {
            if (side == backend) {
                for (byte[] topic : subscriptions.removeAll(connection)) {
                    upstream(ZmtpCodec.subscription(false, topic));
                }
            }
        }

        @Override
        public void afterTurn() {}
    }

    /** Every stats interval, moving or idle: the counters to {@link #statsListener}, and to the log if any moved. */
    private void logStats() {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("frontend_to_backend", frontendToBackend);
        data.put("backend_to_frontend", backendToFrontend);
        data.put("dropped", dropped);
        data.put("connections_refused", refused);
        if (dedup != null) {
            data.put("deduplicated", deduplicated);
            data.put("dedup_window", dedup.size());
        }
        data.put("handling_errors", handlingErrors);
        data.put("frontend_connections", frontend.connections.size());
        data.put("backend_connections", backend.connections.size());
        data.put("held", routing instanceof BrokerRouting broker ? broker.held.size() : 0); // waiting for a server
        if (routing instanceof BrokerRouting broker) {
            broker.servers.stats(data, turnNanos); // the leader's share
        }
        data.put("interval_ms", config.statsIntervalMillis());
        statsListener.accept(data);
        if (frontendToBackend + backendToFrontend + dropped + refused + deduplicated + handlingErrors != 0) {
            log.event("forwarded", clock.lamport().current(), clock.nowSeconds(), data);
        }
        frontendToBackend = backendToFrontend = dropped = refused = deduplicated = handlingErrors = 0;
    }

    /** Hands each stats interval's figures to {@code listener} (the admin endpoint's metrics), on the loop thread. */
    public void onStats(java.util.function.Consumer<Map<String, Object>> listener) {
        statsListener = listener;
    }

    /** Blocks until the loop has stopped (after {@link #close()} or a fatal error). */
    public void awaitTermination() throws InterruptedException {
        stopped.await();
    }

    /** Whether the loop is still running. */
    public boolean isRunning() {
        return stopped.getCount() > 0;
    }

    /** Stops the loop and closes every connection and both endpoints; waits up to 5 s. */
    @Override
    public void close() {
        running = false;
        if (thread == null) {
            frontend.close();
            backend.close();
            closeQuietly(selector);
            return;
        }
        selector.wakeup();
        try {
            if (!stopped.await(5, TimeUnit.SECONDS)) {
                LOG.warn("{}: the forwarding loop did not stop within 5 s", name);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
