package io.synod.server.coordination;

import io.synod.messaging.InteractionLog;
import io.synod.messaging.ProcessClock;
import io.synod.messaging.ZmqOptions;
import io.synod.messaging.zmtp.SelectorParty;
import io.synod.messaging.zmtp.ZmtpClient;
import io.synod.messaging.zmtp.ZmtpCodec;
import io.synod.messaging.zmtp.ZmtpConnection;
import io.synod.protocol.Envelope;
import io.synod.protocol.Limits;
import io.synod.protocol.ProtocolException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's one link to the reference: a ZeroMQ REQ ({@link ZmtpClient}) spoken on the event loop's selector,
 * in the ZeroMQ guide's Lazy Pirate style: one request at a time with a reply deadline; on timeout the connection
 * is dropped and a new one opened for the next request, so a dead or restarted reference never wedges the REQ
 * state machine. Non-blocking: {@link #send} when {@link #isIdle()}, then {@link #poll} every turn. {@link
 * #call} is the blocking form, used once at startup on a selector of its own.
 *
 * <p>Every request is stamped with the process's Lamport clock and time and every reply's clock is merged; both
 * are written to the interaction log unless the request was sent unlogged (the coordination's periodic {@code
 * heartbeat} and {@code list} would drown it; their effects are logged as events).
 *
 * <p>Thread-safety: not thread-safe; owned by the event-loop thread (or the starting thread for {@link #call}).
 */
public final class ReferenceClient implements SelectorParty, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReferenceClient.class);
    /** Largest reply frame read; the protocol's decoder refuses what its own limits do not allow. */
    private static final int REPLY_FRAME_BYTES_MAX = 16 << 20;
    /** Messages queued towards the reference: one request at a time, and room for the handshake. */
    private static final int QUEUE_MESSAGES_MAX = 16;
    /** How long {@link #call} waits for the socket at a time while it waits for the reply. */
    private static final long CALL_WAIT_SLICE_MILLIS = 10;

    private static final ZmtpClient.Config LINK = new ZmtpClient.Config(
            100,
            ZmqOptions.HEARTBEAT_INTERVAL_MILLIS,
            ZmqOptions.HEARTBEAT_TIMEOUT_MILLIS,
            QUEUE_MESSAGES_MAX,
            new ZmtpConnection.Limits(
                    REPLY_FRAME_BYTES_MAX,
                    4,
                    REPLY_FRAME_BYTES_MAX,
                    QUEUE_MESSAGES_MAX,
                    4L * REPLY_FRAME_BYTES_MAX,
                    64 << 10));

    private final String endpoint;
    private final Selector selector;
    private final long timeoutMillis;
    private final ProcessClock clock;
    private final InteractionLog log;
    private final Limits limits;
    private ZmtpClient socket;
    private String pendingService;
    private boolean pendingLogged;
    private long deadlineNanos;
    private boolean reachable = true;

    /** The mechanism of the link (secure mode: CURVE with the server key). */
    private io.synod.messaging.zmtp.ZmtpSecurity security = io.synod.messaging.zmtp.ZmtpSecurity.NULL;

    /**
     * A link that connects on its first request.
     *
     * @param selector the owner's selector; the owner's wait must serve the keys it registers (their attachment
     *     is a {@link SelectorParty}) and should watch this client
     */
    public ReferenceClient(
            String endpoint,
            Selector selector,
            long timeoutMillis,
            ProcessClock clock,
            InteractionLog log,
            Limits limits) {
        this.endpoint = endpoint;
        this.selector = selector;
        this.timeoutMillis = timeoutMillis;
        this.clock = clock;
        this.log = log;
        this.limits = limits;
    }

    /** The mechanism of the link: NULL, or CURVE with the server key (secure mode); before the first request. */
    public void secure(io.synod.messaging.zmtp.ZmtpSecurity security) {
        this.security = security;
    }

    /** What {@link #isReachable} says until the next answer or timeout: the outcome of the startup {@link #call}. */
    public void assumeReachable(boolean answered) {
        reachable = answered;
    }

    public boolean isIdle() {
        return pendingService == null;
    }

    /** Whether the last request got an answer (false after a timeout, until the next answer). */
    public boolean isReachable() {
        return reachable;
    }

    /** Stamps and sends {@code request}; requires {@link #isIdle()}. {@code logged}: written to the interaction log. */
    public void send(Envelope request, boolean logged, long nowNanos) {
        if (!isIdle()) {
            throw new IllegalStateException("invariant violated: one reference request at a time");
        }
        if (socket == null) {
            socket = new ZmtpClient(ZmtpCodec.SocketType.REQ, endpoint, selector, LINK, nowNanos).secure(security);
        }
        long lamport = clock.tickForSend();
        double now = clock.nowSeconds();
        Envelope stamped = request.stamped(now, lamport);
        if (logged) {
            log.sent(request.service(), "reference", lamport, now, stamped.data());
        }
        if (!socket.send(List.of(stamped.encode()))) {
            reset("send failed");
            return;
        }
        socket.flush();
        pendingService = request.service();
        pendingLogged = logged;
        deadlineNanos = nowNanos + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    }

    /** The reply if it has arrived; null if still waiting, idle, invalid, or just timed out. Call every turn. */
    public Envelope poll(long nowNanos) {
        if (socket != null) {
            socket.tick(nowNanos);
        }
        if (isIdle()) {
            return null;
        }
        List<byte[]> frames = socket.receive();
        if (frames == null) {
            if (nowNanos - deadlineNanos >= 0) {
                reset("no reply to '" + pendingService + "' within " + timeoutMillis + " ms");
            }
            return null;
        }
        pendingService = null;
        if (!reachable) {
            LOG.info("reference {} answers again", endpoint);
        }
        reachable = true;
        if (frames.size() != 1) {
            LOG.warn("reference {} sent a reply of {} frames, not one", endpoint, frames.size());
            return null;
        }
        try {
            Envelope reply = Envelope.decode(frames.get(0), limits);
            long lamport = clock.observe(reply.data().get("clock") instanceof Long c ? c : 0);
            if (pendingLogged) {
                log.received(reply.service(), "reference", lamport, clock.nowSeconds(), reply.data());
            }
            return reply;
        } catch (ProtocolException e) {
            LOG.warn("reference {} sent an invalid reply: {}", endpoint, e.getMessage());
            return null;
        }
    }

    /** Nanoseconds until {@link #poll} has work without input: the reply deadline, a reconnection or a PING. */
    public long nanosUntilDue(long nowNanos) {
        long until = socket == null ? Long.MAX_VALUE : socket.nanosUntilTick(nowNanos);
        return isIdle() ? until : Math.min(until, Math.max(0, deadlineNanos - nowNanos));
    }

    @Override
    public boolean hasReceived() {
        return socket != null && socket.hasReceived();
    }

    /** Never selected: the keys of this link carry its {@link ZmtpClient}. */
    @Override
    public void handle(SelectionKey key, long nowNanos) {
        // nothing registers with this object as attachment
    }

    /**
     * Sends {@code request} and waits for its reply, up to the timeout per attempt, on a selector and connection
     * of its own (the event loop does not run yet); logged.
     *
     * @return the reply, or null if none of the {@code attempts} was answered
     */
    public static Envelope call(
            String endpoint,
            long timeoutMillis,
            ProcessClock clock,
            InteractionLog log,
            Limits limits,
            Envelope request,
            int attempts) {
        try (Selector own = Selector.open()) {
            ReferenceClient client = new ReferenceClient(endpoint, own, timeoutMillis, clock, log, limits);
            try {
                for (int attempt = 0; attempt < attempts; attempt++) {
                    client.send(request, true, System.nanoTime());
                    while (!client.isIdle()) {
                        long now = ZmtpClient.awaitAndServe(own, CALL_WAIT_SLICE_MILLIS);
                        Envelope reply = client.poll(now);
                        if (reply != null) {
                            return reply;
                        }
                    }
                }
                return null;
            } finally {
                client.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reference call: cannot open a selector", e);
        }
    }

    private void reset(String why) {
        if (reachable) {
            LOG.warn("reference {}: {}; reconnecting and serving on", endpoint, why);
        }
        reachable = false;
        pendingService = null;
        close();
    }

    /** Closes the connection; the next request opens a new one. */
    @Override
    public void close() {
        if (socket != null) {
            socket.close();
            socket = null;
        }
    }
}
