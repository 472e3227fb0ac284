package io.synod.server;

import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * Holds rate-limit refusals for {@link #HOLD_MILLIS} before they are sent. A client over its limit that keeps its
 * requests in flight (a closed loop) sends its next request as soon as a refusal arrives: refused at once, it cycles as
 * fast as the broker, a server loop and its own process can go, and that CPU is taken from every other user on the
 * same cores. Held, its requests in flight wait here, the broker keeps its further requests in its own queue
 * ({@code ForwarderConfig.clientInFlightMax}), and past that queue its socket is read no more: the flood slows down
 * at its source. A refusal's content is the same; only its time changes, and the client was over its limit anyway.
 *
 * <p>Memory: at most {@link #HELD_MAX}; a refusal beyond it is sent at once ({@link #hold} says false).
 *
 * <p>Thread-safety: not thread-safe; owned by the event loop.
 *
 * @param <T> a refusal and where it goes
 */
final class RefusalHold<T> {
    /**
     * How long a refusal is held. With the broker's 16 requests in flight per connection, a flooding connection gets at
     * most 16 / 50 ms = 320 refusals a second back (it got thousands); a client that sleeps for {@code
     * retry_after_ms} (a few ms at the default limits) before retrying waits this at most once per refusal.
     */
    static final long HOLD_MILLIS = 50;
    /** Refusals held at once; beyond, they are sent at once. */
    static final int HELD_MAX = 65_536;

    private record Held<T>(T refusal, long dueNanos) {}

    private final ArrayDeque<Held<T>> held = new ArrayDeque<>();

    /** Holds {@code refusal} until {@link #HOLD_MILLIS} after {@code nowNanos}; false if full (send it now). */
    boolean hold(T refusal, long nowNanos) {
        if (held.size() >= HELD_MAX) {
            return false;
        }
        held.addLast(new Held<>(refusal, nowNanos + HOLD_MILLIS * 1_000_000L));
        return true;
    }

    /** Sends ({@code send}) the refusals due at {@code nowNanos}, oldest first. */
    void releaseDue(long nowNanos, Consumer<T> send) {
        while (!held.isEmpty() && nowNanos - held.peekFirst().dueNanos() >= 0) {
            send.accept(held.pollFirst().refusal());
        }
    }

    /** Nanoseconds until the next refusal is due (0 if one is), {@link Long#MAX_VALUE} with none held. */
    long nanosUntilDue(long nowNanos) {
        return held.isEmpty() ? Long.MAX_VALUE : Math.max(0, held.peekFirst().dueNanos() - nowNanos);
    }

    /** Refusals held now. */
    int size() {
        return held.size();
    }
}
