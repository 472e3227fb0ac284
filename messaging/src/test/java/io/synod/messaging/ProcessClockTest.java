package io.synod.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.clock.LamportClock;
import io.synod.protocol.Limits;
import org.junit.jupiter.api.Test;

class ProcessClockTest {

    /** What the wire refuses and what the clock will not merge are one bound, stated in two pure modules. */
    @Test
    void theClocksBoundIsTheWiresIntegerBound() {
        assertThat(LamportClock.STAMP_MAX).isEqualTo(Limits.INTEGER_MAX);
        assertThat(LamportClock.MERGE_CEILING).isLessThan(Limits.INTEGER_MAX);
    }

    /** Issue 19: a stamp of 2^63-1 (or 2^63-2 then anything) made the next receipt overflow and end the loop. */
    @Test
    void anyReceivedStampLeavesAValidClock() {
        ProcessClock clock = ProcessClock.system();
        for (long stamp : new long[] {Long.MAX_VALUE - 1, Long.MAX_VALUE, 5, Long.MIN_VALUE, Limits.INTEGER_MAX}) {
            long observed = clock.observe(stamp);
            assertThat(observed).isBetween(1L, Limits.INTEGER_MAX);
            assertThat(clock.tickForSend()).isEqualTo(observed + 1);
        }
        assertThat(clock.lamport().stampsOutOfRange()).isEqualTo(4);
    }
}
