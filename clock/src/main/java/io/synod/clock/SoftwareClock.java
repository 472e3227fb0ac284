package io.synod.clock;

/**
 * The synchronised physical clock of one process: {@code underlying + skew + offset}.
 *
 * <ul>
 *   <li>{@code underlying} is the process's physical clock ({@link PhysicalTimeSource}), passed in
 *       as an argument on every call; this class never reads a clock itself.
 *   <li>{@code skew} is the injected error ({@code --clock-skew-ms}, at most ±1 s by default). It is
 *       added <em>beneath</em> the offset, so the synchronisation algorithms see it as real error and
 *       must correct it.
 *   <li>{@code offset} is what Berkeley rounds and Cristian ({@code clock} service) corrections
 *       change. A correction is first added to a <em>pending</em> amount and then moved into the
 *       offset by <b>slewing</b>: for every elapsed underlying millisecond at most
 *       {@code slewRateMaxPermille / 1000} ms of correction is applied, so while slewing the clock
 *       runs at most 10% (by default) fast or slow and <b>never backwards</b>. A positive pending
 *       correction above {@code stepForwardThresholdMillis} is applied at once (a forward step):
 *       a clock far behind would otherwise need 10x its error to catch up, and jumping forward
 *       cannot break monotonicity. Negative corrections are always slewed.
 * </ul>
 *
 * <p>Two readings exist. {@link #readMillis} is the displayed clock, the one stamped on messages;
 * it is monotonic non-decreasing (an always-on check throws otherwise). {@link #readTargetMillis}
 * is the displayed clock plus the pending correction: where the clock is heading. It advances at
 * exactly the underlying rate between adjustments, so the synchronisation protocols measure and
 * exchange target readings, and {@link #adjust} is additive on the target.
 *
 * <p>An underlying reading that goes backwards is tolerated: the clock uses the highest reading
 * seen so far and holds its value until the underlying clock catches up.
 *
 * <p>Slewing is exact integer arithmetic: the total correction applied after {@code E} elapsed
 * underlying milliseconds is {@code min(|pending|, floor(E * slewRateMaxPermille / 1000))} no
 * matter how often the clock is read.
 *
 * <p>Thread-safety: <b>not thread-safe</b>, like the protocol state machines: one thread owns it
 * (a server's event loop, which both reads and adjusts it). An adapter that lets several threads
 * read it serialises them itself ({@code ProcessClock}); other threads read a snapshot the owner
 * publishes.
 *
 * <p>Call order: construct once per process start with the first underlying reading, then any
 * order of reads and adjustments; readings passed in should be non-decreasing.
 */
public final class SoftwareClock {

    private static final long MICROS_PER_MILLI = 1_000L;

    private final SoftwareClockConfig config;
    private final long skewMillis;
    private long underlyingHighMillis;
    private long offsetMillis;
    private long pendingMillis;
    private long slewBudgetMicros;
    private long lastReadMillis;
    private long adjustmentCount;
    private long stepForwardCount;

    /**
     * Creates a clock with no offset.
     *
     * @param config the limits
     * @param skewMillis the injected skew, {@code |skewMillis| <= config.skewMaxMillis()}
     * @param underlyingMillis the current underlying reading
     * @throws IllegalArgumentException if the skew is out of range
     */
    public SoftwareClock(SoftwareClockConfig config, long skewMillis, long underlyingMillis) {
        ClockInvariants.require(
                Math.abs(skewMillis) <= config.skewMaxMillis(),
                "|skewMillis| must be <= " + config.skewMaxMillis() + ", was " + skewMillis);
        this.config = config;
        this.skewMillis = skewMillis;
        this.underlyingHighMillis = underlyingMillis;
        this.lastReadMillis = Math.addExact(underlyingMillis, skewMillis);
    }

    /**
     * Reads the displayed clock, first applying the slewing due since the last call.
     *
     * @param underlyingMillis the current underlying reading
     * @return the synchronised time in epoch milliseconds; never less than a previous result
     */
    public long readMillis(long underlyingMillis) {
        advance(underlyingMillis);
        long readingMillis = displayedMillis();
        if (readingMillis < lastReadMillis) { // the message built only then: every request reads the clock
            ClockInvariants.check(false, "software clock ran backwards: " + readingMillis + " < " + lastReadMillis);
        }
        lastReadMillis = readingMillis;
        return readingMillis;
    }

    /**
     * Reads where the clock is heading: the displayed clock plus the pending correction. Between
     * two adjustments this advances at exactly the underlying rate, so round-trip times and
     * offsets measured with it are not disturbed by slewing. It may be below an earlier result
     * after a negative {@link #adjust}; never stamp it on messages.
     *
     * @param underlyingMillis the current underlying reading
     * @return the target time in epoch milliseconds
     */
    public long readTargetMillis(long underlyingMillis) {
        return Math.addExact(readMillis(underlyingMillis), pendingMillis);
    }

    /**
     * Corrects the clock by {@code deltaMillis}: the target moves at once, the displayed clock
     * follows by slewing (or by a forward step if the pending correction exceeds the threshold).
     * Corrections are additive: the caller must measure against {@link #readTargetMillis} and must
     * not apply two corrections derived from the same measurement (see {@link #adjustmentCount()}).
     *
     * @param underlyingMillis the current underlying reading
     * @param deltaMillis the correction, {@code |deltaMillis| <= config.adjustmentMaxMillis()}
     * @throws IllegalArgumentException if the correction or the resulting pending amount is too large
     */
    public void adjust(long underlyingMillis, long deltaMillis) {
        ClockInvariants.require(
                tryAdjust(underlyingMillis, deltaMillis),
                "correction out of range: delta " + deltaMillis + ", pending " + pendingMillis + ", limit "
                        + config.adjustmentMaxMillis());
    }

    /**
     * Like {@link #adjust}, but a correction out of range is refused instead of thrown: for
     * corrections that come from other servers.
     *
     * @param underlyingMillis the current underlying reading
     * @param deltaMillis the correction
     * @return true if applied; false (and nothing changed but the slewing due) if out of range
     */
    public boolean tryAdjust(long underlyingMillis, long deltaMillis) {
        long limitMillis = config.adjustmentMaxMillis();
        advance(underlyingMillis);
        if (Math.abs(deltaMillis) > limitMillis || Math.abs(pendingMillis + deltaMillis) > limitMillis) {
            return false;
        }
        pendingMillis += deltaMillis;
        adjustmentCount++;
        if (pendingMillis > config.stepForwardThresholdMillis()) {
            offsetMillis += pendingMillis;
            pendingMillis = 0;
            slewBudgetMicros = 0;
            stepForwardCount++;
        }
        return true;
    }

    /** @return the correction applied so far, excluding skew and pending correction */
    public long offsetMillis() {
        return offsetMillis;
    }

    /** @return the correction still to be slewed (positive: the clock will run fast) */
    public long pendingAdjustmentMillis() {
        return pendingMillis;
    }

    /** @return the injected skew */
    public long skewMillis() {
        return skewMillis;
    }

    /**
     * Counts the calls to {@link #adjust}. A protocol records it when it measures the clock and
     * applies the resulting correction only if it is unchanged, so that two measurements taken
     * before one correction cannot both be applied.
     *
     * @return the number of adjustments so far
     */
    public long adjustmentCount() {
        return adjustmentCount;
    }

    /** @return how many adjustments were applied as a forward step instead of slewing */
    public long stepForwardCount() {
        return stepForwardCount;
    }

    /** @return the limits of this clock */
    public SoftwareClockConfig config() {
        return config;
    }

    private long displayedMillis() {
        return underlyingHighMillis + skewMillis + offsetMillis;
    }

    /** Moves the slewing forward by the underlying time elapsed since the highest reading seen. */
    private void advance(long underlyingMillis) {
        if (underlyingMillis <= underlyingHighMillis) {
            return;
        }
        long elapsedMillis = underlyingMillis - underlyingHighMillis;
        underlyingHighMillis = underlyingMillis;
        if (pendingMillis == 0) {
            return;
        }
        long pendingMagnitudeMillis = Math.abs(pendingMillis);
        long budgetCapMicros = pendingMagnitudeMillis * MICROS_PER_MILLI;
        long earnedMicros = elapsedMillis >= budgetCapMicros
                ? budgetCapMicros
                : Math.min(budgetCapMicros, elapsedMillis * config.slewRateMaxPermille());
        slewBudgetMicros = Math.min(budgetCapMicros, slewBudgetMicros + earnedMicros);
        long appliedMillis = Math.min(pendingMagnitudeMillis, slewBudgetMicros / MICROS_PER_MILLI);
        ClockInvariants.check(appliedMillis <= elapsedMillis, "slewing applied more than the elapsed time");
        long signedMillis = pendingMillis > 0 ? appliedMillis : -appliedMillis;
        offsetMillis += signedMillis;
        pendingMillis -= signedMillis;
        slewBudgetMicros -= appliedMillis * MICROS_PER_MILLI;
        if (pendingMillis == 0) {
            slewBudgetMicros = 0;
        }
    }

    @Override
    public String toString() {
        return "SoftwareClock[skewMillis=" + skewMillis + ", offsetMillis=" + offsetMillis + ", pendingMillis="
                + pendingMillis + "]";
    }
}
