package io.synod.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * "Paper tests": each test checks one statement of Lamport's "Paxos Made Simple" (2001) and cites its section
 * (the etcd raft_paper_test.go habit).
 */
class PaxosPaperTest {
    private static final Ballot LOW = new Ballot(4, 1);
    private static final Ballot HIGH = new Ballot(5, 3);

    private static PaxosMessage stepAndReply(TestCluster cluster, int node, int from, PaxosMessage message) {
        cluster.inflight.clear();
        cluster.replica(node).step(new PaxosEnvelope(from, node, message));
        cluster.flush(cluster.node(node));
        assertThat(cluster.inflight).hasSize(1);
        return cluster.inflight.remove(0).message();
    }

    @Test
    @DisplayName("§2.2 P1a: an acceptor that promised ballot n answers a lower prepare with a rejection")
    void acceptorRejectsLowerPrepare() {
        TestCluster cluster = new TestCluster(3, 1_000);
        assertThat(stepAndReply(cluster, 2, 3, new PaxosMessage.Prepare(HIGH, 1)))
                .isInstanceOf(PaxosMessage.Promise.class);
        assertThat(stepAndReply(cluster, 2, 1, new PaxosMessage.Prepare(LOW, 1)))
                .isEqualTo(new PaxosMessage.Nack(LOW, HIGH));
    }

    @Test
    @DisplayName("§2.2 P1a: an acceptor accepts a proposal numbered n unless it promised a higher number")
    void acceptorRejectsAcceptBelowPromise() {
        TestCluster cluster = new TestCluster(3, 1_000);
        stepAndReply(cluster, 2, 3, new PaxosMessage.Prepare(HIGH, 1));
        Batch value = Batch.of(TestCluster.command("x"));
        assertThat(stepAndReply(cluster, 2, 1, new PaxosMessage.Accept(LOW, 1, value)))
                .isEqualTo(new PaxosMessage.Nack(LOW, HIGH));
        assertThat(cluster.node(2).disk.load().accepted()).isEmpty();
        assertThat(stepAndReply(cluster, 2, 3, new PaxosMessage.Accept(HIGH, 1, value)))
                .isEqualTo(new PaxosMessage.Accepted(HIGH, 1));
        assertThat(cluster.node(2).disk.load().accepted().get(1L).value()).isEqualTo(value);
    }

    @Test
    @DisplayName("§2.2 phase 1b: a promise reports the highest-numbered proposal the acceptor accepted")
    void promiseReportsAcceptedProposal() {
        TestCluster cluster = new TestCluster(3, 1_000);
        Batch value = Batch.of(TestCluster.command("x"));
        stepAndReply(cluster, 2, 1, new PaxosMessage.Accept(LOW, 7, value));
        PaxosMessage promise = stepAndReply(cluster, 2, 3, new PaxosMessage.Prepare(HIGH, 1));
        assertThat(((PaxosMessage.Promise) promise).accepted()).containsExactly(new AcceptedEntry(7, LOW, value));
    }

    @Test
    @DisplayName("§2.2 (stable storage): the promise and accepted value are persisted before the reply is sent")
    void persistBeforeReply() {
        TestCluster cluster = new TestCluster(3, 1_000);
        PaxosReplica acceptor = cluster.replica(2);
        acceptor.step(new PaxosEnvelope(3, 2, new PaxosMessage.Accept(HIGH, 1, Batch.NOOP)));
        Ready ready = acceptor.ready();
        assertThat(ready.toPersist())
                .containsExactly(
                        new DurableRecord.PromisedBallot(HIGH),
                        new DurableRecord.AcceptedValue(new AcceptedEntry(1, HIGH, Batch.NOOP)));
        assertThat(ready.toSend())
                .extracting(PaxosEnvelope::message)
                .containsExactly(new PaxosMessage.Accepted(HIGH, 1));
        acceptor.advance(ready);
    }

    @Test
    @DisplayName("§2.2 P2c: a value accepted by a majority is re-proposed by the next leader even if nobody learned it")
    void chosenValueSurvivesLeaderFailure() {
        TestCluster cluster = new TestCluster(3, 1_000);
        cluster.elect(1);
        cluster.propose(1, TestCluster.command("a"));
        cluster.deliver(e -> e.target() == 2 && e.message() instanceof PaxosMessage.Accept);
        cluster.crash(1); // n1 and n2 accepted "a": chosen, but n1 dies before hearing n2's Accepted
        cluster.elect(3);
        assertThat(cluster.appliedValues(3)).containsExactly(Batch.of(TestCluster.command("a")));
        assertThat(cluster.appliedValues(2)).containsExactly(Batch.of(TestCluster.command("a")));
    }

    @Test
    @DisplayName("§3: a new leader fills gaps it finds with no-op commands and re-proposes accepted values")
    void newLeaderFillsGapsWithNoops() {
        TestCluster cluster = new TestCluster(3, 1_000);
        cluster.elect(1);
        for (String text : List.of("a", "b", "c")) {
            cluster.propose(1, TestCluster.command(text));
        }
        cluster.deliver(
                e -> e.target() == 2 && e.message() instanceof PaxosMessage.Accept accept && accept.slot() != 2);
        cluster.crash(1);
        cluster.elect(2);
        assertThat(cluster.appliedValues(2))
                .containsExactly(Batch.of(TestCluster.command("a")), Batch.NOOP, Batch.of(TestCluster.command("c")));
    }

    @Test
    @DisplayName("§3: a stable leader runs phase 1 once, then only phase 2 for every further command")
    void phaseOneOnceForAllSlots() {
        TestCluster cluster = new TestCluster(3, 1_000);
        cluster.elect(1);
        cluster.drainEvents();
        for (int i = 0; i < 10; i++) {
            cluster.propose(1, TestCluster.command("c" + i));
            cluster.stabilize();
        }
        assertThat(cluster.drainEvents())
                .noneMatch(line -> line.contains("Prepare"))
                .anyMatch(l -> l.contains("Accept"));
        assertThat(cluster.appliedValues(3)).hasSize(10);
    }

    @Test
    @DisplayName("§2.3: every learner learns the chosen values, in the same order")
    void everyLearnerLearns() {
        TestCluster cluster = new TestCluster(5, 1_000);
        cluster.elect(4);
        for (int i = 0; i < 7; i++) {
            cluster.propose(4, TestCluster.command("c" + i));
        }
        cluster.stabilize();
        for (int id = 1; id <= 5; id++) {
            assertThat(cluster.appliedValues(id))
                    .isEqualTo(cluster.appliedValues(4))
                    .hasSizeGreaterThanOrEqualTo(2);
        }
    }

    @Test
    @DisplayName("§2.4: duelling proposers settle on one distinguished proposer thanks to randomised timeouts")
    void duellingProposersSettle() {
        TestCluster cluster = new TestCluster(3, 1_000, 5, 15);
        for (int round = 0; round < 200; round++) {
            for (int id = 1; id <= 3; id++) {
                cluster.tick(id, 1);
            }
            cluster.stabilize();
        }
        long leaders = cluster.nodes.values().stream()
                .filter(n -> n.replica.isLeader())
                .count();
        assertThat(leaders).isEqualTo(1);
    }

    @Test
    @DisplayName("§2.2: a proposer that learns of a higher-numbered proposal abandons its own")
    void leaderStepsDownOnHigherBallot() {
        TestCluster cluster = new TestCluster(3, 1_000);
        cluster.elect(1);
        cluster.elect(2);
        cluster.propose(1, TestCluster.command("late"));
        cluster.stabilize();
        assertThat(cluster.replica(1).isLeader()).isFalse();
        assertThat(cluster.replica(2).isLeader()).isTrue();
    }

    @Test
    @DisplayName("§3: reconfiguration decided in slot i governs from slot i + alpha (alpha = in-flight window)")
    void reconfigurationTakesEffectAfterAlpha() {
        TestCluster cluster = new TestCluster(3, 1_000);
        cluster.addNode(4);
        cluster.elect(1);
        cluster.propose(1, TestCluster.command("a"));
        assertThat(cluster.propose(1, new LogCommand.AddLearner(4))).isEqualTo(ProposeOutcome.QUEUED);
        cluster.stabilize();
        int alpha = cluster.config.inflightSlotsMax();
        PaxosReplica replica = cluster.replica(2);
        assertThat(replica.membershipAt(2 + alpha - 1).learners()).isEmpty();
        assertThat(replica.membershipAt(2 + alpha).learners()).containsExactly(4);
    }
}
