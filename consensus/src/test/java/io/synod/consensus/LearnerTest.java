package io.synod.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Unit tests of the learner role: ordering, snapshots, truncation, reconfiguration. */
class LearnerTest {
    private final PaxosConfig config =
            new PaxosConfig(1, Membership.ofVoters(List.of(1, 2, 3)), 5, 5, 1, 2, 3, 4, 64, 8, 2, 4, 0);
    private final Outbox out = new Outbox(1);
    private final Acceptor acceptor = new Acceptor(out, EnumSet.noneOf(Mutation.class), Ballot.ZERO, new TreeMap<>());
    private final Learner learner = new Learner(config, out, acceptor, DurableState.empty(), 0);

    private static Batch value(int i) {
        return Batch.of(new LogCommand.Client(1, i, new byte[] {(byte) i}));
    }

    @Test
    void aDecisionOfTheValueThisAcceptorAcceptedIsPersistedAsAMarker() {
        Ballot ballot = new Ballot(3, 2);
        acceptor.onAccept(new PaxosMessage.Accept(ballot, 1, value(1)), 0);
        acceptor.onAccept(new PaxosMessage.Accept(ballot, 2, value(2)), 0);
        out.clear();
        learner.learn(1, value(1)); // equal, not the same object: e.g. a Decision decoded from the wire
        learner.learn(2, value(9)); // not what this acceptor accepted (impossible in Paxos, but never trusted)
        learner.learn(3, value(3)); // nothing accepted here
        assertThat(out.toPersist)
                .containsExactly(
                        new DurableRecord.DecidedAccepted(1, ballot),
                        new DurableRecord.DecidedValue(new LogEntry(2, value(9))),
                        new DurableRecord.DecidedValue(new LogEntry(3, value(3))));
    }

    @Test
    void aDecidedAtIsLearnedFromTheAcceptedValueAtItsBallotOrAHigherOne() {
        acceptor.onAccept(new PaxosMessage.Accept(new Ballot(2, 1), 1, value(1)), 0);
        acceptor.onAccept(new PaxosMessage.Accept(new Ballot(2, 1), 2, value(2)), 0);
        acceptor.onAccept(new PaxosMessage.Accept(new Ballot(4, 3), 3, value(3)), 0);
        out.clear();
        assertThat(learner.learnDecidedAt(1, new Ballot(2, 1))).isTrue();
        assertThat(learner.learnDecidedAt(3, new Ballot(3, 2))).isTrue(); // accepted at a higher ballot: same value
        assertThat(learner.learnDecidedAt(2, new Ballot(3, 2))).isFalse(); // accepted only at a lower ballot
        assertThat(learner.learnDecidedAt(4, new Ballot(2, 1))).isFalse(); // never accepted
        assertThat(learner.isDecided(2)).isFalse();
        assertThat(learner.decidedValue(1)).isEqualTo(value(1));
        assertThat(learner.decidedValue(3)).isEqualTo(value(3));
        assertThat(out.toPersist)
                .containsExactly(
                        new DurableRecord.DecidedAccepted(1, new Ballot(2, 1)),
                        new DurableRecord.DecidedAccepted(3, new Ballot(4, 3)));
        assertThat(learner.learnDecidedAt(1, new Ballot(2, 1)))
                .as("already decided: nothing to ask for")
                .isTrue();
    }

    @Test
    void outOfOrderDecisionsAreAppliedInSlotOrder() {
        learner.learn(2, value(2));
        assertThat(out.toApply).isEmpty();
        learner.learn(1, value(1));
        assertThat(out.toApply).extracting(LogEntry::slot).containsExactly(1L, 2L);
        assertThat(learner.decidedPrefixSlot()).isEqualTo(2);
    }

    @Test
    void relearningTheSameValueIsHarmlessButAConflictIsFatal() {
        assertThat(learner.learn(1, value(1))).isTrue();
        assertThat(learner.learn(1, value(1))).isFalse();
        assertThatThrownBy(() -> learner.learn(1, value(9))).hasMessageContaining("decided twice");
    }

    @Test
    void asksForSnapshotAtConfiguredLogSizeAndTruncates() {
        for (int i = 1; i <= 4; i++) {
            learner.learn(i, value(i));
        }
        assertThat(out.snapshotRequestSlot).isEqualTo(4);
        learner.snapshotTaken(4, new byte[] {42});
        assertThat(learner.snapshotSlot()).isEqualTo(4);
        assertThat(learner.decidedFrom(1, 100)).isEmpty();
        assertThat(out.toPersist).last().isInstanceOf(DurableRecord.SnapshotSaved.class);
        PaxosMessage.CatchUpReply reply = learner.catchUpFrom(2);
        assertThat(reply.snapshot()).isPresent();
        assertThat(reply.entries()).isEmpty();
    }

    @Test
    void aSnapshotMayBeTakenAtALaterAppliedSlotThanAskedFor() {
        for (int i = 1; i <= 4; i++) {
            learner.learn(i, value(i));
        }
        assertThat(out.snapshotRequestSlot).isEqualTo(4);
        out.clear();
        learner.learn(5, value(5));
        learner.learn(6, value(6));
        assertThat(out.snapshotRequestSlot).as("asked once, until taken").isZero();
        learner.snapshotTaken(6, new byte[] {6}); // the driver took it two slots later, as the state was then
        assertThat(learner.snapshotSlot()).isEqualTo(6);
        assertThat(learner.decidedFrom(1, 100)).isEmpty();
        assertThat(learner.catchUpFrom(5).snapshot()).isPresent();
        assertThatThrownBy(() -> learner.snapshotTaken(7, new byte[] {7})).hasMessageContaining("not applied");
    }

    @Test
    void installsSnapshotFromPeerAndContinuesAfterIt() {
        learner.learn(1, value(1));
        Snapshot snapshot =
                new Snapshot(new SnapshotMeta(10, List.of(new ConfigEntry(11, config.genesis()))), new byte[3]);
        learner.learn(11, value(11));
        out.clear();
        assertThat(learner.install(snapshot)).isTrue();
        assertThat(out.snapshotToInstall).isEqualTo(snapshot);
        assertThat(out.toApply).extracting(LogEntry::slot).containsExactly(11L);
        assertThat(learner.install(snapshot)).isFalse();
    }

    @Test
    void reconfigurationGovernsAlphaSlotsLater() {
        learner.learn(1, Batch.of(new LogCommand.AddLearner(4)));
        assertThat(learner.timeline().at(3).learners()).isEmpty();
        assertThat(learner.timeline().at(4).learners()).containsExactly(4);
    }

    @Test
    void restoreReappliesDecidedEntriesAfterTheDriversAppliedSlot() {
        InMemoryDurableLog disk = new InMemoryDurableLog();
        for (int i = 1; i <= 3; i++) {
            disk.persist(new DurableRecord.DecidedValue(new LogEntry(i, value(i))));
        }
        Outbox restoredOut = new Outbox(1);
        Learner restored = new Learner(config, restoredOut, acceptor, disk.load(), 1);
        assertThat(restoredOut.toApply).extracting(LogEntry::slot).containsExactly(2L, 3L);
        assertThat(restored.decidedPrefixSlot()).isEqualTo(3);
    }
}
