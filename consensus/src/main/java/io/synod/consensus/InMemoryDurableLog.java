package io.synod.consensus;

import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A {@link DurableLog} in memory: folds records exactly as a durable store must (the reference semantics of
 * {@link DurableRecord}). Used by the simulator as the "disk" that survives simulated crashes, and by tests.
 *
 * <p>Not thread-safe: owned by one thread.
 */
public final class InMemoryDurableLog implements DurableLog {
    private Ballot promised = Ballot.ZERO;
    private final TreeMap<Long, AcceptedEntry> accepted = new TreeMap<>();
    private final TreeMap<Long, Batch> decided = new TreeMap<>();
    private Optional<Snapshot> snapshot = Optional.empty();
    private long recordsPersisted;

    @Override
    public void persist(List<DurableRecord> records) {
        records.forEach(this::persist);
    }

    /** Persists one record. */
    public void persist(DurableRecord record) {
        recordsPersisted++;
        switch (record) {
            case DurableRecord.PromisedBallot p -> {
                if (p.ballot().greaterThan(promised)) {
                    promised = p.ballot();
                }
            }
            case DurableRecord.AcceptedValue a -> {
                if (a.entry().slot() > snapshotSlot()) {
                    accepted.put(a.entry().slot(), a.entry());
                }
            }
            case DurableRecord.DecidedValue d -> {
                if (d.entry().slot() > snapshotSlot()) {
                    decided.put(d.entry().slot(), d.entry().value());
                }
            }
            case DurableRecord.DecidedAccepted d -> {
                if (d.slot() > snapshotSlot()) {
                    decided.put(d.slot(), resolve(accepted, d));
                }
            }
            case DurableRecord.SnapshotSaved s -> saveSnapshot(s.snapshot());
        }
    }

    /**
     * The value a {@link DurableRecord.DecidedAccepted} names: the slot's accepted value, whose ballot is at least the
     * marker's (the same value: see the record). Shared with store adapters so that every fold agrees.
     *
     * @throws IllegalStateException when the slot has no such accepted value: the log is corrupt
     */
    public static Batch resolve(java.util.Map<Long, AcceptedEntry> accepted, DurableRecord.DecidedAccepted marker) {
        AcceptedEntry entry = accepted.get(marker.slot());
        if (entry == null || !entry.ballot().atLeast(marker.ballot())) {
            throw new IllegalStateException("corrupt Paxos log: slot " + marker.slot() + " is decided as accepted at "
                    + marker.ballot() + " but its accepted record is " + entry);
        }
        return entry.value();
    }

    /** The decided value of {@code slot} as persisted so far, if any (the simulator's checkers read it). */
    public Optional<Batch> decided(long slot) {
        return Optional.ofNullable(decided.get(slot));
    }

    private void saveSnapshot(Snapshot newSnapshot) {
        if (newSnapshot.lastIncludedSlot() <= snapshotSlot()) {
            return;
        }
        snapshot = Optional.of(newSnapshot);
        accepted.headMap(newSnapshot.lastIncludedSlot(), true).clear();
        decided.headMap(newSnapshot.lastIncludedSlot(), true).clear();
    }

    private long snapshotSlot() {
        return snapshot.map(Snapshot::lastIncludedSlot).orElse(0L);
    }

    @Override
    public DurableState load() {
        return new DurableState(promised, accepted, decided, snapshot);
    }

    /** How many records were persisted (for statistics). */
    public long recordsPersisted() {
        return recordsPersisted;
    }
}
