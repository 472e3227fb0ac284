package io.synod.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IdleWakeTest {
    private static final long TICK_NANOS = 10_000_000; // 10 ms

    @Test
    void waitsUntilTheIdleWakeTickRoundedUpToWholeMilliseconds() {
        long next = 1_000_000_000L;
        assertThat(IdleWake.waitMillis(next, TICK_NANOS, 5, next)).isEqualTo(40); // four ticks after the next one
        assertThat(IdleWake.waitMillis(next, TICK_NANOS, 1, next - 3_000_000)).isEqualTo(3);
        // 0.4 ms left is 1 ms, not 0: a wait of 0 would poll busily until the tick
        assertThat(IdleWake.waitMillis(next, TICK_NANOS, 1, next - 400_000)).isEqualTo(1);
        assertThat(IdleWake.waitMillis(next, TICK_NANOS, 1, next - 1_000_001)).isEqualTo(2);
    }

    @Test
    void neverNegativeWhenTheWakeIsOverdue() {
        long next = 5_000_000_000L;
        assertThat(IdleWake.waitMillis(next, TICK_NANOS, 5, next + 1_000_000_000L))
                .isZero();
    }
}
