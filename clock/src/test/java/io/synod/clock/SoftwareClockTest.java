package io.synod.clock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SoftwareClockTest {

    private static final long START_MILLIS = 1_795_000_000_000L;
    private static final SoftwareClockConfig CONFIG = SoftwareClockConfig.defaults();

    @Test
    void readingIsUnderlyingPlusSkewPlusOffset() {
        SoftwareClock clock = new SoftwareClock(CONFIG, -250, START_MILLIS);
        assertThat(clock.readMillis(START_MILLIS + 10)).isEqualTo(START_MILLIS + 10 - 250);
        assertThat(clock.skewMillis()).isEqualTo(-250);
        assertThat(clock.offsetMillis()).isZero();
    }

    @Test
    void skewBeyondLimitIsRejected() {
        assertThatThrownBy(() -> new SoftwareClock(CONFIG, 1_001, START_MILLIS))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SoftwareClock(CONFIG, -1_001, START_MILLIS))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void negativeCorrectionIsSlewedAtTenPercentAndNeverRunsBackwards() {
        SoftwareClock clock = new SoftwareClock(CONFIG, 0, START_MILLIS);
        clock.adjust(START_MILLIS, -100);
        assertThat(clock.readMillis(START_MILLIS)).isEqualTo(START_MILLIS);
        long previousMillis = Long.MIN_VALUE;
        for (long elapsedMillis = 0; elapsedMillis <= 1_200; elapsedMillis++) {
            long readingMillis = clock.readMillis(START_MILLIS + elapsedMillis);
            assertThat(readingMillis).isGreaterThanOrEqualTo(previousMillis);
            previousMillis = readingMillis;
            if (elapsedMillis == 500) {
                assertThat(clock.offsetMillis()).isEqualTo(-50);
                assertThat(clock.pendingAdjustmentMillis()).isEqualTo(-50);
            }
        }
        assertThat(clock.offsetMillis()).isEqualTo(-100);
        assertThat(clock.pendingAdjustmentMillis()).isZero();
    }

    @Test
    void smallPositiveCorrectionIsSlewedLargeOneStepsForward() {
        SoftwareClock clock = new SoftwareClock(CONFIG, 0, START_MILLIS);
        clock.adjust(START_MILLIS, 100);
        assertThat(clock.readMillis(START_MILLIS + 200)).isEqualTo(START_MILLIS + 200 + 20);
        assertThat(clock.stepForwardCount()).isZero();
        clock.adjust(START_MILLIS + 200, 500);
        assertThat(clock.readMillis(START_MILLIS + 200)).isEqualTo(START_MILLIS + 200 + 600);
        assertThat(clock.pendingAdjustmentMillis()).isZero();
        assertThat(clock.stepForwardCount()).isEqualTo(1);
    }

    @Test
    void targetIsDisplayedPlusPendingAndRunsAtUnderlyingRate() {
        SoftwareClock clock = new SoftwareClock(CONFIG, 40, START_MILLIS);
        clock.adjust(START_MILLIS, -80);
        long firstTargetMillis = clock.readTargetMillis(START_MILLIS + 100);
        assertThat(firstTargetMillis).isEqualTo(START_MILLIS + 100 + 40 - 80);
        assertThat(clock.readTargetMillis(START_MILLIS + 400)).isEqualTo(firstTargetMillis + 300);
        assertThat(clock.readMillis(START_MILLIS + 400)).isEqualTo(START_MILLIS + 400 + 40 - 40);
    }

    @Test
    void slewingDoesNotDependOnHowOftenTheClockIsRead() {
        SoftwareClock oftenRead = new SoftwareClock(CONFIG, 0, START_MILLIS);
        SoftwareClock rarelyRead = new SoftwareClock(CONFIG, 0, START_MILLIS);
        oftenRead.adjust(START_MILLIS, -77);
        rarelyRead.adjust(START_MILLIS, -77);
        for (long elapsedMillis = 1; elapsedMillis <= 333; elapsedMillis += 3) {
            oftenRead.readMillis(START_MILLIS + elapsedMillis);
        }
        assertThat(oftenRead.readMillis(START_MILLIS + 334)).isEqualTo(rarelyRead.readMillis(START_MILLIS + 334));
        assertThat(oftenRead.offsetMillis()).isEqualTo(-33);
    }

    @Test
    void underlyingGoingBackwardsHoldsTheClock() {
        SoftwareClock clock = new SoftwareClock(CONFIG, 0, START_MILLIS);
        long beforeMillis = clock.readMillis(START_MILLIS + 1_000);
        assertThat(clock.readMillis(START_MILLIS + 700)).isEqualTo(beforeMillis);
        assertThat(clock.readMillis(START_MILLIS + 1_001)).isEqualTo(beforeMillis + 1);
    }

    @Test
    void correctionsOutOfRangeAreRefusedOrThrown() {
        SoftwareClockConfig config = new SoftwareClockConfig(100, 100, 1_000, 500);
        SoftwareClock clock = new SoftwareClock(config, 0, START_MILLIS);
        assertThat(clock.tryAdjust(START_MILLIS, -501)).isFalse();
        assertThat(clock.tryAdjust(START_MILLIS, -300)).isTrue();
        assertThat(clock.tryAdjust(START_MILLIS, -300)).isFalse();
        assertThatThrownBy(() -> clock.adjust(START_MILLIS, -300)).isInstanceOf(IllegalArgumentException.class);
        assertThat(clock.pendingAdjustmentMillis()).isEqualTo(-300);
        assertThat(clock.adjustmentCount()).isEqualTo(1);
    }

    @Test
    void configIsValidated() {
        assertThatThrownBy(() -> new SoftwareClockConfig(0, 100, 1_000, 1_000))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SoftwareClockConfig(501, 100, 1_000, 1_000))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SoftwareClockConfig(100, -1, 1_000, 1_000))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SoftwareClockConfig(100, 100, 1_000, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** Property: whatever the readings and corrections, the displayed clock never decreases. */
    @Test
    void neverRunsBackwardsUnderRandomReadingsAndCorrections() {
        for (long seed = 1; seed <= 200; seed++) {
            SplittableRandom random = new SplittableRandom(seed);
            SoftwareClockConfig config =
                    new SoftwareClockConfig(random.nextInt(1, 501), random.nextLong(0, 300), 1_000, 3_600_000L);
            SoftwareClock clock = new SoftwareClock(config, random.nextLong(-1_000, 1_001), START_MILLIS);
            long underlyingMillis = START_MILLIS;
            long previousMillis = Long.MIN_VALUE;
            for (int step = 0; step < 500; step++) {
                underlyingMillis += random.nextLong(-20, 40);
                if (random.nextInt(10) == 0) {
                    clock.tryAdjust(underlyingMillis, random.nextLong(-2_000, 2_001));
                }
                long readingMillis = clock.readMillis(underlyingMillis);
                assertThat(readingMillis).as("seed=%d step=%d", seed, step).isGreaterThanOrEqualTo(previousMillis);
                previousMillis = readingMillis;
            }
        }
    }
}
