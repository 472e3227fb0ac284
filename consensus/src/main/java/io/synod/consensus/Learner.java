package io.synod.consensus;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The learner role (Paxos Made Simple, section 2.3 "Learning a Chosen Value"): records decided values, tracks the
 * contiguous decided prefix, hands decided entries to the driver in slot order, interprets reconfiguration commands
 * (section 3, alpha rule), and owns snapshots and log truncation.
 *
 * <p>Not thread-safe: owned by one {@link PaxosReplica}.
 */
final class Learner {
    private final PaxosConfig config;
    private final Outbox out;
    private final Acceptor acceptor;
    private final TreeMap<Long, Batch> decided = new TreeMap<>();
    private long decidedPrefixSlot;
    private long appliedSlot;
    private Optional<Snapshot> snapshot;
    private ConfigTimeline timeline;
    private boolean snapshotRequested;
    private long learnedCount;

    Learner(PaxosConfig config, Outbox out, Acceptor acceptor, DurableState state, long driverAppliedSlot) {
        this.config = config;
        this.out = out;
        this.acceptor = acceptor;
        this.snapshot = state.snapshot();
        this.decided.putAll(state.decided());
        this.decidedPrefixSlot = state.snapshotSlot();
        this.timeline = new ConfigTimeline(
                snapshot.map(s -> s.meta().configs()).orElse(List.of(new ConfigEntry(1, config.genesis()))));
        PaxosInvariants.require(driverAppliedSlot >= 0, "applied slot must be >= 0");
        if (driverAppliedSlot < decidedPrefixSlot) {
            out.snapshotToInstall = snapshot.orElseThrow();
            this.appliedSlot = decidedPrefixSlot;
        } else {
            this.appliedSlot = driverAppliedSlot;
        }
        advancePrefix();
        PaxosInvariants.check(appliedSlot <= decidedPrefixSlot, "driver applied beyond the decided prefix");
    }

    /** Number of decisions learned so far (changes whenever something new is decided or installed). */
    long learnedCount() {
        return learnedCount;
    }

    long decidedPrefixSlot() {
        return decidedPrefixSlot;
    }

    long appliedSlot() {
        return appliedSlot;
    }

    long snapshotSlot() {
        return snapshot.map(Snapshot::lastIncludedSlot).orElse(0L);
    }

    ConfigTimeline timeline() {
        return timeline;
    }

    boolean isDecided(long slot) {
        return slot <= decidedPrefixSlot || decided.containsKey(slot);
    }

    /** The decided value of a slot in the retained log (above the snapshot, at most the prefix). */
    Batch decidedValue(long slot) {
        Batch value = decided.get(slot);
        PaxosInvariants.check(value != null, "slot " + slot + " is not in the retained decided log");
        return value;
    }

    long highestKnownSlot() {
        return decided.isEmpty() ? decidedPrefixSlot : Math.max(decidedPrefixSlot, decided.lastKey());
    }

    /** Records that {@code value} is decided in {@code slot}; returns true when this was news. */
    boolean learn(long slot, Batch value) {
        if (slot <= snapshotSlot()) {
            return false;
        }
        Batch known = decided.get(slot);
        if (known != null) {
            if (!known.equals(value)) {
                PaxosInvariants.check(false, "slot " + slot + " decided twice: " + known + " vs " + value);
            }
            return false;
        }
        decided.put(slot, value);
        learnedCount++;
        // The value is usually the one this acceptor accepted (and persisted before this record): name it then,
        // instead of writing its bytes a second time.
        AcceptedEntry mine = acceptor.acceptedAt(slot);
        out.persist(
                mine != null && (mine.value() == value || mine.value().equals(value))
                        ? new DurableRecord.DecidedAccepted(slot, mine.ballot())
                        : new DurableRecord.DecidedValue(new LogEntry(slot, value)));
        advancePrefix();
        return true;
    }

    /**
     * A {@link PaxosMessage.DecidedAt}: the value proposed in {@code slot} at {@code ballot} is decided. Learns the
     * value this acceptor accepted in the slot at that ballot or a higher one (the same value, by P2c).
     *
     * @return false when this replica cannot tell the value (it accepted nothing in the slot, or only at a lower
     *     ballot) and does not know the slot decided either: it must learn it from a peer
     */
    boolean learnDecidedAt(long slot, Ballot ballot) {
        if (slot <= snapshotSlot() || decided.containsKey(slot)) {
            return true;
        }
        AcceptedEntry mine = acceptor.acceptedAt(slot);
        if (mine == null || !mine.ballot().atLeast(ballot)) {
            return false;
        }
        learn(slot, mine.value());
        return true;
    }

    private void advancePrefix() {
        Batch next;
        while ((next = decided.get(decidedPrefixSlot + 1)) != null) {
            decidedPrefixSlot++;
            applyReconfigurations(decidedPrefixSlot, next);
        }
        for (long slot = appliedSlot + 1; slot <= decidedPrefixSlot; slot++) {
            out.toApply.add(new LogEntry(slot, decided.get(slot)));
        }
        appliedSlot = decidedPrefixSlot;
        if (out.snapshotRequestSlot != 0) {
            out.snapshotRequestSlot = appliedSlot; // the driver's state will reflect the whole Ready
        }
        if (!snapshotRequested && appliedSlot - snapshotSlot() >= config.snapshotLogSlotsMax()) {
            snapshotRequested = true;
            out.snapshotRequestSlot = appliedSlot;
        }
    }

    private void applyReconfigurations(long slot, Batch value) {
        Membership current = timeline.latest();
        Membership next = current;
        for (LogCommand command : value.commands()) {
            next = next.apply(command).orElse(next);
        }
        if (!next.equals(current)) {
            timeline.add(slot + config.inflightSlotsMax(), next);
        }
    }

    /** Decided entries from {@code fromSlot} on (contiguous or not), at most {@code entriesMax}. */
    List<LogEntry> decidedFrom(long fromSlot, int entriesMax) {
        List<LogEntry> result = new ArrayList<>();
        for (var e : decided.tailMap(fromSlot, true).entrySet()) {
            if (result.size() >= entriesMax) {
                break;
            }
            result.add(new LogEntry(e.getKey(), e.getValue()));
        }
        return result;
    }

    /** The reply to a catch-up request for slots from {@code fromSlot}. */
    PaxosMessage.CatchUpReply catchUpFrom(long fromSlot) {
        Optional<Snapshot> shipped = fromSlot <= snapshotSlot() ? snapshot : Optional.empty();
        long first = Math.max(fromSlot, snapshotSlot() + 1);
        List<LogEntry> entries = new ArrayList<>();
        for (long slot = first; slot <= decidedPrefixSlot && entries.size() < config.catchUpSlotsMax(); slot++) {
            entries.add(new LogEntry(slot, decided.get(slot)));
        }
        return new PaxosMessage.CatchUpReply(shipped, entries);
    }

    /** Installs a snapshot received from a peer if it is ahead of our decided prefix. Returns true if installed. */
    boolean install(Snapshot incoming) {
        if (incoming.lastIncludedSlot() <= decidedPrefixSlot) {
            return false;
        }
        long slot = incoming.lastIncludedSlot();
        out.persist(new DurableRecord.SnapshotSaved(incoming));
        learnedCount++;
        snapshot = Optional.of(incoming);
        decided.headMap(slot, true).clear();
        acceptor.truncateThrough(slot);
        decidedPrefixSlot = slot;
        appliedSlot = slot;
        timeline = new ConfigTimeline(incoming.meta().configs());
        out.toApply.clear();
        out.snapshotToInstall = incoming;
        out.snapshotRequestSlot = 0;
        snapshotRequested = false;
        advancePrefix();
        return true;
    }

    /** The driver serialised the application state as of {@code slot}: keep it and truncate the log behind it. */
    void snapshotTaken(long slot, byte[] state) {
        PaxosInvariants.require(slot <= appliedSlot, "snapshot slot " + slot + " not applied yet");
        snapshotRequested = false;
        if (slot <= snapshotSlot()) {
            return;
        }
        Snapshot taken = new Snapshot(new SnapshotMeta(slot, timeline.from(slot + 1)), state);
        out.persist(new DurableRecord.SnapshotSaved(taken));
        snapshot = Optional.of(taken);
        decided.headMap(slot, true).clear();
        acceptor.truncateThrough(slot);
        timeline.pruneBefore(slot + 1);
        PaxosInvariants.check(decided.isEmpty() || decided.firstKey() > slot, "log truncated behind the snapshot");
        PaxosInvariants.check(decidedPrefixSlot >= slot, "a snapshot never covers undecided slots");
    }
}
