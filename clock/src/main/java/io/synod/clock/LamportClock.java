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
 * <p>Received stamps come from anyone (the course protocol authenticates nobody), so
 * {@link #observe(long)} never throws and never lets one message push the clock to where it could
 * overflow:
 *
 * <ul>
 *   <li>a stamp outside {@code [0, }{@link #STAMP_MAX}{@code ]} is not merged: the receipt counts
 *       as a local event, and {@link #stampsOutOfRange()} counts it (no conforming process sends
 *       one; the wire protocol refuses requests that carry one);
 *   <li>a stamp above {@link #MERGE_CEILING} is merged as the ceiling, and counted too. So a
 *       hostile stamp can lift every clock to at most the ceiling, and from there the clock still
 *       has 2^52 local events before it would leave what the wire accepts: more than a century at
 *       a million events a second.
 * </ul>
 *
 * <p>The price, only after such a push: among processes whose clocks are above the ceiling, a
 * receive no longer lands above the send. Below it, Lamport's clock condition holds exactly.
 *
 * <p>Thread-safety: this class is <b>thread-safe</b>, unlike the other cores of this package.
 * Client and server adapters share one instance between their socket threads, so the value lives
 * in an {@link AtomicLong} and every operation is a single atomic update; values returned by
 * {@link #tick()} are unique per instance and strictly increasing in the order the updates take
 * effect. The clock never decreases.
 */
public final class LamportClock {

    /**
     * The largest stamp a message may carry: 2^53 - 1, the largest integer a double (JavaScript's
     * numbers, float-based clients) holds exactly. The wire protocol refuses requests above it.
     */
    public static final long STAMP_MAX = (1L << 53) - 1;

    /** Received stamps above this (2^52) are merged as this value; see the class doc. */
    public static final long MERGE_CEILING = 1L << 52;

    private final AtomicLong clock;
    private final AtomicLong stampsOutOfRange = new AtomicLong();

    /** Creates a clock at zero. */
    public LamportClock() {
        this(0L);
    }

    /**
     * Creates a clock at the given value (for example restored after a restart).
     *
     * @param initialClock the starting value, from zero to {@link #STAMP_MAX}
     * @throws IllegalArgumentException if {@code initialClock} is out of that range
     */
    public LamportClock(long initialClock) {
        if (initialClock < 0 || initialClock > STAMP_MAX) {
            throw new IllegalArgumentException("initialClock must be in [0, " + STAMP_MAX + "], was " + initialClock);
        }
        this.clock = new AtomicLong(initialClock);
    }

    /** True if {@code stamp} is one a message may carry: from 0 to {@link #STAMP_MAX}. */
    public static boolean isValidStamp(long stamp) {
        return stamp >= 0 && stamp <= STAMP_MAX;
    }

    /**
     * Advances the clock for a local or send event.
     *
     * @return the new value, to stamp on the outgoing message
     * @throws ArithmeticException if the clock would overflow, which {@link #observe(long)}'s
     *     ceiling makes unreachable (a programmer error: nothing received can cause it)
     */
    public long tick() {
        return clock.updateAndGet(LamportClock::incrementExact);
    }

    /**
     * Merges a received stamp: the clock becomes {@code max(local, min(received, MERGE_CEILING)) + 1}.
     * A stamp outside {@code [0, STAMP_MAX]} is not merged (the receipt is a local event). Never
     * throws on any input.
     *
     * @param receivedStamp the clock carried by the received message, any value
     * @return the new value, greater than the old local value (and than {@code receivedStamp}, when
     *     that is at most the ceiling)
     */
    public long observe(long receivedStamp) {
        long merged;
        if (receivedStamp < 0 || receivedStamp > STAMP_MAX) {
            stampsOutOfRange.incrementAndGet();
            merged = 0;
        } else if (receivedStamp > MERGE_CEILING) {
            stampsOutOfRange.incrementAndGet();
            merged = MERGE_CEILING;
        } else {
            merged = receivedStamp;
        }
        return clock.updateAndGet(local -> incrementExact(Math.max(local, merged)));
    }

    /**
     * Reads the clock without advancing it.
     *
     * @return the current value
     */
    public long current() {
        return clock.get();
    }

    /** How many received stamps were negative, above {@link #STAMP_MAX} or above {@link #MERGE_CEILING}. */
    public long stampsOutOfRange() {
        return stampsOutOfRange.get();
    }

    private static long incrementExact(long value) {
        return Math.addExact(value, 1L);
    }

    @Override
    public String toString() {
        return "LamportClock[" + clock.get() + "]";
    }
}
