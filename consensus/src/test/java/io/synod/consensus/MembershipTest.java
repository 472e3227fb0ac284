package io.synod.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class MembershipTest {
    private final Membership three = Membership.ofVoters(List.of(3, 1, 2));

    @Test
    void quorumIsStrictMajorityOfVoters() {
        assertThat(three.quorumSize()).isEqualTo(2);
        assertThat(Membership.ofVoters(List.of(1, 2, 3, 4)).quorumSize()).isEqualTo(3);
        assertThat(three.isQuorum(List.of(1, 9))).isFalse();
        assertThat(three.isQuorum(List.of(1, 3))).isTrue();
    }

    @Test
    void learnersNeverCountInQuorums() {
        Membership withLearner = new Membership(List.of(1, 2, 3), List.of(4));
        assertThat(withLearner.isQuorum(List.of(1, 4))).isFalse();
    }

    @Test
    void oneServerAtATimeLifecycle() {
        Membership added = three.apply(new LogCommand.AddLearner(4)).orElseThrow();
        assertThat(added.learners()).containsExactly(4);
        Membership promoted = added.apply(new LogCommand.PromoteLearner(4)).orElseThrow();
        assertThat(promoted.voters()).containsExactly(1, 2, 3, 4);
        Membership removed = promoted.apply(new LogCommand.RemoveServer(2)).orElseThrow();
        assertThat(removed.voters()).containsExactly(1, 3, 4);
    }

    @Test
    void invalidChangesAreIgnored() {
        assertThat(three.apply(new LogCommand.AddLearner(1))).isEmpty();
        assertThat(three.apply(new LogCommand.PromoteLearner(7))).isEmpty();
        assertThat(three.apply(new LogCommand.RemoveServer(7))).isEmpty();
        assertThat(Membership.ofVoters(List.of(1)).apply(new LogCommand.RemoveServer(1)))
                .isEmpty();
        assertThat(three.apply(new LogCommand.Client(1, 1, new byte[0]))).isEmpty();
    }

    @Test
    void rejectsMalformedMemberships() {
        assertThatThrownBy(() -> Membership.ofVoters(List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Membership(List.of(1), List.of(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Membership.ofVoters(List.of(1, 1))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void ballotsOrderByRoundThenNode() {
        assertThat(new Ballot(2, 1)).isGreaterThan(new Ballot(1, 9));
        assertThat(new Ballot(2, 3)).isGreaterThan(new Ballot(2, 1));
        assertThat(new Ballot(1, 1).greaterThan(Ballot.ZERO)).isTrue();
        assertThat(new Ballot(1, 1).atLeast(new Ballot(1, 1))).isTrue();
    }

    @Test
    void configTimelineAnswersPerSlot() {
        ConfigTimeline timeline = new ConfigTimeline(List.of(new ConfigEntry(1, three)));
        Membership four = Membership.ofVoters(List.of(1, 2, 3, 4));
        timeline.add(10, four);
        assertThat(timeline.at(9)).isEqualTo(three);
        assertThat(timeline.at(10)).isEqualTo(four);
        assertThat(timeline.between(5, 12)).containsExactly(three, four);
        assertThat(timeline.from(11)).containsExactly(new ConfigEntry(11, four));
        timeline.pruneBefore(11);
        assertThat(timeline.at(1)).isEqualTo(four);
    }
}
