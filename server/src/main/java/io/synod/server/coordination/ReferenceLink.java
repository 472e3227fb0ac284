package io.synod.server.coordination;

import io.synod.messaging.InteractionLog;
import io.synod.messaging.ProcessClock;
import io.synod.protocol.Envelope;
import io.synod.protocol.Limits;
import io.synod.protocol.ProtocolException;
import java.util.Set;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * The coordination service's own REQ link to the reference, Lazy Pirate style (the ZeroMQ guide):
 * one request at a time with a deadline; on timeout the socket is closed (linger 0) and recreated,
 * so a dead or restarted reference never wedges the REQ state machine. Non-blocking: {@link #send}
 * when {@link #isIdle()}, then {@link #poll} every loop turn.
 *
 * <p>Requests are stamped and replies merged into the Lamport clock; only the services in
 * {@code loggedServices} are written to the interaction log (the periodic {@code list} would drown
 * it; its effect, a membership change, is logged as an event).
 *
 * <p>Thread-safety: not thread-safe; owned by the coordination thread.
 */
final class ReferenceLink implements AutoCloseable {
    private final ZContext context;
    private final String endpoint;
    private final long timeoutMillis;
    private final ProcessClock clock;
    private final InteractionLog log;
    private final Limits limits;
    private final Set<String> loggedServices;
    private ZMQ.Socket socket;
    private String pendingService;
    private long deadlineNanos;
    private boolean reachable;

    ReferenceLink(
            ZContext context,
            String endpoint,
            long timeoutMillis,
            ProcessClock clock,
            InteractionLog log,
            Limits limits,
            Set<String> loggedServices) {
        this.context = context;
        this.endpoint = endpoint;
        this.timeoutMillis = timeoutMillis;
        this.clock = clock;
        this.log = log;
        this.limits = limits;
        this.loggedServices = Set.copyOf(loggedServices);
    }

    boolean isIdle() {
        return pendingService == null;
    }

    /** Whether the last request was answered. */
    boolean isReachable() {
        return reachable;
    }

    /** Stamps and sends {@code request}; requires {@link #isIdle()}. */
    void send(Envelope request, long nowNanos) {
        if (!isIdle()) {
            throw new IllegalStateException("invariant violated: one reference request at a time");
        }
        if (socket == null) {
            socket = context.createSocket(SocketType.REQ);
            socket.setLinger(0);
            socket.connect(endpoint);
        }
        long lamport = clock.tickForSend();
        double now = clock.nowSeconds();
        Envelope stamped = request.stamped(now, lamport);
        if (loggedServices.contains(request.service())) {
            log.sent(request.service(), "reference", lamport, now, stamped.data());
        }
        if (!socket.send(stamped.encode(), ZMQ.DONTWAIT)) {
            reset();
            return;
        }
        pendingService = request.service();
        deadlineNanos = nowNanos + timeoutMillis * 1_000_000L;
    }

    /** @return the reply if it arrived; null if still waiting, idle, invalid or just timed out */
    Envelope poll(long nowNanos) {
        if (isIdle()) {
            return null;
        }
        byte[] frame = socket.recv(ZMQ.DONTWAIT);
        if (frame == null) {
            if (nowNanos - deadlineNanos >= 0) {
                reset();
            }
            return null;
        }
        pendingService = null;
        reachable = true;
        try {
            Envelope reply = Envelope.decode(frame, limits);
            long lamport = clock.observe(reply.data().get("clock") instanceof Long c ? c : 0);
            if (loggedServices.contains(reply.service())) {
                log.received(reply.service(), "reference", lamport, clock.nowSeconds(), reply.data());
            }
            return reply;
        } catch (ProtocolException e) {
            return null;
        }
    }

    private void reset() {
        reachable = false;
        pendingService = null;
        if (socket != null) {
            socket.close();
            socket = null;
        }
    }

    @Override
    public void close() {
        if (socket != null) {
            socket.close();
            socket = null;
        }
    }
}
