package io.synod.messaging;

/**
 * How long a server loop that runs timer ticks may wait for input: until {@code idleWakeTicks} ticks are due, so that
 * without input it wakes once every few ticks and runs the ticks due since (any input wakes it at once). A wake-up per
 * 10 ms tick was most of an idle server's CPU on the development machine (docs/performance.md). Used by the
 * server's event loop, for its replication and its coordination ticks.
 *
 * <p>Stateless; thread-safe.
 */
public final class IdleWake {
    private IdleWake() {}

    /**
     * The wait, in whole milliseconds rounded up (rounding down polls with 0 during the last millisecond before the
     * wake-up: a busy loop), never negative.
     *
     * @param nextTickNanos when the next tick is due ({@link System#nanoTime()} time)
     * @param tickNanos the tick interval
     * @param idleWakeTicks how many ticks a loop without input sleeps (at least 1: wake at the next tick)
     * @param nowNanos now ({@link System#nanoTime()})
     */
    public static long waitMillis(long nextTickNanos, long tickNanos, int idleWakeTicks, long nowNanos) {
        long wakeNanos = nextTickNanos + (idleWakeTicks - 1) * tickNanos;
        return (Math.max(0, wakeNanos - nowNanos) + 999_999) / 1_000_000;
    }
}
