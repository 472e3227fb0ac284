package io.synod.clock;

/**
 * Timeouts of the bully election, all counted in ticks of the owner's tick clock (the adapter
 * decides how long a tick is; 10 ms is the production choice, so the defaults are 100 ms of
 * heartbeat, 500 ms of coordinator silence, 200 ms to answer, 400 ms to announce).
 *
 * <p>Thread-safety: immutable.
 *
 * @param heartbeatIntervalTicks the coordinator sends a heartbeat to every known server this often
 * @param coordinatorTimeoutTicks a follower that hears nothing from its coordinator for this long
 *     starts an election; must exceed two heartbeat intervals
 * @param answerTimeoutTicks how long an electing server waits for an {@code OK} before it becomes
 *     the coordinator
 * @param announcementTimeoutTicks how long a server that received an {@code OK} waits for an
 *     announcement before it restarts the election; must be at least {@code answerTimeoutTicks}
 *     (the server that answered needs that long to win its own election)
 */
public record BullyElectionConfig(
        int heartbeatIntervalTicks, int coordinatorTimeoutTicks, int answerTimeoutTicks, int announcementTimeoutTicks) {

    /** Validates the timeouts. */
    public BullyElectionConfig {
        ClockInvariants.require(heartbeatIntervalTicks >= 1, "heartbeatIntervalTicks must be >= 1");
        ClockInvariants.require(
                coordinatorTimeoutTicks > 2 * heartbeatIntervalTicks,
                "coordinatorTimeoutTicks must exceed 2 * heartbeatIntervalTicks");
        ClockInvariants.require(answerTimeoutTicks >= 1, "answerTimeoutTicks must be >= 1");
        ClockInvariants.require(
                announcementTimeoutTicks >= answerTimeoutTicks,
                "announcementTimeoutTicks must be >= answerTimeoutTicks");
        ClockInvariants.require(coordinatorTimeoutTicks <= 1_000_000, "coordinatorTimeoutTicks must be <= 1000000");
        ClockInvariants.require(announcementTimeoutTicks <= 1_000_000, "announcementTimeoutTicks must be <= 1000000");
    }

    /**
     * The production defaults (with 10 ms ticks).
     *
     * @return heartbeat 10, coordinator timeout 50, answer timeout 20, announcement timeout 40
     */
    public static BullyElectionConfig defaults() {
        return new BullyElectionConfig(10, 50, 20, 40);
    }
}
