package io.synod.server;

import io.synod.messaging.InteractionLog;
import io.synod.messaging.ProcessClock;
import io.synod.messaging.ZmqOptions;
import io.synod.protocol.Envelope;
import io.synod.protocol.Limits;
import io.synod.protocol.ProtocolException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * The server's REQ link to the reference, in the ZeroMQ guide's Lazy Pirate style: one request at a
 * time, a reply deadline, and on timeout the socket is closed (linger 0) and recreated, so a dead
 * or restarted reference never wedges the REQ state machine.
 *
 * <p>Non-blocking use from the event loop: {@link #send} when {@link #isIdle()}, then
 * {@link #poll} on every loop turn until it returns a reply or gives up. {@link #call} is the
 * blocking form, used once at startup.
 *
 * <p>Every request is stamped with the process's Lamport clock and time; every reply's clock is
 * merged; both are written to the interaction log.
 *
 * <p>Thread-safety: not thread-safe; owned by the event-loop thread (or the starting thread before
 * the loop starts).
 */
final class ReferenceClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReferenceClient.class);

    private final ZContext context;
    private final String endpoint;
    private final long timeoutMillis;
    private final ProcessClock clock;
    private final InteractionLog log;
    private final Limits limits;
    private ZMQ.Socket socket;
    private String pendingService;
    private long deadlineMillis;
    private boolean reachable = true;

    ReferenceClient(
            ZContext context,
            String endpoint,
            long timeoutMillis,
            ProcessClock clock,
            InteractionLog log,
            Limits limits) {
        this.context = context;
        this.endpoint = endpoint;
        this.timeoutMillis = timeoutMillis;
        this.clock = clock;
        this.log = log;
        this.limits = limits;
    }

    boolean isIdle() {
        return pendingService == null;
    }

    /** Whether the last request got an answer (false after a timeout, until the next answer). */
    boolean isReachable() {
        return reachable;
    }

    /** Sends {@code request} (stamped here); requires {@link #isIdle()}. */
    void send(Envelope request) {
        if (!isIdle()) {
            throw new IllegalStateException("invariant violated: one reference request at a time");
        }
        if (socket == null) {
            socket = context.createSocket(SocketType.REQ);
            socket.setLinger(0);
            ZmqOptions.heartbeats(socket);
            socket.connect(endpoint);
        }
        Envelope stamped = request.stamped(clock.nowSeconds(), clock.tickForSend());
        log.sent(
                stamped.service(), "reference", (Long) stamped.data().get("clock"), clock.nowSeconds(), stamped.data());
        if (!socket.send(stamped.encode(), ZMQ.DONTWAIT)) {
            reset("send failed");
            return;
        }
        pendingService = request.service();
        deadlineMillis = clock.nowMillis() + timeoutMillis;
    }

    /** The reply if it has arrived; null if still waiting, idle, or just timed out. */
    Envelope poll() {
        if (isIdle()) {
            return null;
        }
        byte[] frame = socket.recv(ZMQ.DONTWAIT);
        if (frame == null) {
            if (clock.nowMillis() >= deadlineMillis) {
                reset("no reply to '" + pendingService + "' within " + timeoutMillis + " ms");
            }
            return null;
        }
        pendingService = null;
        try {
            Envelope reply = Envelope.decode(frame, limits);
            Object replyClock = reply.data().get("clock");
            long observed = clock.observe(replyClock instanceof Long l ? l : 0);
            log.received(reply.service(), "reference", observed, clock.nowSeconds(), reply.data());
            if (!reachable) {
                LOG.info("reference {} answers again", endpoint);
            }
            reachable = true;
            return reply;
        } catch (ProtocolException e) {
            LOG.warn("reference {} sent an invalid reply: {}", endpoint, e.getMessage());
            return null;
        }
    }

    /** Sends and waits up to the timeout, retrying {@code attempts} times; null if no answer. */
    Envelope call(Envelope request, int attempts) {
        for (int attempt = 0; attempt < attempts; attempt++) {
            send(request);
            if (isIdle()) {
                continue;
            }
            ZMQ.Socket registered = socket;
            try (ZMQ.Poller poller = context.createPoller(1)) {
                poller.register(registered, ZMQ.Poller.POLLIN);
                while (!isIdle()) {
                    Envelope reply = poll();
                    if (reply != null) {
                        return reply;
                    }
                    if (socket != registered) {
                        break; // a timeout closed and recreated the socket: never poll a closed one
                    }
                    poller.poll(10);
                }
            }
        }
        return null;
    }

    private void reset(String why) {
        if (reachable) {
            LOG.warn("reference {}: {}; recreating the socket and serving on", endpoint, why);
        }
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
