package io.synod.simulation;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.synod.consensus.Batch;
import io.synod.consensus.LogCommand;
import io.synod.consensus.LogEntry;
import org.junit.jupiter.api.Test;

/** The checkers themselves must be able to fail. */
class SimCheckerTest {
    private final SimChecker checker = new SimChecker();

    private static Batch request(long client, long request) {
        return Batch.of(new LogCommand.Client(client, request, new byte[0]));
    }

    @Test
    void twoValuesForOneSlotViolateAgreement() {
        checker.onDecided(1, new LogEntry(1, request(1, 1)));
        assertThatCode(() -> checker.onDecided(2, new LogEntry(1, request(1, 1))))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> checker.onDecided(3, new LogEntry(1, Batch.NOOP)))
                .isInstanceOf(SimViolation.class)
                .hasMessageContaining("agreement");
    }

    @Test
    void differentStatesAtOneSlotViolatePrefixConsistency() {
        checker.onApplied(1, new LogEntry(1, request(1, 1)), 42);
        assertThatThrownBy(() -> checker.onApplied(2, new LogEntry(1, request(1, 1)), 43))
                .isInstanceOf(SimViolation.class)
                .hasMessageContaining("prefix");
        assertThatThrownBy(() -> checker.onSnapshotInstalled(3, 1, 44)).hasMessageContaining("prefix");
    }

    @Test
    void acknowledgedRequestMissingFromTheLogViolatesExactlyOnce() {
        checker.onDecided(1, new LogEntry(1, request(1, 1)));
        checker.onAcknowledged(1, 1);
        assertThatCode(checker::checkAcknowledgedExactlyOnce).doesNotThrowAnyException();
        checker.onAcknowledged(1, 2);
        assertThatThrownBy(checker::checkAcknowledgedExactlyOnce).hasMessageContaining("exactly-once");
    }

    @Test
    void stateMachineRejectsARequestAppliedBeforeItsPredecessor() {
        SimStateMachine machine = new SimStateMachine();
        machine.apply(new LogEntry(1, request(1, 1)), (c, o) -> {});
        machine.apply(new LogEntry(2, request(1, 1)), (c, o) -> {}); // a retried duplicate: dropped
        assertThatThrownBy(() -> machine.apply(new LogEntry(3, request(1, 3)), (c, o) -> {}))
                .hasMessageContaining("applied before request 2");
        assertThatThrownBy(() -> machine.apply(new LogEntry(9, Batch.NOOP), (c, o) -> {}))
                .hasMessageContaining("applied slot 9");
    }
}
