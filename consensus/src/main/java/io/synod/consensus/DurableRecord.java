package io.synod.consensus;

/**
 * A record the driver must make durable (fsync) before it sends any message of the same {@link Ready}. Records are
 * idempotent and must be persisted in order; a crash may persist any prefix of them.
 *
 * <p>Immutable records; thread-safe. Encoded by {@link PaxosCodec}; folded into a {@link DurableState} by
 * {@link InMemoryDurableLog} (or by a store adapter doing the same with keys).
 */
public sealed interface DurableRecord {

    /** The acceptor promised {@code ballot} (replaces any lower promise). */
    record PromisedBallot(Ballot ballot) implements DurableRecord {}

    /** The acceptor accepted {@code entry} (replaces any accepted value of the same slot). */
    record AcceptedValue(AcceptedEntry entry) implements DurableRecord {}

    /** {@code entry} is decided. */
    record DecidedValue(LogEntry entry) implements DurableRecord {}

    /**
     * Store {@code snapshot} (replacing any older one) and delete every accepted and decided entry with a slot <=
     * its last included slot.
     */
    record SnapshotSaved(Snapshot snapshot) implements DurableRecord {}
}
