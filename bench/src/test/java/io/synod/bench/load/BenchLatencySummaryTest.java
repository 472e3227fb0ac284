package io.synod.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class BenchLatencySummaryTest {
    @Test
    void anEmptyHistogramIsAllZeros() {
        assertThat(LatencySummary.of(LatencySummary.newMicrosHistogram())).isEqualTo(LatencySummary.EMPTY);
    }

    @Test
    void percentilesOfAUniformSpreadAreInMillisecondsWithinTheHistogramPrecision() {
        Histogram micros = LatencySummary.newMicrosHistogram();
        for (int millis = 1; millis <= 1_000; millis++) {
            micros.recordValue(millis * 1_000L); // 1 ms .. 1000 ms, once each
        }
        LatencySummary summary = LatencySummary.of(micros);
        assertThat(summary.count()).isEqualTo(1_000);
        assertThat(summary.p50Millis()).isCloseTo(500, within(1.0));
        assertThat(summary.p99Millis()).isCloseTo(990, within(1.0));
        assertThat(summary.p999Millis()).isCloseTo(999, within(1.0));
        assertThat(summary.maxMillis()).isCloseTo(1_000, within(1.0));
        assertThat(summary.p50Millis()).isLessThanOrEqualTo(summary.p99Millis());
        assertThat(summary.p99Millis()).isLessThanOrEqualTo(summary.p999Millis());
        assertThat(summary.p999Millis()).isLessThanOrEqualTo(summary.maxMillis());
    }

    @Test
    void aSingleSlowOutlierShowsOnlyAboveThePercentileItExceeds() {
        Histogram micros = LatencySummary.newMicrosHistogram();
        for (int i = 0; i < 999; i++) {
            micros.recordValue(2_000); // 2 ms
        }
        micros.recordValue(3_000_000); // one 3 s outlier
        LatencySummary summary = LatencySummary.of(micros);
        assertThat(summary.p50Millis()).isCloseTo(2, within(0.01));
        assertThat(summary.p99Millis()).isCloseTo(2, within(0.01));
        assertThat(summary.maxMillis()).isCloseTo(3_000, within(3.0));
    }

    @Test
    void meterTalliesSplitLiveOutcomesFromTheMeasuredWindow() {
        BenchMeter meter = new BenchMeter();
        meter.writeAcked(1_000, false);
        meter.writeAcked(2_000, true);
        meter.readAcked(500, true);
        meter.error("publish: channel does not exist", true);
        meter.timeout(false);
        meter.delivered(-1, true);
        BenchMeter.Interval live = meter.sample();
        BenchMeter.Interval measured = meter.measured();
        assertThat(live.counts()).isEqualTo(new BenchMeter.Counts(2, 1, 1, 1, 1));
        assertThat(measured.counts()).isEqualTo(new BenchMeter.Counts(1, 1, 1, 0, 1));
        assertThat(measured.writeMicros().getTotalCount()).isEqualTo(1);
        assertThat(measured.deliveryMicros().getTotalCount()).isZero(); // no send time in the message
        assertThat(meter.errorTexts()).containsEntry("publish: channel does not exist", 1L);
        assertThat(meter.sample().writeMicros().getTotalCount())
                .as("interval histograms reset")
                .isZero();
    }

    @Test
    void messageStampsRoundTripAndForeignTextsCarryNone() {
        assertThat(MessageStamp.sentNanos(MessageStamp.prefix(123_456_789L) + "xxxx"))
                .isEqualTo(123_456_789L);
        assertThat(MessageStamp.sentNanos(MessageStamp.prefix(-42L))).isEqualTo(-42L);
        assertThat(MessageStamp.sentNanos("hello")).isEqualTo(Long.MIN_VALUE);
        assertThat(MessageStamp.sentNanos("tabc;")).isEqualTo(Long.MIN_VALUE);
        assertThat(MessageStamp.sentNanos(null)).isEqualTo(Long.MIN_VALUE);
    }
}
