package io.synod.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Unit tests of the acceptor role in isolation. */
class AcceptorTest {
    private final PaxosConfig config = PaxosConfig.defaults(1, Membership.ofVoters(List.of(1, 2, 3)));
    private final Outbox out = new Outbox(1);
    private final Acceptor acceptor = new Acceptor(out, EnumSet.noneOf(Mutation.class), Ballot.ZERO, new TreeMap<>());
    private final Learner learner = new Learner(config, out, acceptor, DurableState.empty(), 0);
    private final Batch value = Batch.of(new LogCommand.Client(1, 1, new byte[] {1}));

    @Test
    void promisesHigherBallotAndPersistsIt() {
        PaxosMessage reply = acceptor.onPrepare(new PaxosMessage.Prepare(new Ballot(1, 2), 1), learner);
        assertThat(reply).isInstanceOf(PaxosMessage.Promise.class);
        assertThat(out.toPersist).containsExactly(new DurableRecord.PromisedBallot(new Ballot(1, 2)));
        assertThat(acceptor.promised()).isEqualTo(new Ballot(1, 2));
    }

    @Test
    void repeatedPrepareOfSameBallotIsPromisedAgainWithoutNewRecord() {
        acceptor.onPrepare(new PaxosMessage.Prepare(new Ballot(1, 2), 1), learner);
        out.clear();
        assertThat(acceptor.onPrepare(new PaxosMessage.Prepare(new Ballot(1, 2), 1), learner))
                .isInstanceOf(PaxosMessage.Promise.class);
        assertThat(out.toPersist).isEmpty();
    }

    @Test
    void acceptRaisesPromiseAndIsReportedInLaterPromises() {
        assertThat(acceptor.onAccept(new PaxosMessage.Accept(new Ballot(3, 1), 4, value), 0))
                .isEqualTo(new PaxosMessage.Accepted(new Ballot(3, 1), 4));
        assertThat(acceptor.promised()).isEqualTo(new Ballot(3, 1));
        var promise = (PaxosMessage.Promise) acceptor.onPrepare(new PaxosMessage.Prepare(new Ballot(4, 2), 2), learner);
        assertThat(promise.accepted()).containsExactly(new AcceptedEntry(4, new Ballot(3, 1), value));
        var later = (PaxosMessage.Promise) acceptor.onPrepare(new PaxosMessage.Prepare(new Ballot(5, 2), 5), learner);
        assertThat(later.accepted()).isEmpty();
    }

    @Test
    void decidedSlotsAreReportedAsDecisionsNotAcceptances() {
        acceptor.onAccept(new PaxosMessage.Accept(new Ballot(3, 1), 2, value), 0);
        learner.learn(2, value);
        var promise = (PaxosMessage.Promise) acceptor.onPrepare(new PaxosMessage.Prepare(new Ballot(4, 2), 1), learner);
        assertThat(promise.accepted()).isEmpty();
        assertThat(promise.decided()).containsExactly(new LogEntry(2, value));
    }

    @Test
    void acceptBehindSnapshotIsIgnored() {
        assertThat(acceptor.onAccept(new PaxosMessage.Accept(new Ballot(3, 1), 4, value), 10))
                .isNull();
    }

    @Test
    void restoredAcceptedValueImpliesItsPromise() {
        TreeMap<Long, AcceptedEntry> accepted = new TreeMap<>();
        accepted.put(1L, new AcceptedEntry(1, new Ballot(7, 3), value));
        Acceptor restored = new Acceptor(out, EnumSet.noneOf(Mutation.class), new Ballot(2, 1), accepted);
        assertThat(restored.promised()).isEqualTo(new Ballot(7, 3));
    }
}
