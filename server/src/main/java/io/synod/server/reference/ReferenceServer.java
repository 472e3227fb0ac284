package io.synod.server.reference;

import io.synod.messaging.InteractionLog;
import io.synod.messaging.ProcessClock;
import io.synod.protocol.Envelope;
import io.synod.protocol.Limits;
import io.synod.protocol.ProtocolException;
import io.synod.protocol.Replies;
import io.synod.protocol.Request;
import io.synod.protocol.Requests;
import io.synod.protocol.Services;
import io.synod.registry.RankResult;
import io.synod.registry.RegisteredServer;
import io.synod.registry.RegistryConfig;
import io.synod.registry.ServerRegistry;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;

/**
 * The reference process's server: a REP socket answering {@code rank}, {@code list} and
 * {@code heartbeat} exactly as the statement says (plus the {@code address} extension in list
 * items), with a {@link ServerRegistry}. A new name or address is persisted (atomically, see
 * {@link RegistryFile}) before the reply goes out, so ranks survive restarts. Any other request, or
 * a malformed one, gets an {@code erro} reply and the REP socket stays in step.
 *
 * <p>Threads: one serving thread owns the socket and the registry. Call order: {@link #start},
 * then {@link #close} once from any thread.
 */
public final class ReferenceServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReferenceServer.class);
    /** The serving loop's longest wait, so a stop request is seen promptly. */
    static final long POLL_INTERVAL_MILLIS = 100;
    /** The reply of last resort, when even stamping an error reply failed: an unstamped {@code erro}. */
    private static final byte[] INTERNAL_ERROR_REPLY =
            Replies.error(Services.ERROR, "internal error").encode();

    private final ZContext context = new ZContext();
    private final ZMQ.Socket socket;
    /** Secure mode's ZAP handler, letting in only the server key; null in compat mode. */
    private final CurveAllowList allowList;
    /** Secure mode's server key pair (the reference's own probes connect with it), or null. */
    private final io.synod.messaging.zmtp.CurveCrypto.KeyPair serverKeys;

    private final ServerRegistry registry;
    private final RegistryFile file;
    private final InteractionLog log;
    private final ProcessClock clock;
    private final Limits limits = Limits.DEFAULT;
    private final String endpoint;
    private final int serversKnownAtStart;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong requestsRefused = new AtomicLong();
    private final AtomicLong requestsFailed = new AtomicLong();
    private volatile boolean running = true;
    /** True while a new name or address is known in memory but not yet in the file. */
    private boolean unpersisted;

    private Thread thread;

    private ReferenceServer(
            String bind,
            Path dataDirectory,
            RegistryConfig config,
            io.synod.messaging.zmtp.CurveCrypto.KeyPair serverKeys,
            InteractionLog log,
            ProcessClock clock) {
        this.serverKeys = serverKeys;
        this.file = new RegistryFile(dataDirectory);
        byte[] persisted = file.read();
        this.registry = persisted == null ? new ServerRegistry(config) : ServerRegistry.restore(config, persisted);
        this.serversKnownAtStart = registry.all().size();
        this.log = log;
        this.clock = clock;
        try {
            // secure mode: only the cluster's servers, which connect with the server key pair, may ask for a rank
            this.allowList = serverKeys == null ? null : new CurveAllowList(context, serverKeys.publicKey());
            this.socket = context.createSocket(SocketType.REP);
            socket.setLinger(0);
            if (serverKeys != null) { // secure mode: CURVE, the link encrypted and the server proven to the client
                socket.setZAPDomain(CurveAllowList.ZAP_DOMAIN);
                socket.setCurveServer(true);
                socket.setCurvePublicKey(serverKeys.publicKey());
                socket.setCurveSecretKey(serverKeys.secretKey());
            }
            socket.bind(bind);
        } catch (ZMQException e) {
            context.close();
            throw e;
        }
        this.endpoint = socket.getLastEndpoint();
    }

    /**
     * Loads the persisted ranks, binds and starts serving.
     *
     * @throws ZMQException if {@code bind} cannot be bound
     * @throws java.io.UncheckedIOException if the data directory cannot be read
     * @throws IllegalArgumentException if the persisted file is corrupt
     */
    public static ReferenceServer start(
            String bind, Path dataDirectory, RegistryConfig config, InteractionLog log, ProcessClock clock) {
        return start(bind, dataDirectory, config, null, log, clock);
    }

    /** As {@link #start}, in secure mode when {@code serverKeys} is not null (JeroMQ's CURVE with the server key). */
    public static ReferenceServer start(
            String bind,
            Path dataDirectory,
            RegistryConfig config,
            io.synod.messaging.zmtp.CurveCrypto.KeyPair serverKeys,
            InteractionLog log,
            ProcessClock clock) {
        ReferenceServer server = new ReferenceServer(bind, dataDirectory, config, serverKeys, log, clock);
        LOG.info("reference: {} servers known from {}", server.serversKnownAtStart, dataDirectory);
        server.thread = new Thread(server::loop, "reference-loop");
        server.thread.start();
        return server;
    }

    /**
     * Makes {@code client} a CURVE client with the server key pair in secure mode (the only key the reference lets
     * in), so that the reference's own health probe is served; nothing in compat mode.
     */
    void secureProbe(ZMQ.Socket client) {
        if (serverKeys != null) {
            client.setCurveServerKey(serverKeys.publicKey());
            client.setCurvePublicKey(serverKeys.publicKey());
            client.setCurveSecretKey(serverKeys.secretKey());
        }
    }

    /** The bound endpoint with the real port. */
    public String endpoint() {
        return endpoint;
    }

    public void awaitTermination() throws InterruptedException {
        stopped.await();
    }

    private void loop() {
        try (ZMQ.Poller poller = context.createPoller(2)) {
            poller.register(socket, ZMQ.Poller.POLLIN);
            if (allowList != null) {
                poller.register(allowList.socket(), ZMQ.Poller.POLLIN);
            }
            while (running) {
                int ready = poller.poll(POLL_INTERVAL_MILLIS);
                if (allowList != null) {
                    allowList.answerPending();
                }
                if (ready > 0 && poller.pollin(0)) {
                    byte[] frame = socket.recv(ZMQ.DONTWAIT);
                    if (frame == null) {
                        continue;
                    }
                    while (socket.hasReceiveMore()) {
                        socket.recv(0);
                    }
                    // A REP socket that received must send before it can receive again: whatever the
                    // request did, exactly one reply goes out here, or the reference stops serving.
                    socket.send(reply(frame), 0);
                }
            }
        } catch (ZMQException e) {
            if (running) {
                LOG.error("reference: serving stopped on a ZeroMQ error", e);
            }
        } finally {
            socket.close();
            if (allowList != null) {
                allowList.close();
            }
            stopped.countDown();
        }
    }

    /** The encoded reply to {@code frame}; never throws, so the REP socket always gets its send. */
    private byte[] reply(byte[] frame) {
        try {
            return answer(frame).encode();
        } catch (RuntimeException e) {
            long failed = requestsFailed.incrementAndGet();
            LOG.error("reference: failed to answer a request ({} so far)", failed, e);
            try {
                long lamport = clock.lamport().current();
                double now = clock.nowSeconds();
                log.event("request-failed", lamport, now, Map.of("error", String.valueOf(e), "failed", failed));
                return Replies.error(Services.ERROR, "internal error: " + e.getMessage())
                        .stamped(now, lamport)
                        .encode();
            } catch (RuntimeException again) {
                return INTERNAL_ERROR_REPLY.clone();
            }
        }
    }

    private Envelope answer(byte[] frame) {
        Envelope reply;
        try {
            Envelope request = Envelope.decode(frame, limits);
            Object sentClock = request.data().get("clock");
            long observed = clock.observe(sentClock instanceof Long l ? l : 0);
            String peer = request.data().get("user") instanceof String user ? user : "server";
            log.received(request.service(), peer, observed, clock.nowSeconds(), request.data());
            reply = handle(request);
        } catch (ProtocolException e) {
            requestsRefused.incrementAndGet();
            clock.observe(0);
            reply = Replies.error(Services.ERROR, e.getMessage());
        }
        double now = clock.nowSeconds();
        Envelope stamped = reply.stamped(now, clock.tickForSend());
        log.sent(stamped.service(), "server", (Long) stamped.data().get("clock"), now, stamped.data());
        return stamped;
    }

    private Envelope handle(Envelope envelope) {
        Request request;
        try {
            request = Requests.parse(envelope, limits);
        } catch (ProtocolException e) {
            requestsRefused.incrementAndGet();
            return Replies.error(envelope.service(), e.getMessage());
        }
        long nowMillis = clock.nowMillis();
        return switch (request) {
            case Request.Rank r -> ranked(r.service(), registry.rank(r.user(), r.address(), nowMillis), true);
            case Request.Heartbeat h ->
                ranked(h.service(), registry.heartbeat(h.user(), h.address(), nowMillis), false);
            case Request.ListServers l ->
                Replies.list(registry.list(nowMillis).stream()
                        .map(ReferenceServer::entry)
                        .toList());
            default -> {
                requestsRefused.incrementAndGet();
                yield Replies.error(envelope.service(), "the reference serves only rank, list and heartbeat");
            }
        };
    }

    private Envelope ranked(String service, RankResult result, boolean rankReply) {
        return switch (result) {
            case RankResult.Refused refused -> Replies.error(service, refused.reason());
            case RankResult.Ranked ranked -> {
                unpersisted |= ranked.persistentStateChanged();
                if (unpersisted && !persist()) {
                    yield Replies.error(service, "the reference cannot persist ranks now; retry");
                }
                if (ranked.persistentStateChanged()) {
                    log.event(
                            "registered", clock.lamport().current(), clock.nowSeconds(), Map.of("rank", ranked.rank()));
                }
                yield rankReply ? Replies.rank(ranked.rank()) : Replies.heartbeat();
            }
        };
    }

    /** Writes the registry file; false (and {@link #unpersisted} stays set) if the disk refuses. */
    private boolean persist() {
        try {
            file.write(registry.exportState());
            unpersisted = false;
            return true;
        } catch (UncheckedIOException e) {
            LOG.error("reference: cannot persist the ranks: {}", e.getMessage());
            return false;
        }
    }

    private static Replies.ServerEntry entry(RegisteredServer server) {
        return new Replies.ServerEntry(server.name(), server.rank(), server.address());
    }

    /** Requests answered {@code erro} because they were malformed or broke a rule of the protocol. */
    public long requestsRefused() {
        return requestsRefused.get();
    }

    /** Requests whose handling failed unexpectedly; each was answered {@code erro} and logged. */
    public long requestsFailed() {
        return requestsFailed.get();
    }

    /** How many servers the persisted file held at startup. */
    public int serversKnownAtStart() {
        return serversKnownAtStart;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        running = false;
        try {
            if (thread != null && !stopped.await(5, TimeUnit.SECONDS)) {
                LOG.warn("reference: the serving loop did not stop within 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        context.close();
    }
}
