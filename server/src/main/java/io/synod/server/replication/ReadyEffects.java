package io.synod.server.replication;

import io.synod.consensus.DurableRecord;
import io.synod.consensus.LogEntry;
import io.synod.consensus.PaxosEnvelope;
import io.synod.consensus.PaxosReplica;
import io.synod.consensus.Ready;
import io.synod.consensus.ReadyRunner;
import io.synod.consensus.Snapshot;
import io.synod.messaging.peer.StreamPeerLinks;
import io.synod.store.RocksDbDurableLog;
import java.util.List;
import java.util.function.Consumer;

/**
 * The server's side of each {@link Ready} step, which {@link ReadyRunner} carries out in the contract's order: the
 * durable log, the peer links, the chat state machine, the snapshots. Owned by the event-loop thread.
 *
 * <p>A leader's Accepts are written to the links at once, so that the followers' fsyncs overlap ours (the leader's
 * vote follows after its persist, a second wake-up at each follower: measured, that costs less than the overlap
 * gains, docs/performance.md); the records go in one RocksDB batch ({@link RocksDbDurableLog}: synced unless it
 * holds decisions only), so at most one fsync per turn, however many writes the turn carried; records that are
 * followed by no message that must wait for them (a group of one's votes and decisions; anyone's decisions only) go
 * to the apply's store write instead, which writes them first, alone and synced, if they must be synced, and holds
 * decisions only with the state they decide ({@code RocksDbChatStore.write}), so such a turn is at most one RocksDB
 * write ({@link #persist}); a snapshot request
 * starts the memtable flushes. Given a way to answer mid-turn, a Ready that must be synced first applies and answers
 * the decided entries that rest on none of its records ({@link Ready#appliableBeforePersist}): their decisions
 * held with the applies (never synced, as always), the applies, the answers, then the
 * rest of the records and the rest of the Ready.
 *
 * @param <T> what waits for each write (see {@link PendingWrites})
 */
final class ReadyEffects<T> implements ReadyRunner.Effects {
    private final PaxosReplica replica;
    private final RocksDbDurableLog durableLog;
    private final StreamPeerLinks links;
    private final AddressBook addressBook;
    private final CommandApplier applier;
    private final Deliveries deliveries;
    private final PendingWrites<T> writes;
    private final SnapshotTransfer snapshots;
    /** Takes the completions answered before the fsync, during {@link #drain}; null: none are. */
    private Consumer<List<Completion<T>>> answerEarly;

    /** Told each persist's and each apply's duration (the admin endpoint's histograms). */
    ReplicationDriver.Latencies latencies = ReplicationDriver.Latencies.NONE;

    private long persistCount;
    private long persistNanos;
    /** Decided slots applied and answered before their turn's fsync. */
    private long earlyAppliedCount;
    /** Readies whose records, to be synced, were written with the apply's store write (statistics). */
    private long withApplyCount;

    ReadyEffects(
            PaxosReplica replica,
            RocksDbDurableLog durableLog,
            StreamPeerLinks links,
            AddressBook addressBook,
            CommandApplier applier,
            Deliveries deliveries,
            PendingWrites<T> writes,
            SnapshotTransfer snapshots) {
        this.replica = replica;
        this.durableLog = durableLog;
        this.links = links;
        this.addressBook = addressBook;
        this.applier = applier;
        this.deliveries = deliveries;
        this.writes = writes;
        this.snapshots = snapshots;
    }

    /**
     * Fulfils every Ready through {@link ReadyRunner}; the applied state is synced by the caller.
     *
     * @param answerEarly takes, and sends at once, the completions that may be answered before a Ready's fsync; null
     *     if none may (every completion then waits for the caller)
     */
    void drain(Consumer<List<Completion<T>>> answerEarly) {
        this.answerEarly = answerEarly;
        try {
            ReadyRunner.drain(replica, this);
        } finally {
            this.answerEarly = null;
        }
    }

    @Override
    public boolean appliesEarly() {
        return answerEarly != null;
    }

    @Override
    public void send(List<PaxosEnvelope> messages, boolean aheadOfPersist) {
        if (!aheadOfPersist && !messages.isEmpty() && durableLog.deferredNeedsSync()) {
            persistDeferred(); // no message leaves before the records it follows are durable (decisions never are)
        }
        for (PaxosEnvelope message : messages) {
            String target = addressBook.nameOf(message.target());
            if (target != null) {
                links.send(target, ReplicationCodec.paxos(message));
            }
        }
        if (aheadOfPersist) {
            links.flush(); // a leader's Accepts leave now: the followers' fsyncs overlap ours
        }
    }

    @Override
    public void persist(List<DurableRecord> records) {
        if (records.isEmpty()) {
            return;
        }
        if (withNextApply(records)) {
            durableLog.persistWithNextStoreWrite(records);
            return;
        }
        long started = System.nanoTime();
        durableLog.persist(records);
        persisted(started);
    }

    /**
     * Whether {@code records} may wait for the apply's store write: when they hold no snapshot. They are written in
     * the apply's one RocksDB write, ahead of its changes (synced when they hold more than decisions), or alone
     * before anything is sent or installed when they must be synced, or after an apply that wrote nothing ({@link
     * #persistDeferred}); nothing is answered before. A group of one has nothing to send after its records, so its
     * turn is one write and one fsync, as a standalone server's was. Decisions only, which are never synced, go with
     * the apply even when messages leave first (the leader's {@code DecidedAt}s): a decision rests on a quorum's
     * synced votes, not on this record, so a message that leaves before it promises nothing a crash could take
     * back; each server's turn that applies a decision is then one RocksDB write, not two.
     */
    private static boolean withNextApply(List<DurableRecord> records) {
        for (DurableRecord record : records) {
            if (record instanceof DurableRecord.SnapshotSaved) {
                return false;
            }
        }
        return true;
    }

    /** Writes, alone, the records that still wait for an apply's store write, if any. */
    private void persistDeferred() {
        if (durableLog.hasDeferred()) {
            boolean synced = durableLog.deferredNeedsSync();
            long started = System.nanoTime();
            durableLog.persistDeferred();
            if (synced) {
                persisted(started);
            }
        }
    }

    @Override
    public void install(Snapshot snapshot) {
        persistDeferred();
        snapshots.installSnapshot(snapshot);
    }

    @Override
    public void apply(List<LogEntry> entries, boolean early) {
        long started = System.nanoTime();
        if (durableLog.hasDeferred()) {
            boolean synced = durableLog.deferredNeedsSync();
            applier.applyEntries(entries); // its first store write carries the records (synced if they need it)
            boolean withApply = !durableLog.hasDeferred();
            durableLog.persistDeferred(); // or, if it wrote nothing, they go alone
            if (synced) { // the statistics count synced Paxos writes
                withApplyCount += withApply ? 1 : 0;
                persisted(started);
            }
        } else {
            applier.applyEntries(entries);
        }
        latencies.applied(System.nanoTime() - started);
        if (early) {
            earlyAppliedCount += entries.size();
            deliveries.handOverPublications();
            answerEarly.accept(writes.takeCompletions());
        }
    }

    @Override
    public void snapshotRequested(long slot) {
        snapshots.snapshotRequested(slot);
    }

    /** A Paxos log write (with its fsync) that started at {@code started} ended. */
    private void persisted(long started) {
        long nanos = System.nanoTime() - started;
        persistNanos += nanos;
        persistCount++;
        latencies.persisted(nanos);
    }

    long persistCount() {
        return persistCount;
    }

    long persistNanos() {
        return persistNanos;
    }

    long earlyAppliedCount() {
        return earlyAppliedCount;
    }

    long withApplyCount() {
        return withApplyCount;
    }
}
