package io.synod.messaging;

import io.synod.clock.LamportClock;
import io.synod.clock.PhysicalTimeSource;
import io.synod.clock.SoftwareClock;
import io.synod.clock.SoftwareClockConfig;
import java.util.Objects;

/**
 * The two clocks of one process (statement part 4): its Lamport clock, and its physical clock as
 * the rest of the system sees it. Physical time is a {@link SoftwareClock}: the underlying time
 * (a {@link PhysicalTimeSource}), plus the injected skew (tests and demos), plus the offset that
 * clock synchronisation (Berkeley rounds, the {@code clock} service) maintains by slewing.
 * Timestamps on the wire are always read here.
 *
 * <p>Reads never go backwards (the software clock guarantees it, see ADR 0003).
 *
 * <p>Thread-safe: every thread may stamp (a client's threads share one); the readings of the
 * software clock, which is not thread-safe itself, are serialised here. Only a server's event
 * loop adjusts it, through {@link #softwareClock()} (its coordination's clock core), and there
 * the loop is also its only reader: the admin threads read the coordination's snapshot.
 */
public final class ProcessClock {
    private final LamportClock lamport = new LamportClock();
    private final PhysicalTimeSource source;
    private final SoftwareClock softwareClock;

    /**
     * A clock on the system time source with the default software-clock limits.
     *
     * @param skewMillis the injected skew, at most {@link SoftwareClockConfig#skewMaxMillis()} (±1 s)
     * @throws IllegalArgumentException if the skew is out of range
     */
    public ProcessClock(long skewMillis) {
        this(SystemTimeSource.anchoredNow(), SoftwareClockConfig.defaults(), skewMillis);
    }

    /**
     * A clock on any time source (tests use a manual one).
     *
     * @param source the underlying physical clock
     * @param config the software clock's limits
     * @param skewMillis the injected skew
     * @throws IllegalArgumentException if the skew is out of range
     */
    public ProcessClock(PhysicalTimeSource source, SoftwareClockConfig config, long skewMillis) {
        this.source = Objects.requireNonNull(source, "source");
        this.softwareClock = new SoftwareClock(config, skewMillis, source.underlyingMillis());
    }

    /** A clock without skew on the system time source. */
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
        return lamport.observe(receivedClock);
    }

    /** The underlying reading plus the skew, before synchronisation (not monotonic across steps). */
    public long rawMillis() {
        return source.underlyingMillis() + softwareClock.skewMillis();
    }

    /** The synchronised physical time in epoch milliseconds; never decreases. */
    public synchronized long nowMillis() {
        return softwareClock.readMillis(source.underlyingMillis());
    }

    /** The synchronised physical time as float epoch seconds, the wire's timestamp format. */
    public double nowSeconds() {
        return nowMillis() / 1000.0;
    }

    /** The injected skew. */
    public long skewMillis() {
        return softwareClock.skewMillis();
    }

    /** The correction clock synchronisation has applied so far (excluding skew and pending). */
    public synchronized long offsetMillis() {
        return softwareClock.offsetMillis();
    }

    /** The correction still being slewed in. */
    public synchronized long pendingAdjustmentMillis() {
        return softwareClock.pendingAdjustmentMillis();
    }

    /** The software clock, for the coordination service (Berkeley and {@code clock} corrections). */
    public SoftwareClock softwareClock() {
        return softwareClock;
    }

    /** The underlying physical clock every reading of this process passes to the software clock. */
    public PhysicalTimeSource timeSource() {
        return source;
    }

    /**
     * The process's underlying clock: {@link System#nanoTime()} anchored once to the epoch
     * ({@link System#currentTimeMillis()} at creation). It is monotonic, so a wall-clock step of
     * the machine does not move Synod's time; the synchronisation algorithms correct the drift.
     *
     * <p>Thread-safe (immutable).
     *
     * @param anchorEpochMillis the epoch reading at the anchor
     * @param anchorNanos {@link System#nanoTime()} at the anchor
     */
    public record SystemTimeSource(long anchorEpochMillis, long anchorNanos) implements PhysicalTimeSource {
        /** Anchors a source to the current wall clock. */
        public static SystemTimeSource anchoredNow() {
            return new SystemTimeSource(System.currentTimeMillis(), System.nanoTime());
        }

        @Override
        public long underlyingMillis() {
            return anchorEpochMillis + (System.nanoTime() - anchorNanos) / 1_000_000L;
        }
    }
}
