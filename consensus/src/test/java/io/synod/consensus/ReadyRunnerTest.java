package io.synod.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The order {@link ReadyRunner} carries a Ready out in, on a leader's Ready that has all of it: a decision to apply
 * early, a new vote to persist, Accepts to send first and other messages after.
 */
class ReadyRunnerTest {
    private TestCluster cluster;
    private PaxosReplica leader;

    /** Leader 1 has slot 1 accepted by its followers; one input turn then decides slot 1 and proposes slot 2. */
    @BeforeEach
    void decideOneAndProposeTheNext() {
        cluster = new TestCluster(3, 1_000);
        cluster.elect(1);
        cluster.propose(1, TestCluster.command("a"));
        cluster.deliver(e -> e.source() == 1 && e.message() instanceof PaxosMessage.Accept);
        PaxosEnvelope vote = cluster.inflight.stream()
                .filter(e -> e.source() == 2 && e.target() == 1)
                .findFirst()
                .orElseThrow();
        leader = cluster.replica(1);
        leader.step(vote);
        leader.propose(TestCluster.command("b"));
    }

    @Test
    void earlyAcceptsThenEarlyAppliesThenTheVotesThenTheRest() {
        Ready ready = leader.ready();
        assertThat(ready.earlyApplySparesAnFsync())
                .as("the Ready this test needs")
                .isTrue();
        Recorder recorder = new Recorder(true, null);

        assertThat(ReadyRunner.run(leader, ready, recorder)).isTrue();

        assertThat(recorder.calls)
                .containsExactly(
                        "send ahead " + names(ready.sendableBeforePersist()),
                        "proceed BEFORE_PERSIST",
                        "persist " + names(ready.decisionsAppliableBeforePersist()),
                        "apply early [1]",
                        "proceed AFTER_EARLY_APPLY",
                        "persist " + names(ready.toPersistAfterEarlyApply()),
                        "send " + names(ready.sendableAfterPersist()),
                        "proceed AFTER_SEND",
                        "apply []");
        assertThat(ready.sendableBeforePersist()).isNotEmpty();
        assertThat(ready.sendableAfterPersist()).isNotEmpty();
        assertThat(ready.decisionsAppliableBeforePersist()).isNotEmpty();
        assertThat(leader.hasReady()).as("advanced").isFalse();
        leader.tick(); // takes input again: advanced
    }

    @Test
    void aDriverThatCannotAnswerEarlyAppliesAfterPersistingEverything() {
        Ready ready = leader.ready();
        Recorder recorder = new Recorder(false, null);

        assertThat(ReadyRunner.run(leader, ready, recorder)).isTrue();

        assertThat(recorder.calls)
                .containsExactly(
                        "send ahead " + names(ready.sendableBeforePersist()),
                        "proceed BEFORE_PERSIST",
                        "persist " + names(ready.toPersist()),
                        "send " + names(ready.sendableAfterPersist()),
                        "proceed AFTER_SEND",
                        "apply [1]");
    }

    @Test
    void aStopEndsTheReadyThereAndLeavesTheReplicaUnadvanced() {
        for (ReadyRunner.Stop stop : ReadyRunner.Stop.values()) {
            decideOneAndProposeTheNext();
            Recorder recorder = new Recorder(true, stop);

            assertThat(ReadyRunner.drain(leader, recorder)).as(stop.name()).isFalse();

            assertThat(recorder.calls.getLast()).isEqualTo("proceed " + stop);
            assertThat(recorder.calls).noneMatch(call -> call.startsWith("apply []"));
            assertThatThrownBy(leader::tick).as("not advanced").hasMessageContaining("advance");
        }
    }

    @Test
    void resentAcceptsWithNothingToPersistAreNotAheadOfAnything() {
        cluster = new TestCluster(3, 1_000);
        cluster.elect(1);
        cluster.propose(1, TestCluster.command("a"));
        cluster.drop(e -> e.message() instanceof PaxosMessage.Accept);
        leader = cluster.replica(1);
        for (int i = 0; i < cluster.config.acceptRetryTicks(); i++) {
            leader.tick();
        }
        Ready ready = leader.ready();
        assertThat(ready.toPersist()).as("the Ready this test needs").isEmpty();
        assertThat(ready.sendableBeforePersist())
                .as("the Ready this test needs")
                .isNotEmpty();
        Recorder recorder = new Recorder(true, null);

        ReadyRunner.run(leader, ready, recorder);

        assertThat(recorder.calls)
                .containsExactly(
                        "send " + names(ready.sendableBeforePersist()),
                        "proceed BEFORE_PERSIST",
                        "persist []",
                        "send " + names(ready.sendableAfterPersist()),
                        "proceed AFTER_SEND",
                        "apply []");
    }

    private static List<String> names(List<?> items) {
        return items.stream().map(String::valueOf).toList();
    }

    /** Records each call; stops at {@code stopAt}. */
    private static final class Recorder implements ReadyRunner.Effects {
        final List<String> calls = new ArrayList<>();
        private final boolean appliesEarly;
        private final ReadyRunner.Stop stopAt;

        Recorder(boolean appliesEarly, ReadyRunner.Stop stopAt) {
            this.appliesEarly = appliesEarly;
            this.stopAt = stopAt;
        }

        @Override
        public boolean appliesEarly() {
            return appliesEarly;
        }

        @Override
        public void send(List<PaxosEnvelope> messages, boolean aheadOfPersist) {
            calls.add((aheadOfPersist ? "send ahead " : "send ") + names(messages));
        }

        @Override
        public void persist(List<DurableRecord> records) {
            calls.add("persist " + names(records));
        }

        @Override
        public void install(Snapshot snapshot) {
            calls.add("install " + snapshot.lastIncludedSlot());
        }

        @Override
        public void apply(List<LogEntry> entries, boolean early) {
            calls.add((early ? "apply early " : "apply ")
                    + entries.stream().map(LogEntry::slot).toList());
        }

        @Override
        public void snapshotRequested(long slot) {
            calls.add("snapshot " + slot);
        }

        @Override
        public boolean proceed(ReadyRunner.Stop stop, Ready ready) {
            calls.add("proceed " + stop);
            return stop != stopAt;
        }
    }
}
