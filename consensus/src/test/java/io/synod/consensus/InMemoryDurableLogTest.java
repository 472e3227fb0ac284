package io.synod.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The reference semantics of {@link DurableRecord}s that every {@link DurableLog} (e.g. RocksDB) must match. */
class InMemoryDurableLogTest {
    private final InMemoryDurableLog log = new InMemoryDurableLog();
    private final Batch value = Batch.of(new LogCommand.Client(1, 1, new byte[] {7}));

    @Test
    void promiseOnlyGrows() {
        log.persist(new DurableRecord.PromisedBallot(new Ballot(5, 1)));
        log.persist(new DurableRecord.PromisedBallot(new Ballot(4, 3)));
        assertThat(log.load().promised()).isEqualTo(new Ballot(5, 1));
    }

    @Test
    void laterAcceptedValueReplacesEarlierForTheSameSlot() {
        log.persist(new DurableRecord.AcceptedValue(new AcceptedEntry(3, new Ballot(1, 1), Batch.NOOP)));
        log.persist(new DurableRecord.AcceptedValue(new AcceptedEntry(3, new Ballot(2, 2), value)));
        assertThat(log.load().accepted().get(3L)).isEqualTo(new AcceptedEntry(3, new Ballot(2, 2), value));
    }

    @Test
    void snapshotDeletesEverythingBehindItAndIgnoresLateRecordsBehindIt() {
        for (long slot = 1; slot <= 5; slot++) {
            log.persist(new DurableRecord.AcceptedValue(new AcceptedEntry(slot, new Ballot(1, 1), value)));
            log.persist(new DurableRecord.DecidedValue(new LogEntry(slot, value)));
        }
        Snapshot snapshot = new Snapshot(
                new SnapshotMeta(3, List.of(new ConfigEntry(4, Membership.ofVoters(List.of(1, 2, 3))))), new byte[1]);
        log.persist(List.of(
                new DurableRecord.SnapshotSaved(snapshot), new DurableRecord.DecidedValue(new LogEntry(2, value))));
        DurableState state = log.load();
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
        log.persist(new DurableRecord.SnapshotSaved(newer));
        log.persist(new DurableRecord.SnapshotSaved(older));
        assertThat(log.load().snapshot()).contains(newer);
    }

    @Test
    void aDecidedMarkerResolvesToTheAcceptedValueOfItsSlot() {
        log.persist(List.of(
                new DurableRecord.AcceptedValue(new AcceptedEntry(3, new Ballot(2, 1), value)),
                new DurableRecord.DecidedAccepted(3, new Ballot(2, 1))));
        assertThat(log.load().decided()).containsEntry(3L, value);
        assertThat(log.decided(3)).contains(value);
        // A later accept of the decided slot has a higher ballot and the same value: the marker still resolves.
        log.persist(new DurableRecord.AcceptedValue(new AcceptedEntry(3, new Ballot(5, 2), value)));
        assertThat(log.load().decided()).containsEntry(3L, value);
    }

    @Test
    void aDecidedMarkerWithoutItsAcceptedValueIsACorruptLog() {
        assertThatThrownBy(() -> log.persist(new DurableRecord.DecidedAccepted(4, new Ballot(1, 1))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("corrupt Paxos log");
        log.persist(new DurableRecord.AcceptedValue(new AcceptedEntry(4, new Ballot(1, 1), value)));
        assertThatThrownBy(() -> log.persist(new DurableRecord.DecidedAccepted(4, new Ballot(2, 1))))
                .hasMessageContaining("slot 4");
        assertThat(log.load().decided()).isEmpty();
    }

    @Test
    void aSnapshotDeletesDecidedMarkersWithTheirAcceptedValues() {
        for (long slot = 1; slot <= 4; slot++) {
            log.persist(new DurableRecord.AcceptedValue(new AcceptedEntry(slot, new Ballot(1, 1), value)));
            log.persist(new DurableRecord.DecidedAccepted(slot, new Ballot(1, 1)));
        }
        log.persist(new DurableRecord.SnapshotSaved(new Snapshot(
                new SnapshotMeta(2, List.of(new ConfigEntry(3, Membership.ofVoters(List.of(1))))), new byte[1])));
        DurableState state = log.load();
        assertThat(state.accepted().keySet()).containsExactly(3L, 4L);
        assertThat(state.decided()).containsOnlyKeys(3L, 4L).containsValue(value);
    }
}
