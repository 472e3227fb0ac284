package io.synod.messaging;

import io.synod.messaging.zmtp.ZmtpConnection;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * One client connection of the broker ({@link Forwarder}): its routing id, how many of its requests are at the
 * servers unanswered, and those waiting here for their turn. A client at {@link ForwarderConfig#clientInFlightMax}
 * queues behind itself; past {@link #WAITING_MAX} waiting requests its connection is read no more (back-pressure
 * into its own socket), until half of them went.
 *
 * <p>Thread-safety: owned by the forwarder's loop.
 */
final class BrokerClient {
    /** Requests of one client waiting at the broker before its connection is read no more (one read may add more). */
    static final int WAITING_MAX = 1_024;
    /**
     * How long a client's requests in flight may go unanswered before the broker stops counting them: a server that
     * died with them never answers, and the client must not wait behind them for ever.
     */
    static final long IN_FLIGHT_EXPIRY_MILLIS = 10_000;

    final RoutingId id;
    final ZmtpConnection connection;
    private final ArrayDeque<List<byte[]>> waiting = new ArrayDeque<>();
    private int inFlight;
    /** When a request of it last went to a server or a reply came back. */
    private long lastProgressNanos;

    private boolean readPaused;

    BrokerClient(RoutingId id, ZmtpConnection connection) {
        this.id = id;
        this.connection = connection;
    }

    /** Whether its connection is paused for its own waiting requests. */
    boolean readPaused() {
        return readPaused;
    }

    /** Queues {@code routed} if the client is at its limit or has requests waiting already; false: send it now. */
    boolean waits(List<byte[]> routed, int inFlightMax) {
        if (inFlight < inFlightMax && waiting.isEmpty()) {
            return false;
        }
        waiting.addLast(routed);
        if (waiting.size() >= WAITING_MAX && !readPaused) {
            readPaused = true;
            connection.pauseReading(true);
        }
        return true;
    }

    /** One of its requests went towards a server. */
    void sent(long nowNanos) {
        inFlight++;
        lastProgressNanos = nowNanos;
    }

    /** A reply to it came back. */
    void answered(long nowNanos) {
        inFlight = Math.max(0, inFlight - 1);
        lastProgressNanos = nowNanos;
    }

    /**
     * Sends ({@code dispatch}) its waiting requests while it is under {@code inFlightMax}, and reads its connection
     * again once few wait (unless the whole side is paused: {@code sidePaused}).
     */
    void release(int inFlightMax, boolean sidePaused, BiConsumer<BrokerClient, List<byte[]>> dispatch) {
        while (inFlight < inFlightMax && !waiting.isEmpty()) {
            dispatch.accept(this, waiting.pollFirst());
        }
        if (readPaused && waiting.size() < WAITING_MAX / 2) {
            readPaused = false;
            if (!sidePaused) {
                connection.pauseReading(false);
            }
        }
    }

    /** Stops counting requests unanswered for {@link #IN_FLIGHT_EXPIRY_MILLIS}; true if it did. */
    boolean expire(long nowNanos) {
        if (inFlight == 0 || nowNanos - lastProgressNanos <= TimeUnit.MILLISECONDS.toNanos(IN_FLIGHT_EXPIRY_MILLIS)) {
            return false;
        }
        inFlight = 0;
        lastProgressNanos = nowNanos;
        return true;
    }

    /** A client's routing id: the identity it gave, or 5 bytes made up here (a zero byte, then a counter). */
    record RoutingId(byte[] bytes, int hash) {
        RoutingId(byte[] bytes) {
            this(bytes, Arrays.hashCode(bytes));
        }

        static RoutingId generated(int counter) {
            return new RoutingId(new byte[] {
                0, (byte) (counter >>> 24), (byte) (counter >>> 16), (byte) (counter >>> 8), (byte) counter
            });
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof RoutingId id && Arrays.equals(bytes, id.bytes);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
