package io.synod.clock;

/**
 * Limits of a {@link SoftwareClock}.
 *
 * <p>Thread-safety: immutable.
 *
 * @param slewRateMaxPermille the largest correction applied per unit of elapsed underlying time, in
 *     thousandths (100 = the clock runs at most 10% faster or slower while slewing); 1..500
 * @param stepForwardThresholdMillis a positive pending correction larger than this is applied at
 *     once (a forward step never makes the clock run backwards); {@link Long#MAX_VALUE} disables
 *     stepping; negative corrections are always slewed
 * @param skewMaxMillis the largest injected skew accepted (the {@code --clock-skew-ms} option)
 * @param adjustmentMaxMillis the largest correction one {@link SoftwareClock#adjust} call accepts
 */
public record SoftwareClockConfig(
        int slewRateMaxPermille, long stepForwardThresholdMillis, long skewMaxMillis, long adjustmentMaxMillis) {

    /** Validates the limits. */
    public SoftwareClockConfig {
        ClockInvariants.require(
                slewRateMaxPermille >= 1 && slewRateMaxPermille <= 500,
                "slewRateMaxPermille must be in 1..500, was " + slewRateMaxPermille);
        ClockInvariants.require(
                stepForwardThresholdMillis >= 0,
                "stepForwardThresholdMillis must be >= 0, was " + stepForwardThresholdMillis);
        ClockInvariants.require(
                skewMaxMillis >= 0 && skewMaxMillis <= 86_400_000L,
                "skewMaxMillis must be in 0..86400000, was " + skewMaxMillis);
        ClockInvariants.require(
                adjustmentMaxMillis >= 1 && adjustmentMaxMillis <= 86_400_000L,
                "adjustmentMaxMillis must be in 1..86400000, was " + adjustmentMaxMillis);
    }

    /**
     * The production defaults: slew at most 10%, step forward above 100 ms, skew up to ±1 s, one
     * correction at most 1 hour.
     *
     * @return the defaults
     */
    public static SoftwareClockConfig defaults() {
        return new SoftwareClockConfig(100, 100, 1_000, 3_600_000L);
    }
}
