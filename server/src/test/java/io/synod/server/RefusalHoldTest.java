package io.synod.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Rate-limit refusals are held for {@link RefusalHold#HOLD_MILLIS}, then sent oldest first; a full hold says so. */
class RefusalHoldTest {
    private static final long MILLI = 1_000_000L;

    @Test
    void aRefusalIsSentOnceItsHoldIsOverInArrivalOrder() {
        RefusalHold<String> hold = new RefusalHold<>();
        List<String> sent = new ArrayList<>();
        assertThat(hold.nanosUntilDue(0)).isEqualTo(Long.MAX_VALUE);
        assertThat(hold.hold("a", 0)).isTrue();
        assertThat(hold.hold("b", 10 * MILLI)).isTrue();
        assertThat(hold.nanosUntilDue(20 * MILLI)).isEqualTo((RefusalHold.HOLD_MILLIS - 20) * MILLI);

        hold.releaseDue(RefusalHold.HOLD_MILLIS * MILLI - 1, sent::add);
        assertThat(sent).as("not before its hold is over").isEmpty();
        hold.releaseDue(RefusalHold.HOLD_MILLIS * MILLI, sent::add);
        assertThat(sent).containsExactly("a");
        assertThat(hold.nanosUntilDue(RefusalHold.HOLD_MILLIS * MILLI)).isEqualTo(10 * MILLI);
        hold.releaseDue((RefusalHold.HOLD_MILLIS + 60) * MILLI, sent::add);
        assertThat(sent).containsExactly("a", "b");
        assertThat(hold.size()).isZero();
    }

    @Test
    void aFullHoldRefusesSoTheRefusalIsSentAtOnce() {
        RefusalHold<Integer> hold = new RefusalHold<>();
        for (int i = 0; i < RefusalHold.HELD_MAX; i++) {
            assertThat(hold.hold(i, 0)).isTrue();
        }
        assertThat(hold.hold(-1, 0)).isFalse();
        assertThat(hold.size()).isEqualTo(RefusalHold.HELD_MAX);
        assertThat(hold.nanosUntilDue(RefusalHold.HOLD_MILLIS * MILLI)).isZero();
        List<Integer> sent = new ArrayList<>();
        hold.releaseDue(RefusalHold.HOLD_MILLIS * MILLI, sent::add);
        assertThat(sent).hasSize(RefusalHold.HELD_MAX).startsWith(0, 1, 2);
    }
}
