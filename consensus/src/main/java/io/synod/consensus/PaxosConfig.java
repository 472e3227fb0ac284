package io.synod.consensus;

/**
 * Every limit and timeout of one replica, validated on construction. All durations are counted in ticks of the
 * driver's clock; no wall-clock time enters the core.
 *
 * <p>{@code genesis} and {@code inflightSlotsMax} must be identical on every replica of a cluster: the membership of
 * a slot is computed from them and from the decided log.
 *
 * @param nodeId this replica's id (>= 0)
 * @param genesis the membership that governs slot 1
 * @param electionTimeoutTicksMin lower bound of the randomised election timeout
 * @param electionTimeoutTicksMax upper bound (inclusive) of the randomised election timeout
 * @param heartbeatIntervalTicks how often a leader sends heartbeats
 * @param acceptRetryTicks how long a leader waits before resending an Accept that has no quorum yet
 * @param inflightSlotsMax alpha: slots a leader may have open beyond the decided prefix; reconfiguration decided in
 *     slot i governs from slot i + inflightSlotsMax
 * @param batchCommandsMax commands per slot
 * @param proposalQueueCommandsMax commands a leader queues while its window is full; more are refused
 * @param catchUpSlotsMax decided entries per catch-up reply
 * @param catchUpRetryTicks how long a replica waits for a catch-up reply before asking again
 * @param snapshotLogSlotsMax applied slots kept in the log before the core asks the driver for a snapshot
 * @param learnerLagSlotsMax a learner whose decided prefix is this close to the leader's is promoted to voter
 */
public record PaxosConfig(
        int nodeId,
        Membership genesis,
        int electionTimeoutTicksMin,
        int electionTimeoutTicksMax,
        int heartbeatIntervalTicks,
        int acceptRetryTicks,
        int inflightSlotsMax,
        int batchCommandsMax,
        int proposalQueueCommandsMax,
        int catchUpSlotsMax,
        int catchUpRetryTicks,
        int snapshotLogSlotsMax,
        int learnerLagSlotsMax) {

    public PaxosConfig {
        PaxosInvariants.require(nodeId >= 0, "nodeId must be >= 0");
        PaxosInvariants.require(genesis != null, "genesis membership is required");
        PaxosInvariants.require(heartbeatIntervalTicks >= 1, "heartbeatIntervalTicks must be >= 1");
        PaxosInvariants.require(
                electionTimeoutTicksMin > 2 * heartbeatIntervalTicks,
                "electionTimeoutTicksMin must exceed two heartbeat intervals");
        PaxosInvariants.require(
                electionTimeoutTicksMax >= electionTimeoutTicksMin, "electionTimeoutTicksMax must be >= min");
        PaxosInvariants.require(acceptRetryTicks >= 1, "acceptRetryTicks must be >= 1");
        PaxosInvariants.require(inflightSlotsMax >= 1, "inflightSlotsMax must be >= 1");
        PaxosInvariants.require(batchCommandsMax >= 1, "batchCommandsMax must be >= 1");
        PaxosInvariants.require(proposalQueueCommandsMax >= batchCommandsMax, "proposal queue must hold a batch");
        PaxosInvariants.require(catchUpSlotsMax >= 1, "catchUpSlotsMax must be >= 1");
        PaxosInvariants.require(catchUpRetryTicks >= 1, "catchUpRetryTicks must be >= 1");
        PaxosInvariants.require(snapshotLogSlotsMax >= 1, "snapshotLogSlotsMax must be >= 1");
        PaxosInvariants.require(learnerLagSlotsMax >= 0, "learnerLagSlotsMax must be >= 0");
    }

    /** Sensible defaults for a LAN cluster ticking every 10 ms. */
    public static PaxosConfig defaults(int nodeId, Membership genesis) {
        return new PaxosConfig(nodeId, genesis, 15, 30, 3, 4, 16, 256, 8192, 256, 6, 10_000, 64);
    }

    /** A copy with another node id (same cluster settings). */
    public PaxosConfig withNodeId(int otherNodeId) {
        return new PaxosConfig(
                otherNodeId,
                genesis,
                electionTimeoutTicksMin,
                electionTimeoutTicksMax,
                heartbeatIntervalTicks,
                acceptRetryTicks,
                inflightSlotsMax,
                batchCommandsMax,
                proposalQueueCommandsMax,
                catchUpSlotsMax,
                catchUpRetryTicks,
                snapshotLogSlotsMax,
                learnerLagSlotsMax);
    }
}
