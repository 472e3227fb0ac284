package io.synod.consensus;

/**
 * Result of {@link PaxosReplica#propose(LogCommand)}: an expected outcome, not an error. Only {@link #QUEUED} means
 * the command may be decided; even then it may be lost if leadership changes (the client retries with the same
 * request id, and the state machine drops duplicates).
 */
public enum ProposeOutcome {
    /** The leader queued the command; it will be proposed as the window allows. */
    QUEUED,
    /** This replica is not the leader; see {@link PaxosReplica#leaderHint()}. */
    NOT_LEADER,
    /** The leader's proposal queue is full ({@link PaxosConfig#proposalQueueCommandsMax()}). */
    QUEUE_FULL,
    /** A reconfiguration is already under way; membership changes one server at a time. */
    RECONFIGURATION_PENDING
}
