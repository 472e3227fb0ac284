package io.synod.messaging;

import io.synod.clock.LamportClock;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The two clocks of one process (statement part 4): its Lamport clock, and its physical clock as
 * the rest of the system sees it. Physical time = system time + injected skew (tests and demos)
 * + the offset that clock synchronisation maintains. Timestamps on the wire are always read here.
 *
 * <p>Reads never go backwards: a reading below the last one returns the last one.
 *
 * <p>Thread-safe.
 */
public final class ProcessClock {
    private final LamportClock lamport = new LamportClock();
    private final long skewMillis;
    private final AtomicLong offsetMillis = new AtomicLong();
    private final AtomicLong lastReadingMillis = new AtomicLong(Long.MIN_VALUE);

    public ProcessClock(long skewMillis) {
        this.skewMillis = skewMillis;
    }

    public static ProcessClock system() {
        return new ProcessClock(0);
    }

    public LamportClock lamport() {
        return lamport;
    }

    /** Lamport rule for a send: increment and return the value to stamp. */
    public long tickForSend() {
        return lamport.tick();
    }

    /** Lamport rule for a receipt: {@code max(local, received) + 1}. */
    public long observe(long receivedClock) {
        return lamport.observe(Math.max(0, receivedClock));
    }

    /** The underlying reading, skew included, before synchronisation. */
    public long rawMillis() {
        return System.currentTimeMillis() + skewMillis;
    }

    /** The synchronised physical time in epoch milliseconds; never decreases. */
    public long nowMillis() {
        long reading = rawMillis() + offsetMillis.get();
        return lastReadingMillis.accumulateAndGet(reading, Math::max);
    }

    /** The synchronised physical time as float epoch seconds, the wire's timestamp format. */
    public double nowSeconds() {
        return nowMillis() / 1000.0;
    }

    public long skewMillis() {
        return skewMillis;
    }

    public long offsetMillis() {
        return offsetMillis.get();
    }

    /** Sets the synchronisation offset (clock sync owns the slewing; reads stay monotonic). */
    public void setOffsetMillis(long offset) {
        offsetMillis.set(offset);
    }
}
