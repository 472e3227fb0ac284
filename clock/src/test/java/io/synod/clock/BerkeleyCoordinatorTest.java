package io.synod.clock;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.clock.BerkeleyCoordinator.Measurement;
import io.synod.clock.BerkeleyCoordinator.RoundOutcome;
import io.synod.clock.BerkeleyMessage.TimeAdjustment;
import io.synod.clock.BerkeleyMessage.TimeReply;
import io.synod.clock.BerkeleyMessage.TimeRequest;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Paper tests of the Berkeley master. Reference: R. Gusella and S. Zatti, "The Accuracy of the
 * Clock Synchronization Achieved by TEMPO in Berkeley UNIX 4.3BSD", IEEE TSE 15(7), 1989, section
 * II (the master measures each slave's difference, averages the non-faulty ones including its own,
 * and sends each slave its correction).
 */
class BerkeleyCoordinatorTest {

    private static final BerkeleyConfig CONFIG = BerkeleyConfig.defaults();

    @Test
    void pollsEveryOtherServerWithTheSendReading() {
        BerkeleyCoordinator coordinator = new BerkeleyCoordinator(CONFIG, "m");
        List<Outbound<BerkeleyMessage>> polls = coordinator.startRound(1, List.of("s2", "m", "s1"), 5_000, 0);
        assertThat(polls)
                .containsExactly(
                        new Outbound<>("s1", new TimeRequest(1, 5_000)),
                        new Outbound<>("s2", new TimeRequest(1, 5_000)));
    }

    /** Section II: the difference is estimated at the midpoint of the round trip. */
    @Test
    void offsetCompensatesHalfTheRoundTrip() {
        BerkeleyCoordinator coordinator = new BerkeleyCoordinator(CONFIG, "m");
        coordinator.startRound(1, List.of("s1"), 1_000, 0);
        assertThat(coordinator.onTimeReply("s1", new TimeReply(1, 1_000, 2_000, 7), 1_010))
                .isTrue();
        assertThat(coordinator.allAnswered()).isTrue();
        RoundOutcome outcome = coordinator.closeRound(0).orElseThrow();
        assertThat(outcome.report().offsetsMillis()).containsEntry("s1", 995L);
        assertThat(outcome.report().roundTripsMillis()).containsEntry("s1", 10L);
    }

    @Test
    void staleDuplicateAndUnpolledRepliesAreIgnored() {
        BerkeleyCoordinator coordinator = new BerkeleyCoordinator(CONFIG, "m");
        coordinator.startRound(2, List.of("s1", "s2"), 1_000, 0);
        assertThat(coordinator.onTimeReply("s1", new TimeReply(1, 1_000, 1_000, 0), 1_002))
                .isFalse();
        assertThat(coordinator.onTimeReply("s9", new TimeReply(2, 1_000, 1_000, 0), 1_002))
                .isFalse();
        assertThat(coordinator.onTimeReply("s1", new TimeReply(2, 1_000, 1_000, 0), 1_002))
                .isTrue();
        assertThat(coordinator.onTimeReply("s1", new TimeReply(2, 1_000, 1_500, 0), 1_002))
                .isFalse();
        assertThat(coordinator.allAnswered()).isFalse();
        RoundOutcome outcome = coordinator.closeRound(0).orElseThrow();
        assertThat(outcome.report().silentServers()).containsExactly("s2");
        assertThat(outcome.report().offsetsMillis()).containsEntry("s1", -1L);
    }

    /**
     * Section II: the fault-tolerant average leaves out clocks too far from the others, but those
     * clocks still receive a correction; a measurement with an excessive round trip is unusable.
     */
    @Test
    void faultTolerantAverageWithOutliers() {
        Map<String, Measurement> measurements = new TreeMap<>();
        measurements.put("s1", new Measurement(10, 4, 1));
        measurements.put("s2", new Measurement(-20, 2, 2));
        measurements.put("s3", new Measurement(500, 2, 3));
        measurements.put("s4", new Measurement(5, 1_000, 4));
        RoundOutcome outcome = BerkeleyCoordinator.computeRound(CONFIG, 9, "m", measurements, Set.of("s5"));

        assertThat(outcome.report().averageOffsetMillis()).isEqualTo(-3);
        assertThat(outcome.coordinatorDeltaMillis()).isEqualTo(-3);
        assertThat(outcome.report().excludedFromAverage()).containsExactly("s3", "s4");
        assertThat(outcome.report().silentServers()).containsExactly("s5");
        assertThat(outcome.report().spreadMillis()).isEqualTo(520);
        assertThat(outcome.adjustmentsToSend())
                .containsExactly(
                        new Outbound<>("s1", new TimeAdjustment(9, -13, 1)),
                        new Outbound<>("s2", new TimeAdjustment(9, 17, 2)),
                        new Outbound<>("s3", new TimeAdjustment(9, -503, 3)));
    }

    @Test
    void aSkewedCoordinatorIsItselfTheOutlierAndCorrectsItself() {
        Map<String, Measurement> measurements = new TreeMap<>();
        measurements.put("s1", new Measurement(-900, 2, 0));
        measurements.put("s2", new Measurement(-910, 2, 0));
        RoundOutcome outcome = BerkeleyCoordinator.computeRound(CONFIG, 1, "m", measurements, Set.of());
        assertThat(outcome.report().excludedFromAverage()).containsExactly("m");
        assertThat(outcome.coordinatorDeltaMillis()).isEqualTo(-905);
        assertThat(outcome.adjustmentsToSend())
                .containsExactly(
                        new Outbound<>("s1", new TimeAdjustment(1, -5, 0)),
                        new Outbound<>("s2", new TimeAdjustment(1, 5, 0)));
    }

    @Test
    void roundIsAbortedIfTheCoordinatorClockWasAdjustedMeanwhile() {
        BerkeleyCoordinator coordinator = new BerkeleyCoordinator(CONFIG, "m");
        coordinator.startRound(1, List.of("s1"), 1_000, 4);
        coordinator.onTimeReply("s1", new TimeReply(1, 1_000, 1_000, 0), 1_002);
        assertThat(coordinator.closeRound(5)).isEmpty();
        assertThat(coordinator.isRoundOpen()).isFalse();
    }

    @Test
    void halvingRoundsHalfUp() {
        assertThat(BerkeleyCoordinator.halfUp(5)).isEqualTo(3);
        assertThat(BerkeleyCoordinator.halfUp(-5)).isEqualTo(-2);
        assertThat(BerkeleyCoordinator.halfUp(4)).isEqualTo(2);
    }
}
