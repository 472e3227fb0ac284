package io.synod.clock;

/**
 * Limits of physical clock synchronisation ({@link BerkeleySync}). Durations in ticks are counted
 * on the owner's tick clock (10 ms per tick in production: a round every 5 s by default).
 *
 * <p>Thread-safety: immutable.
 *
 * @param roundIntervalTicks a coordinator starts a Berkeley round this often
 * @param replyTimeoutTicks a round closes this long after its polls even if some servers are silent;
 *     must be below {@code roundIntervalTicks}
 * @param roundTripMaxMillis a measurement (poll or {@code clock} request) whose round-trip time
 *     exceeds this is discarded: its error bound, half the round trip, is too large
 * @param outlierThresholdMillis a clock further than this from the median offset is left out of the
 *     average (it still receives its correction)
 * @param clockRequestEveryMessages a follower sends a {@code clock} request to the coordinator after
 *     this many exchanged messages (the statement says 10)
 * @param clockReplyTimeoutTicks an unanswered {@code clock} request is forgotten after this long
 * @param serversMax the largest number of servers polled in one round
 * @param dampedCorrectionMaxMillis corrections up to this size are halved before they are applied
 *     (a loop filter against measurement noise, see {@link BerkeleyFollower#damped}); 0 disables it
 */
public record BerkeleyConfig(
        int roundIntervalTicks,
        int replyTimeoutTicks,
        long roundTripMaxMillis,
        long outlierThresholdMillis,
        int clockRequestEveryMessages,
        int clockReplyTimeoutTicks,
        int serversMax,
        long dampedCorrectionMaxMillis) {

    /** Validates the limits. */
    public BerkeleyConfig {
        ClockInvariants.require(replyTimeoutTicks >= 1, "replyTimeoutTicks must be >= 1");
        ClockInvariants.require(
                roundIntervalTicks > replyTimeoutTicks, "roundIntervalTicks must exceed replyTimeoutTicks");
        ClockInvariants.require(roundIntervalTicks <= 10_000_000, "roundIntervalTicks must be <= 10000000");
        ClockInvariants.require(
                roundTripMaxMillis >= 1 && roundTripMaxMillis <= 60_000, "roundTripMaxMillis must be in 1..60000");
        ClockInvariants.require(
                outlierThresholdMillis >= 0 && outlierThresholdMillis <= 3_600_000L,
                "outlierThresholdMillis must be in 0..3600000");
        ClockInvariants.require(clockRequestEveryMessages >= 1, "clockRequestEveryMessages must be >= 1");
        ClockInvariants.require(clockReplyTimeoutTicks >= 1, "clockReplyTimeoutTicks must be >= 1");
        ClockInvariants.require(serversMax >= 1 && serversMax <= 1_000, "serversMax must be in 1..1000");
        ClockInvariants.require(
                dampedCorrectionMaxMillis >= 0 && dampedCorrectionMaxMillis <= 1_000,
                "dampedCorrectionMaxMillis must be in 0..1000");
    }

    /**
     * The production defaults (with 10 ms ticks): a round every 5 s, 500 ms to answer, round trips up
     * to 200 ms, outliers beyond 50 ms, a {@code clock} request every 10 messages, 1 s to answer it,
     * up to 64 servers, corrections up to 10 ms halved.
     *
     * @return the defaults
     */
    public static BerkeleyConfig defaults() {
        return new BerkeleyConfig(500, 50, 200, 50, 10, 100, 64, 10);
    }
}
