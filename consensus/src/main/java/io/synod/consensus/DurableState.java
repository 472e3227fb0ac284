package io.synod.consensus;

import java.util.Collections;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Everything a replica persisted, as read back after a restart and passed to
 * {@link PaxosReplica#restore(PaxosConfig, DurableState, long, java.util.random.RandomGenerator)}.
 *
 * <p>Immutable (maps are unmodifiable copies); thread-safe.
 *
 * @param promised highest ballot promised
 * @param accepted accepted values by slot (slots above the snapshot)
 * @param decided decided values by slot (slots above the snapshot; may have gaps)
 * @param snapshot the latest snapshot, if any
 */
public record DurableState(
        Ballot promised,
        SortedMap<Long, AcceptedEntry> accepted,
        SortedMap<Long, Batch> decided,
        Optional<Snapshot> snapshot) {

    public DurableState {
        PaxosInvariants.require(promised != null && snapshot != null, "promised and snapshot must not be null");
        accepted = Collections.unmodifiableSortedMap(new TreeMap<>(accepted));
        decided = Collections.unmodifiableSortedMap(new TreeMap<>(decided));
        long snapshotSlot = snapshot.map(Snapshot::lastIncludedSlot).orElse(0L);
        accepted.forEach((slot, entry) -> {
            PaxosInvariants.check(slot == entry.slot(), "accepted entry filed under the wrong slot " + slot);
            PaxosInvariants.check(slot > snapshotSlot, "accepted entry " + slot + " behind the snapshot");
        });
        decided.keySet()
                .forEach(slot -> PaxosInvariants.check(slot > snapshotSlot, "decided " + slot + " behind snapshot"));
    }

    /** The state of a replica that never persisted anything. */
    public static DurableState empty() {
        return new DurableState(Ballot.ZERO, new TreeMap<>(), new TreeMap<>(), Optional.empty());
    }

    /** Last slot contained in the snapshot, 0 without one. */
    public long snapshotSlot() {
        return snapshot.map(Snapshot::lastIncludedSlot).orElse(0L);
    }
}
