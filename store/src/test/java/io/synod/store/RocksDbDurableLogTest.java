package io.synod.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.consensus.AcceptedEntry;
import io.synod.consensus.Ballot;
import io.synod.consensus.Batch;
import io.synod.consensus.ConfigEntry;
import io.synod.consensus.DurableRecord;
import io.synod.consensus.DurableState;
import io.synod.consensus.InMemoryDurableLog;
import io.synod.consensus.LogCommand;
import io.synod.consensus.LogEntry;
import io.synod.consensus.Membership;
import io.synod.consensus.Snapshot;
import io.synod.consensus.SnapshotMeta;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mirrors consensus's InMemoryDurableLogTest (the reference semantics), each case also after a reopen. */
class RocksDbDurableLogTest {
    @TempDir
    Path dir;

    private final Batch value = Batch.of(new LogCommand.Client(1, 1, new byte[] {7}));

    private static Batch value(long slot) {
        return Batch.of(new LogCommand.Client(1, slot, new byte[] {(byte) slot}));
    }

    private DurableState persistAndReload(List<List<DurableRecord>> readies) {
        DurableState live;
        try (RocksDbDurableLog log = RocksDbDurableLog.open(dir)) {
            readies.forEach(log::persist);
            live = log.load();
        }
        try (RocksDbDurableLog log = RocksDbDurableLog.open(dir)) {
            DurableState reopened = log.load();
            assertThat(reopened).isEqualTo(live);
            return reopened;
        }
    }

    @Test
    void promiseOnlyGrows() {
        DurableState state = persistAndReload(List.of(
                List.of(new DurableRecord.PromisedBallot(new Ballot(5, 1))),
                List.of(new DurableRecord.PromisedBallot(new Ballot(4, 3)))));
        assertThat(state.promised()).isEqualTo(new Ballot(5, 1));
    }

    @Test
    void laterAcceptedValueReplacesEarlierForTheSameSlot() {
        DurableState state = persistAndReload(List.of(
                List.of(new DurableRecord.AcceptedValue(new AcceptedEntry(3, new Ballot(1, 1), Batch.NOOP))),
                List.of(new DurableRecord.AcceptedValue(new AcceptedEntry(3, new Ballot(2, 2), value)))));
        assertThat(state.accepted().get(3L)).isEqualTo(new AcceptedEntry(3, new Ballot(2, 2), value));
    }

    @Test
    void snapshotDeletesEverythingBehindItAndIgnoresLateRecordsBehindIt() {
        List<DurableRecord> first = new ArrayList<>();
        for (long slot = 1; slot <= 5; slot++) {
            first.add(new DurableRecord.AcceptedValue(new AcceptedEntry(slot, new Ballot(1, 1), value)));
            first.add(new DurableRecord.DecidedValue(new LogEntry(slot, value)));
        }
        Snapshot snapshot = new Snapshot(
                new SnapshotMeta(3, List.of(new ConfigEntry(4, Membership.ofVoters(List.of(1, 2, 3))))), new byte[1]);
        DurableState state = persistAndReload(List.of(
                first,
                List.of(
                        new DurableRecord.SnapshotSaved(snapshot),
                        new DurableRecord.DecidedValue(new LogEntry(2, value)))));
        assertThat(state.snapshot()).contains(snapshot);
        assertThat(state.accepted().keySet()).containsExactly(4L, 5L);
        assertThat(state.decided().keySet()).containsExactly(4L, 5L);
        assertThat(state.snapshotSlot()).isEqualTo(3);
    }

    @Test
    void olderSnapshotDoesNotReplaceNewer() {
        Membership genesis = Membership.ofVoters(List.of(1));
        Snapshot newer = new Snapshot(new SnapshotMeta(9, List.of(new ConfigEntry(10, genesis))), new byte[] {9});
        Snapshot older = new Snapshot(new SnapshotMeta(4, List.of(new ConfigEntry(5, genesis))), new byte[] {4});
        DurableState state = persistAndReload(List.of(
                List.of(new DurableRecord.SnapshotSaved(newer)), List.of(new DurableRecord.SnapshotSaved(older))));
        assertThat(state.snapshot()).contains(newer);
    }

    @Test
    void randomRecordSequencesFoldLikeTheReference() {
        Random random = new Random(42);
        Membership genesis = Membership.ofVoters(List.of(1, 2, 3));
        InMemoryDurableLog reference = new InMemoryDurableLog();
        List<List<DurableRecord>> readies = new ArrayList<>();
        java.util.TreeSet<Long> acceptedSlots = new java.util.TreeSet<>(); // what a marker may name
        long snapshotSlot = 0;
        for (int ready = 0; ready < 60; ready++) {
            List<DurableRecord> records = new ArrayList<>();
            for (int i = random.nextInt(4); i >= 0; i--) {
                long slot = 1 + random.nextInt(30);
                Ballot ballot = new Ballot(random.nextInt(5), random.nextInt(3));
                int kind = random.nextInt(5);
                if (kind == 4 && acceptedSlots.isEmpty()) {
                    kind = 1;
                }
                DurableRecord record = switch (kind) {
                    case 0 -> new DurableRecord.PromisedBallot(ballot);
                    case 1 -> new DurableRecord.AcceptedValue(new AcceptedEntry(slot, ballot, value(slot)));
                    case 2 -> new DurableRecord.DecidedValue(new LogEntry(slot, value(slot)));
                    // Ballot zero: accepted values here replace each other in any ballot order.
                    case 4 ->
                        new DurableRecord.DecidedAccepted(
                                acceptedSlots.ceiling(slot) != null
                                        ? acceptedSlots.ceiling(slot)
                                        : acceptedSlots.first(),
                                Ballot.ZERO);
                    default ->
                        new DurableRecord.SnapshotSaved(new Snapshot(
                                new SnapshotMeta(slot, List.of(new ConfigEntry(slot + 1, genesis))), new byte[] {1}));
                };
                if (record instanceof DurableRecord.AcceptedValue a && a.entry().slot() > snapshotSlot) {
                    acceptedSlots.add(a.entry().slot());
                } else if (record instanceof DurableRecord.SnapshotSaved snap
                        && snap.snapshot().lastIncludedSlot() > snapshotSlot) {
                    snapshotSlot = snap.snapshot().lastIncludedSlot();
                    acceptedSlots.headSet(snapshotSlot, true).clear();
                }
                records.add(record);
            }
            reference.persist(records);
            readies.add(records);
        }
        assertThat(persistAndReload(readies)).isEqualTo(reference.load());
    }

    @Test
    void decidedMarkersSurviveAReopenAndResolveToTheAcceptedValues() {
        Ballot ballot = new Ballot(3, 1);
        List<DurableRecord> accepts = new ArrayList<>();
        List<DurableRecord> markers = new ArrayList<>();
        for (long slot = 1; slot <= 5; slot++) {
            accepts.add(new DurableRecord.AcceptedValue(new AcceptedEntry(slot, ballot, value(slot))));
            markers.add(new DurableRecord.DecidedAccepted(slot, ballot));
        }
        DurableState state = persistAndReload(List.of(accepts, markers));
        for (long slot = 1; slot <= 5; slot++) {
            assertThat(state.decided()).containsEntry(slot, value(slot));
        }
    }

    @Test
    void aDecidedMarkerWithoutItsAcceptedValueFailsTheLoad() {
        Path path = dir.resolve("corrupt");
        try (RocksDbDurableLog log = RocksDbDurableLog.open(path)) {
            log.persist(List.of(new DurableRecord.DecidedAccepted(2, new Ballot(1, 1))));
        }
        try (RocksDbDurableLog log = RocksDbDurableLog.open(path)) {
            throw new AssertionError("opened a corrupt log: " + log.load());
        } catch (IllegalStateException expected) {
            assertThat(expected).hasMessageContaining("corrupt Paxos log").hasMessageContaining("slot 2");
        }
    }

    @Test
    void theLogInsideTheChatStoresDatabaseSurvivesAReopenBesideTheChatState() {
        Path shared = dir.resolve("state");
        List<DurableRecord> records = List.of(
                new DurableRecord.PromisedBallot(new Ballot(7, 2)),
                new DurableRecord.AcceptedValue(new AcceptedEntry(1, new Ballot(7, 2), value)));
        DurableState live;
        try (RocksDbChatStore store = RocksDbChatStore.open(shared)) {
            RocksDbDurableLog log = store.paxosLog();
            assertThat(store.paxosLog()).isSameAs(log);
            log.persist(records);
            log.persist(List.of(new DurableRecord.DecidedValue(new LogEntry(1, value)))); // buffered, not synced
            io.synod.core.StoreBatch batch = new io.synod.core.StoreBatch(1025);
            batch.put(new byte[] {'k'}, new byte[] {'v'});
            store.write(batch);
            live = log.load();
            assertThat(live.decided()).containsKey(1L);
        }
        try (RocksDbChatStore store = RocksDbChatStore.open(shared)) {
            assertThat(store.appliedIndex()).isEqualTo(1025);
            assertThat(store.get(new byte[] {'k'})).containsExactly('v');
            assertThat(store.paxosLog().load()).isEqualTo(live);
        }
    }
}
