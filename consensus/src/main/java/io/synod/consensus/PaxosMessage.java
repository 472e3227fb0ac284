package io.synod.consensus;

import java.util.List;
import java.util.Optional;

/**
 * Every message replicas exchange. Field names follow Paxos Made Simple: phase 1a {@link Prepare}, phase 1b
 * {@link Promise}, phase 2a {@link Accept}, phase 2b {@link Accepted}; the learner's {@link Decision} and its compact
 * form {@link DecidedAt}; plus the Multi-Paxos machinery (heartbeats, rejections, catch-up).
 *
 * <p>Immutable records; thread-safe. Encoded by {@link PaxosCodec}.
 */
public sealed interface PaxosMessage {

    /** Phase 1a for every slot >= {@code fromSlot} at once (Multi-Paxos: one phase 1 for all open slots). */
    record Prepare(Ballot ballot, long fromSlot) implements PaxosMessage {}

    /**
     * Phase 1b: the sender promises to ignore ballots below {@code ballot} in every slot. It reports its contiguous
     * {@code decidedPrefixSlot} (the leader must catch up to it before proposing), and for slots above both that
     * prefix and the prepare's fromSlot, the values it knows decided and the values it accepted.
     */
    record Promise(Ballot ballot, long decidedPrefixSlot, List<LogEntry> decided, List<AcceptedEntry> accepted)
            implements PaxosMessage {
        public Promise {
            decided = List.copyOf(decided);
            accepted = List.copyOf(accepted);
        }
    }

    /** Phase 2a: accept {@code value} in {@code slot} at {@code ballot}. */
    record Accept(Ballot ballot, long slot, Batch value) implements PaxosMessage {}

    /** Phase 2b: the sender accepted the leader's value in {@code slot} at {@code ballot}. */
    record Accepted(Ballot ballot, long slot) implements PaxosMessage {}

    /** The sender ignored a message of {@code rejectedBallot} because it promised {@code promisedBallot}. */
    record Nack(Ballot rejectedBallot, Ballot promisedBallot) implements PaxosMessage {}

    /**
     * {@code value} is decided in {@code slot}: sent by the leader to the members it sent no {@link Accept} for the
     * slot (learners, members added later), and in answer to an {@link Accept} for a slot already decided.
     */
    record Decision(long slot, Batch value) implements PaxosMessage {}

    /**
     * The compact {@link Decision}, sent by the leader to the voters it sent the slot's {@link Accept}: the value
     * proposed in {@code slot} at {@code ballot} is decided, and the receiver's acceptor holds it if it accepted that
     * slot at {@code ballot} or at any higher ballot (once a value is chosen, every higher-ballot proposal for the slot
     * carries it: Paxos Made Simple, P2c). A receiver that holds no such accepted value (the Accept was lost, or is
     * still on its way over a network that reorders) asks the sender to catch it up. The value crosses the link and
     * is written to the receiver's log once instead of twice.
     */
    record DecidedAt(Ballot ballot, long slot) implements PaxosMessage {}

    /** Leader liveness plus its contiguous decided prefix, so laggards know to catch up. */
    record Heartbeat(Ballot ballot, long decidedPrefixSlot) implements PaxosMessage {}

    /** A member's reply to a heartbeat: how far its decided prefix reaches (used to promote learners). */
    record HeartbeatReply(Ballot ballot, long decidedPrefixSlot) implements PaxosMessage {}

    /** Asks a peer for decided entries from {@code fromSlot} on. */
    record CatchUpRequest(long fromSlot) implements PaxosMessage {}

    /**
     * Answer to {@link CatchUpRequest}: a snapshot when the requested slot was truncated, then contiguous decided
     * entries.
     */
    record CatchUpReply(Optional<Snapshot> snapshot, List<LogEntry> entries) implements PaxosMessage {
        public CatchUpReply {
            entries = List.copyOf(entries);
        }
    }
}
