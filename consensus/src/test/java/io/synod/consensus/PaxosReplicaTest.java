package io.synod.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The replica's driver contract: ready/advance order, restore from durable state, config validation. */
class PaxosReplicaTest {
    private final PaxosConfig config = PaxosConfig.defaults(1, Membership.ofVoters(List.of(1, 2, 3)));

    /** Node 2 of voters 1, 2 and 3, fresh, driven by hand (node 1 plays the leader). */
    private static PaxosReplica followerOfThree() {
        return PaxosReplica.create(
                PaxosConfig.defaults(2, Membership.ofVoters(List.of(1, 2, 3))), new SplittableRandom(1));
    }

    @Test
    void inputsBetweenReadyAndAdvanceAreRejected() {
        PaxosReplica replica = PaxosReplica.create(config, new SplittableRandom(1));
        replica.step(new PaxosEnvelope(2, 1, new PaxosMessage.Prepare(new Ballot(1, 2), 1)));
        Ready ready = replica.ready();
        assertThatThrownBy(replica::tick).isInstanceOf(IllegalArgumentException.class);
        replica.advance(ready);
        assertThat(replica.hasReady()).isFalse();
        assertThatThrownBy(() -> replica.advance(ready)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aDecidedAtResolvesToTheAcceptedValueOrAsksTheLeaderToCatchUp() {
        PaxosReplica follower = followerOfThree();
        Ballot ballot = new Ballot(1, 1);
        Batch value = Batch.of(TestCluster.command("x"));
        // The DecidedAt overtook its Accept (a network that reorders): the follower cannot know the value.
        follower.step(new PaxosEnvelope(1, 2, new PaxosMessage.DecidedAt(ballot, 1)));
        Ready first = follower.ready();
        assertThat(first.toSend()).containsExactly(new PaxosEnvelope(2, 1, new PaxosMessage.CatchUpRequest(1)));
        assertThat(first.toApply()).isEmpty();
        follower.advance(first);
        follower.step(new PaxosEnvelope(1, 2, new PaxosMessage.Accept(ballot, 1, value)));
        follower.advance(follower.ready());
        follower.step(new PaxosEnvelope(1, 2, new PaxosMessage.DecidedAt(ballot, 1)));
        Ready decided = follower.ready();
        assertThat(decided.toApply()).containsExactly(new LogEntry(1, value));
        assertThat(decided.toPersist()).containsExactly(new DurableRecord.DecidedAccepted(1, ballot));
        assertThat(decided.toSend()).isEmpty();
        follower.advance(decided);
    }

    /**
     * Of five voters, a slot's Accept goes to the leader and three followers (the two a decision needs and a spare);
     * the fifth persists nothing and sends no vote, and learns the value from a {@code Decision}. The three get a
     * {@code DecidedAt} (two votes are no quorum of five).
     */
    @Test
    void ofFiveVotersTheAcceptGoesToAQuorumAndASpareAndTheFifthGetsTheDecision() {
        TestCluster cluster = new TestCluster(5, 1_000);
        cluster.elect(1);
        cluster.drainEvents();
        cluster.propose(1, TestCluster.command("a"));
        cluster.stabilize();
        List<String> events = cluster.drainEvents();
        for (int voter = 2; voter <= 4; voter++) {
            String accept = "1->" + voter + " Accept ";
            String decidedAt = "1->" + voter + " DecidedAt slot=";
            assertThat(events).anyMatch(line -> line.contains(accept));
            assertThat(events).as("two votes are no quorum of five").anyMatch(line -> line.contains(decidedAt));
        }
        assertThat(events).noneMatch(line -> line.contains("1->5 Accept ") || line.contains("5->1 Accepted"));
        assertThat(events).anyMatch(line -> line.contains("1->5 Decision slot="));
        assertThat(events).noneMatch(line -> line.contains("Decision") && !line.contains("1->5 "));
        for (int voter = 2; voter <= 5; voter++) {
            assertThat(cluster.appliedValues(voter)).isEqualTo(cluster.appliedValues(1));
        }
    }

    /** With one of the three Accept targets gone, the spare makes the quorum: no slot waits for a retry. */
    @Test
    void ofFiveVotersOneSilentTargetDelaysNoDecision() {
        TestCluster cluster = new TestCluster(5, 1_000);
        cluster.elect(1);
        cluster.crash(2);
        cluster.drainEvents();
        cluster.propose(1, TestCluster.command("a"));
        cluster.stabilize(); // no tick: a retry cannot have helped
        assertThat(cluster.appliedValues(1)).last().isEqualTo(Batch.of(TestCluster.command("a")));
        for (int voter = 3; voter <= 5; voter++) {
            assertThat(cluster.appliedValues(voter)).isEqualTo(cluster.appliedValues(1));
        }
        assertThat(cluster.drainEvents()).noneMatch(line -> line.contains("1->5 Accept "));
    }

    /**
     * A target silent for two heartbeat intervals is left out of new slots in favour of a live voter; with two
     * targets silent before that, the retry asks the voter left out, so the slot is still decided.
     */
    @Test
    void ofFiveVotersSilentTargetsAreReplacedAndTheRetryAsksTheVoterLeftOut() {
        TestCluster cluster = new TestCluster(5, 1_000);
        cluster.elect(1);
        cluster.crash(2);
        cluster.crash(3);
        cluster.drainEvents();
        cluster.propose(1, TestCluster.command("a"));
        cluster.stabilize();
        assertThat(cluster.appliedValues(1))
                .as("only 1 and 4 accepted")
                .doesNotContain(Batch.of(TestCluster.command("a")));
        for (int tick = 0; tick < cluster.config.acceptRetryTicks(); tick++) {
            cluster.tick(1, 1);
            cluster.stabilize();
        }
        assertThat(cluster.drainEvents()).anyMatch(line -> line.contains("1->5 Accept "));
        assertThat(cluster.appliedValues(1)).last().isEqualTo(Batch.of(TestCluster.command("a")));
        assertThat(cluster.appliedValues(5)).isEqualTo(cluster.appliedValues(1));
        for (int tick = 0; tick < 2 * cluster.config.heartbeatIntervalTicks() + 1; tick++) {
            cluster.tick(1, 1); // heartbeats: 4 and 5 reply, 2 and 3 stay silent
            cluster.stabilize();
        }
        cluster.drainEvents();
        cluster.propose(1, TestCluster.command("b"));
        cluster.stabilize(); // no tick: decided by the first Accepts
        List<String> events = cluster.drainEvents();
        assertThat(events).anyMatch(line -> line.contains("1->4 Accept "));
        assertThat(events).anyMatch(line -> line.contains("1->5 Accept "));
        assertThat(cluster.appliedValues(1)).last().isEqualTo(Batch.of(TestCluster.command("b")));
        assertThat(cluster.appliedValues(5)).isEqualTo(cluster.appliedValues(1));
    }

    /**
     * Of three voters, each follower learns from its vote and the leader's, so the leader sends no DecidedAt: one
     * message and one wake-up less per write at each follower. The leader decides with the first follower's vote;
     * the other, whose vote comes later, learns from the same two votes.
     */
    @Test
    void ofThreeVotersTheFollowersLearnFromTheVotesAndGetNoDecidedAt() {
        TestCluster cluster = new TestCluster(3, 1_000);
        cluster.elect(1);
        cluster.drainEvents();
        cluster.propose(1, TestCluster.command("a"));
        cluster.stabilize();
        List<String> events = cluster.drainEvents();
        assertThat(events).noneMatch(line -> line.contains("DecidedAt") || line.contains("Decision"));
        assertThat(cluster.appliedValues(1)).last().isEqualTo(Batch.of(TestCluster.command("a")));
        assertThat(cluster.appliedValues(2)).isEqualTo(cluster.appliedValues(1));
        assertThat(cluster.appliedValues(3)).isEqualTo(cluster.appliedValues(1));
        assertThat(cluster.replica(2).learnedFromVotesCount()
                        + cluster.replica(3).learnedFromVotesCount())
                .isGreaterThanOrEqualTo(2);
    }

    /** A follower that missed the Accept (and so cannot learn from the votes) learns from the heartbeat's prefix. */
    @Test
    void aFollowerThatMissedTheAcceptCatchesUpWithoutADecidedAt() {
        TestCluster cluster = new TestCluster(3, 1_000);
        cluster.elect(1);
        cluster.drainEvents();
        cluster.propose(1, TestCluster.command("a"));
        assertThat(cluster.drop(e -> e.source() == 1 && e.target() == 3))
                .as("the Accept and the leader's vote")
                .isEqualTo(2);
        cluster.stabilize();
        assertThat(cluster.appliedValues(1)).last().isEqualTo(Batch.of(TestCluster.command("a")));
        assertThat(cluster.appliedValues(3)).doesNotContain(Batch.of(TestCluster.command("a")));
        for (int tick = 0; tick < 40; tick++) { // four heartbeats
            cluster.tick(1, 1);
            cluster.stabilize();
        }
        assertThat(cluster.appliedValues(3)).isEqualTo(cluster.appliedValues(1));
    }

    @Test
    void aFollowerLearnsFromItsVoteAndTheLeadersBeforeAnyDecidedAt() {
        TestCluster cluster = new TestCluster(3, 1_000);
        cluster.elect(1);
        cluster.drainEvents();
        cluster.propose(1, TestCluster.command("a"));
        // Only the leader's messages to node 2 arrive: its Accept and its own vote. Nobody's vote reaches the leader.
        cluster.deliver(e -> e.source() == 1 && e.target() == 2);
        List<Batch> applied = cluster.appliedValues(2);
        assertThat(applied).last().isEqualTo(Batch.of(TestCluster.command("a")));
        assertThat(cluster.replica(2).learnedFromVotesCount()).isEqualTo(1);
        assertThat(cluster.drainEvents()).noneMatch(line -> line.contains("DecidedAt"));
        assertThat(cluster.appliedValues(1))
                .as("the leader has not decided yet")
                .doesNotContain(applied.getLast());
        cluster.stabilize();
        assertThat(cluster.appliedValues(1)).isEqualTo(cluster.appliedValues(2));
        assertThat(cluster.appliedValues(3)).isEqualTo(cluster.appliedValues(2));
    }

    @Test
    void twoVotesAreNoQuorumOfFiveVoters() {
        TestCluster cluster = new TestCluster(5, 1_000);
        cluster.elect(1);
        List<Batch> before = cluster.appliedValues(2);
        cluster.propose(1, TestCluster.command("a"));
        cluster.deliver(e -> e.source() == 1 && e.target() == 2);
        assertThat(cluster.appliedValues(2)).isEqualTo(before);
        assertThat(cluster.replica(2).learnedFromVotesCount()).isZero();
        cluster.stabilize();
        assertThat(cluster.appliedValues(2)).last().isEqualTo(Batch.of(TestCluster.command("a")));
    }

    @Test
    void aVoteTeachesNothingWithoutOwnVoteAtTheSameBallot() {
        PaxosReplica follower = followerOfThree();
        Ballot ballot = new Ballot(1, 1);
        Batch value = Batch.of(TestCluster.command("x"));
        // The leader's vote overtook its Accept (a network that reorders): no vote of our own yet.
        follower.step(new PaxosEnvelope(1, 2, new PaxosMessage.Accepted(ballot, 1)));
        follower.advance(follower.ready());
        follower.step(new PaxosEnvelope(1, 2, new PaxosMessage.Accept(ballot, 1, value)));
        follower.advance(follower.ready());
        // A vote at another ballot: another proposal, maybe another value.
        follower.step(new PaxosEnvelope(3, 2, new PaxosMessage.Accepted(new Ballot(2, 3), 1)));
        Ready other = follower.ready();
        assertThat(other.toApply()).isEmpty();
        follower.advance(other);
        // The same ballot: chosen, learned, persisted as decided before it is applied.
        follower.step(new PaxosEnvelope(1, 2, new PaxosMessage.Accepted(ballot, 1)));
        Ready learned = follower.ready();
        assertThat(learned.toPersist()).containsExactly(new DurableRecord.DecidedAccepted(1, ballot));
        assertThat(learned.toApply()).containsExactly(new LogEntry(1, value));
        follower.advance(learned);
        assertThat(follower.learnedFromVotesCount()).isEqualTo(1);
    }

    @Test
    void aSlotLearnedFromTheVoteThisReadyPersistsIsNotAppliedBeforeThatVoteIsDurable() {
        PaxosReplica follower = followerOfThree();
        Ballot ballot = new Ballot(1, 1);
        Batch value = Batch.of(TestCluster.command("x"));
        // The Accept and the leader's vote in one input: our vote and the decision rest on this Ready's record.
        follower.step(new PaxosEnvelope(1, 2, new PaxosMessage.Accept(ballot, 1, value)));
        follower.step(new PaxosEnvelope(1, 2, new PaxosMessage.Accepted(ballot, 1)));
        Ready ready = follower.ready();
        assertThat(ready.toApply()).containsExactly(new LogEntry(1, value));
        assertThat(ready.toPersist()).hasAtLeastOneElementOfType(DurableRecord.AcceptedValue.class);
        assertThat(ready.appliableBeforePersist()).isEmpty();
        assertThat(ready.decisionsAppliableBeforePersist()).isEmpty();
        assertThat(ready.earlyApplySparesAnFsync()).isFalse();
        assertThat(ready.toPersistAfterEarlyApply()).isEqualTo(ready.toPersist());
        assertThat(ready.toApplyAfterPersist()).isEqualTo(ready.toApply());
        follower.advance(ready);
    }

    @Test
    void aSlotLearnedFromAnEarlierVoteIsAppliedBeforeTheNewVoteOfTheSameReady() {
        PaxosReplica follower = followerOfThree();
        Ballot ballot = new Ballot(1, 1);
        Batch first = Batch.of(TestCluster.command("a"));
        Batch second = Batch.of(TestCluster.command("b"));
        follower.step(new PaxosEnvelope(1, 2, new PaxosMessage.Accept(ballot, 1, first)));
        follower.advance(follower.ready()); // our vote for slot 1 is durable
        // The leader's vote for slot 1 arrives with its Accept of slot 2.
        follower.step(new PaxosEnvelope(1, 2, new PaxosMessage.Accept(ballot, 2, second)));
        follower.step(new PaxosEnvelope(1, 2, new PaxosMessage.Accepted(ballot, 1)));
        Ready ready = follower.ready();
        assertThat(ready.appliableBeforePersist()).containsExactly(new LogEntry(1, first));
        assertThat(ready.decisionsAppliableBeforePersist())
                .containsExactly(new DurableRecord.DecidedAccepted(1, ballot));
        assertThat(ready.toPersistAfterEarlyApply())
                .singleElement()
                .isInstanceOfSatisfying(
                        DurableRecord.AcceptedValue.class,
                        a -> assertThat(a.entry().slot()).isEqualTo(2));
        assertThat(ready.toApplyAfterPersist()).isEmpty();
        assertThat(ready.earlyApplySparesAnFsync())
                .as("the rest holds a vote, which is synced")
                .isTrue();
        follower.advance(ready);
    }

    @Test
    void nothingIsAppliedEarlyAroundASnapshot() {
        LogEntry decided = new LogEntry(3, Batch.of(TestCluster.command("c")));
        List<DurableRecord> decision = List.of(new DurableRecord.DecidedValue(decided));
        Snapshot snapshot = new Snapshot(
                new SnapshotMeta(2, List.of(new ConfigEntry(3, Membership.ofVoters(List.of(1, 2, 3))))), new byte[1]);
        assertThat(Ready.appliableBeforePersist(decision, Optional.empty(), List.of(decided)))
                .isEqualTo(1);
        assertThat(Ready.appliableBeforePersist(
                        List.of(new DurableRecord.SnapshotSaved(snapshot), decision.get(0)),
                        Optional.empty(),
                        List.of(decided)))
                .isZero();
        assertThat(Ready.appliableBeforePersist(decision, Optional.of(snapshot), List.of(decided)))
                .isZero();
    }

    @Test
    void restartedAcceptorRemembersItsPromise() {
        TestCluster cluster = new TestCluster(3, 1_000);
        cluster.replica(2).step(new PaxosEnvelope(3, 2, new PaxosMessage.Prepare(new Ballot(9, 3), 1)));
        cluster.flush(cluster.node(2));
        cluster.crash(2);
        cluster.restart(2);
        assertThat(cluster.replica(2).promisedBallot()).isEqualTo(new Ballot(9, 3));
    }

    @Test
    void restartedReplicaReappliesDecidedLogAndRejoins() {
        TestCluster cluster = new TestCluster(3, 1_000);
        cluster.elect(1);
        for (int i = 0; i < 5; i++) {
            cluster.propose(1, TestCluster.command("c" + i));
        }
        cluster.stabilize();
        List<Batch> before = cluster.appliedValues(3);
        cluster.crash(3);
        cluster.restart(3);
        assertThat(cluster.appliedValues(3)).isEqualTo(before);
        cluster.propose(1, TestCluster.command("after"));
        cluster.stabilize();
        assertThat(cluster.appliedValues(3)).hasSize(before.size() + 1);
    }

    @Test
    void laggingReplicaCatchesUpFromSnapshotAfterTruncation() {
        TestCluster cluster = new TestCluster(3, 4);
        cluster.elect(1);
        cluster.crash(3);
        for (int i = 0; i < 20; i++) {
            cluster.propose(1, TestCluster.command("c" + i));
            cluster.stabilize();
        }
        assertThat(cluster.replica(1).snapshotSlot()).isGreaterThan(4);
        cluster.restart(3);
        for (int i = 0; i < 6; i++) {
            cluster.tick(1, 1);
            cluster.stabilize();
        }
        assertThat(cluster.replica(3).decidedPrefixSlot())
                .isEqualTo(cluster.replica(1).decidedPrefixSlot());
        assertThat(cluster.drainEvents()).anyMatch(line -> line.contains("n3 installed snapshot"));
    }

    @Test
    void configRejectsUnnamedOrInconsistentLimits() {
        Membership genesis = Membership.ofVoters(List.of(1));
        assertThatThrownBy(() -> new PaxosConfig(1, genesis, 2, 5, 1, 1, 1, 1, 1, 1, 1, 1, 0))
                .hasMessageContaining("electionTimeoutTicksMin");
        assertThatThrownBy(() -> new PaxosConfig(1, genesis, 5, 4, 1, 1, 1, 1, 1, 1, 1, 1, 0))
                .hasMessageContaining("electionTimeoutTicksMax");
        assertThatThrownBy(() -> new PaxosConfig(1, genesis, 5, 5, 1, 1, 0, 1, 1, 1, 1, 1, 0))
                .hasMessageContaining("inflightSlotsMax");
    }

    /** A single-voter replica ticked until it leads (it needs no peer for phase 1). */
    private static PaxosReplica soloLeader(PaxosConfig solo) {
        PaxosReplica replica = PaxosReplica.create(solo, new SplittableRandom(3));
        for (int i = 0; i < 3; i++) {
            replica.tick();
            if (replica.hasReady()) {
                replica.advance(replica.ready());
            }
        }
        assertThat(replica.isLeader()).isTrue();
        return replica;
    }

    @Test
    void singleVoterDecidesAlone() {
        PaxosConfig solo = new PaxosConfig(1, Membership.ofVoters(List.of(1)), 3, 3, 1, 1, 2, 2, 8, 2, 1, 100, 0);
        PaxosReplica replica = soloLeader(solo);
        replica.propose(new LogCommand.Client(1, 1, new byte[0]));
        Ready ready = replica.ready();
        assertThat(ready.toApply()).extracting(LogEntry::slot).containsExactly(1L);
        assertThat(ready.appliableBeforePersist())
                .as("its decision rests on its own vote of this Ready")
                .isEmpty();
        replica.advance(ready);
    }

    @Test
    void proposeAllPacksCommandsThatArriveTogetherIntoSharedSlots() {
        PaxosConfig solo = new PaxosConfig(1, Membership.ofVoters(List.of(1)), 3, 3, 1, 1, 2, 4, 64, 2, 1, 100, 0);
        PaxosReplica replica = soloLeader(solo);
        List<LogCommand.Client> commands = new java.util.ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            commands.add(new LogCommand.Client(1, i, new byte[] {(byte) i}));
        }
        assertThat(replica.proposeAll(commands))
                .containsOnly(ProposeOutcome.QUEUED)
                .hasSize(10);
        Ready ready = replica.ready();
        // 4 commands per slot: 10 commands take 3 slots, not 10 (a single voter decides as it proposes)
        assertThat(ready.toApply()).extracting(e -> e.value().commands().size()).containsExactly(4, 4, 2);
        replica.advance(ready);
        List<LogCommand> applied = new java.util.ArrayList<>();
        ready.toApply().forEach(e -> applied.addAll(e.value().commands()));
        while (replica.hasReady() || applied.size() < 10) {
            if (!replica.hasReady()) {
                replica.tick();
                continue;
            }
            Ready next = replica.ready();
            next.toApply().forEach(e -> applied.addAll(e.value().commands()));
            replica.advance(next);
        }
        assertThat(applied).filteredOn(c -> c instanceof LogCommand.Client).containsExactlyElementsOf(commands);
    }
}
