package io.synod.consensus;

/**
 * A record the driver must make durable (fsync) before it sends any message of the same {@link Ready}. Records are
 * idempotent and must be persisted in order; a crash may persist any prefix of them.
 *
 * <p>Immutable records; thread-safe. Encoded by {@link PaxosCodec}; folded into a {@link DurableState} by
 * {@link InMemoryDurableLog} (or by a store adapter doing the same with keys).
 */
public sealed interface DurableRecord {

    /**
     * True for a record of a decision ({@link DecidedValue}, {@link DecidedAccepted}): one that promises nothing on
     * this replica's behalf, since the decision is durable on a quorum already; a driver may leave a batch of these
     * alone unsynced (a crash forgets them, and the replica learns them again from its peers).
     */
    default boolean isDecision() {
        return this instanceof DecidedValue || this instanceof DecidedAccepted;
    }

    /** The acceptor promised {@code ballot} (replaces any lower promise). */
    record PromisedBallot(Ballot ballot) implements DurableRecord {}

    /** The acceptor accepted {@code entry} (replaces any accepted value of the same slot). */
    record AcceptedValue(AcceptedEntry entry) implements DurableRecord {}

    /** {@code entry} is decided. */
    record DecidedValue(LogEntry entry) implements DurableRecord {}

    /**
     * The value this acceptor accepted in {@code slot} at {@code ballot} is decided: a {@link DecidedValue} that names
     * the accepted record instead of repeating its bytes. Persisted only after that {@link AcceptedValue} (earlier in
     * the same batch or in an earlier one). A later accepted value of the slot has a higher ballot and, the slot being
     * decided, the same value (Paxos Made Simple, P2c), so the fold resolves the marker to whatever value the slot's
     * accepted record holds, provided its ballot is at least {@code ballot}; a marker without one is a corrupt log.
     */
    record DecidedAccepted(long slot, Ballot ballot) implements DurableRecord {
        public DecidedAccepted {
            PaxosInvariants.require(slot >= 1, "slots start at 1");
            PaxosInvariants.require(ballot != null, "ballot must not be null");
        }
    }

    /**
     * Store {@code snapshot} (replacing any older one) and delete every accepted and decided entry with a slot <=
     * its last included slot.
     */
    record SnapshotSaved(Snapshot snapshot) implements DurableRecord {}
}
