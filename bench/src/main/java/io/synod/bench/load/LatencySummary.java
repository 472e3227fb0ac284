package io.synod.bench.load;

import java.util.LinkedHashMap;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Percentiles of a latency histogram recorded in microseconds, reported in milliseconds. An empty
 * histogram gives zeros and {@code count == 0}. Immutable.
 */
public record LatencySummary(long count, double p50Millis, double p99Millis, double p999Millis, double maxMillis) {
    public static final LatencySummary EMPTY = new LatencySummary(0, 0, 0, 0, 0);

    /** Reads the percentiles of {@code micros}, a histogram of microseconds. */
    public static LatencySummary of(Histogram micros) {
        if (micros.getTotalCount() == 0) {
            return EMPTY;
        }
        return new LatencySummary(
                micros.getTotalCount(),
                millis(micros.getValueAtPercentile(50)),
                millis(micros.getValueAtPercentile(99)),
                millis(micros.getValueAtPercentile(99.9)),
                millis(micros.getMaxValue()));
    }

    /** A new histogram of microseconds covering 1 us to 10 minutes with 3 significant digits. */
    public static Histogram newMicrosHistogram() {
        return new Histogram(1, 600_000_000L, 3);
    }

    /** The fields as {@code <prefix>p50_ms, ...} in a fixed order, for JSON. */
    public Map<String, Object> toMap(String prefix) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put(prefix + "p50_ms", p50Millis);
        map.put(prefix + "p99_ms", p99Millis);
        map.put(prefix + "p999_ms", p999Millis);
        map.put(prefix + "max_ms", maxMillis);
        return map;
    }

    /** Microseconds to milliseconds, rounded to the microsecond. */
    private static double millis(long micros) {
        return micros / 1_000.0;
    }
}
