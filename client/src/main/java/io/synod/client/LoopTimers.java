package io.synod.client;

import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client loop's delayed actions (gap retries, the first nudge), in due
 * order and, for one due time, in the order scheduled. A timer that throws is logged; the others run on.
 *
 * <p>Not thread-safe: owned by the client's I/O thread.
 */
final class LoopTimers {
    private static final Logger LOG = LoggerFactory.getLogger(LoopTimers.class);

    private record Timer(long dueNanos, long order, Runnable action) implements Comparable<Timer> {
        @Override
        public int compareTo(Timer other) {
            int byDue = Long.compare(dueNanos, other.dueNanos);
            return byDue != 0 ? byDue : Long.compare(order, other.order);
        }
    }

    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    private long order;

    /** Runs {@code action} after {@code delayMillis}, from {@link #runDue}. */
    void schedule(long delayMillis, Runnable action) {
        timers.add(new Timer(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMillis), order++, action));
    }

    /** When the next timer is due, or {@link Long#MAX_VALUE} with none. */
    long nextDueNanos() {
        return timers.isEmpty() ? Long.MAX_VALUE : timers.peek().dueNanos();
    }

    /** Runs every timer due at {@code nowNanos}. */
    void runDue(long nowNanos) {
        while (!timers.isEmpty() && timers.peek().dueNanos() - nowNanos <= 0) {
            try {
                timers.poll().action().run();
            } catch (RuntimeException e) {
                LOG.error("a client timer failed", e);
            }
        }
    }
}
