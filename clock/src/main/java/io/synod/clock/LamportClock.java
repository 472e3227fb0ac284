package io.synod.clock;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A Lamport logical clock (Lamport 1978, "Time, Clocks, and the Ordering of Events in a
 * Distributed System", rules IR1 and IR2).
 *
 * <p>Call order: {@link #tick()} immediately before sending a message and stamp the message with
 * the returned value; {@link #observe(long)} on receiving a message, passing the message's stamp;
 * {@link #current()} to read without changing anything (for logs and {@code /status}).
 *
 * <p>Thread-safety: this class is <b>thread-safe</b>, unlike the other cores of this package.
 * Client and server adapters share one instance between their socket threads, so the value lives
 * in an {@link AtomicLong} and every operation is a single atomic update; values returned by
 * {@link #tick()} are unique per instance and strictly increasing in the order the updates take
 * effect. The clock never decreases.
 */
public final class LamportClock {

    private final AtomicLong clock;

    /** Creates a clock at zero. */
    public LamportClock() {
        this(0L);
    }

    /**
     * Creates a clock at the given value (for example restored after a restart).
     *
     * @param initialClock the starting value, at least zero
     * @throws IllegalArgumentException if {@code initialClock} is negative
     */
    public LamportClock(long initialClock) {
        if (initialClock < 0) {
            throw new IllegalArgumentException("initialClock must be >= 0, was " + initialClock);
        }
        this.clock = new AtomicLong(initialClock);
    }

    /**
     * Advances the clock for a local or send event.
     *
     * @return the new value, to stamp on the outgoing message
     * @throws ArithmeticException if the clock would overflow
     */
    public long tick() {
        return clock.updateAndGet(LamportClock::incrementExact);
    }

    /**
     * Merges a received timestamp: the clock becomes {@code max(local, received) + 1}.
     *
     * @param receivedClock the clock carried by the received message, at least zero
     * @return the new value, which is greater than both the old local value and {@code receivedClock}
     * @throws IllegalArgumentException if {@code receivedClock} is negative
     * @throws ArithmeticException if the clock would overflow
     */
    public long observe(long receivedClock) {
        if (receivedClock < 0) {
            throw new IllegalArgumentException("receivedClock must be >= 0, was " + receivedClock);
        }
        return clock.updateAndGet(local -> incrementExact(Math.max(local, receivedClock)));
    }

    /**
     * Reads the clock without advancing it.
     *
     * @return the current value
     */
    public long current() {
        return clock.get();
    }

    private static long incrementExact(long value) {
        return Math.addExact(value, 1L);
    }

    @Override
    public String toString() {
        return "LamportClock[" + clock.get() + "]";
    }
}
