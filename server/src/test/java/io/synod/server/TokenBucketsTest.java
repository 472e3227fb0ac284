package io.synod.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The token bucket on a clock the test drives (nanoseconds): burst, refill, refusal wait, eviction, a clock going back. */
class TokenBucketsTest {
    private static final long SECOND = 1_000_000_000L;
    private static final long T0 = 5 * SECOND;

    @Test
    void aNewBucketGivesItsBurstThenRefusesWithTheWaitForOneToken() {
        TokenBuckets buckets = new TokenBuckets(10, 3, 16);
        for (int i = 0; i < 3; i++) {
            assertThat(buckets.take("ana", T0)).as("token %d of the burst", i).isZero();
        }
        assertThat(buckets.take("ana", T0)).as("10/s: a token every 100 ms").isEqualTo(SECOND / 10);
        assertThat(buckets.take("ana", T0 + SECOND / 10 - 1)).isEqualTo(1);
        assertThat(buckets.take("bia", T0)).as("another key has its own bucket").isZero();
    }

    @Test
    void refillsAtTheRateAndNeverBeyondTheBurst() {
        TokenBuckets buckets = new TokenBuckets(10, 3, 16);
        for (int i = 0; i < 3; i++) {
            buckets.take("ana", T0);
        }
        assertThat(buckets.take("ana", T0 + SECOND / 10))
                .as("one token after 100 ms")
                .isZero();
        assertThat(buckets.take("ana", T0 + SECOND / 10)).isPositive();
        long later = T0 + 100 * SECOND; // idle far longer than the bucket takes to fill
        for (int i = 0; i < 3; i++) {
            assertThat(buckets.take("ana", later)).isZero();
        }
        assertThat(buckets.take("ana", later))
                .as("full is the burst, however long the idle")
                .isPositive();
    }

    @Test
    void aRefusalTakesNothing() {
        TokenBuckets buckets = new TokenBuckets(1, 1, 16);
        assertThat(buckets.take("ana", T0)).isZero();
        for (int i = 0; i < 100; i++) {
            assertThat(buckets.take("ana", T0 + i)).isPositive();
        }
        assertThat(buckets.take("ana", T0 + SECOND))
                .as("refused attempts did not push the token further away")
                .isZero();
    }

    @Test
    void aClockGoingBackwardsRefillsNothingUntilItPassesTheLastTimeAgain() {
        TokenBuckets buckets = new TokenBuckets(10, 1, 16);
        assertThat(buckets.take("ana", T0)).isZero();
        assertThat(buckets.take("ana", T0 - 10 * SECOND))
                .as("10 s back: no refill")
                .isPositive();
        assertThat(buckets.take("ana", T0 + SECOND / 20))
                .as("50 ms after the last time: half a token")
                .isPositive();
        assertThat(buckets.take("ana", T0 + SECOND / 10)).isZero();
    }

    @Test
    void idleFullBucketsAreDroppedAndTheCountStaysWithinTheMax() {
        TokenBuckets buckets = new TokenBuckets(10, 2, 4);
        for (int i = 0; i < 4; i++) {
            buckets.take("user-" + i, T0);
        }
        assertThat(buckets.size()).isEqualTo(4);
        for (int i = 4; i < 100; i++) {
            buckets.take("user-" + i, T0);
            assertThat(buckets.size()).as("bounded by bucketsMax").isLessThanOrEqualTo(4);
        }
        // a second later every bucket is full again (2 tokens at 10/s take 200 ms): the sweep drops them
        buckets.take("late-1", T0 + SECOND);
        buckets.take("late-2", T0 + SECOND);
        assertThat(buckets.size())
                .as("idle full buckets gone, the two new ones kept")
                .isEqualTo(2);
    }

    @Test
    void aBusyBucketIsNotDroppedAsIdle() {
        TokenBuckets buckets = new TokenBuckets(1, 1, 16);
        assertThat(buckets.take("ana", T0)).isZero();
        buckets.take("bia", T0 + SECOND / 2); // the sweep sees ana half full: kept
        assertThat(buckets.take("ana", T0 + SECOND / 2))
                .as("ana's bucket still remembers the token taken")
                .isPositive();
    }

    @Test
    void absurdParametersAreRefused() {
        assertThatThrownBy(() -> new TokenBuckets(0, 1, 1)).hasMessageContaining("rate");
        assertThatThrownBy(() -> new TokenBuckets(RateLimits.RATE_PER_SECOND_MAX + 1, 1, 1))
                .hasMessageContaining("rate");
        assertThatThrownBy(() -> new TokenBuckets(1, 0, 1)).hasMessageContaining("burst");
        assertThatThrownBy(() -> new TokenBuckets(1, 1, 0)).hasMessageContaining("bucketsMax");
    }

    @Test
    void theLargestRateAndBurstDoNotOverflow() {
        long max = RateLimits.RATE_PER_SECOND_MAX;
        TokenBuckets buckets = new TokenBuckets(max, max, 4);
        for (int i = 0; i < 1_000; i++) {
            assertThat(buckets.take("ana", T0)).isZero();
        }
        assertThat(buckets.take("ana", Long.MAX_VALUE / 2)).isZero();
        assertThat(buckets.take("ana", Long.MAX_VALUE / 2 + SECOND / 2)).isZero();
    }
}
