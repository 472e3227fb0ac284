package io.synod.bench.load;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one run measured: its settings, the summary of the measurement window and one point per
 * second. Immutable.
 *
 * @param config the settings
 * @param summary the measurement window
 * @param series one point per second of the measurement window (outcomes counted when they happened)
 * @param errorTexts error replies by text over the whole run (warm-up included)
 * @param operations the acknowledged requests of the measurement window by service, sorted by name
 */
public record BenchResult(
        BenchConfig config,
        Summary summary,
        List<Second> series,
        Map<String, Long> errorTexts,
        Map<String, LatencySummary> operations) {
    public BenchResult {
        series = List.copyOf(series);
        errorTexts = Map.copyOf(errorTexts);
        operations = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(operations));
    }

    /** A result without a breakdown by operation. */
    public BenchResult(BenchConfig config, Summary summary, List<Second> series, Map<String, Long> errorTexts) {
        this(config, summary, series, errorTexts, Map.of());
    }

    /** Acknowledged requests per second of one operation over the measurement window. */
    public double operationsPerSecond(LatencySummary operation) {
        return summary.measuredSeconds() <= 0 ? 0 : operation.count() / summary.measuredSeconds();
    }

    /**
     * The measurement window. Requests are attributed to the window by their send time: every
     * request sent in it is acknowledged, refused (error) or timed out, whenever that happens;
     * deliveries by their arrival time. Rates divide by {@code measuredSeconds}.
     */
    public record Summary(
            double measuredSeconds,
            long ackedWrites,
            long ackedReads,
            long errors,
            long timeouts,
            long lateReplies,
            long deliveries,
            LatencySummary writeLatency,
            LatencySummary readLatency,
            LatencySummary deliveryLatency,
            long subscriberSockets,
            long gaps,
            long duplicates,
            long outOfOrder) {
        public double ackedPerSecond() {
            return rate(ackedWrites);
        }

        public double readsPerSecond() {
            return rate(ackedReads);
        }

        public double deliveriesPerSecond() {
            return rate(deliveries);
        }

        private double rate(long count) {
            return measuredSeconds <= 0 ? 0 : count / measuredSeconds;
        }
    }

    /**
     * One interval (normally a second) of the measurement window.
     *
     * @param endSeconds end of the interval, seconds since the window opened
     * @param lengthSeconds its length
     */
    public record Second(
            double endSeconds,
            double lengthSeconds,
            long ackedWrites,
            long ackedReads,
            long deliveries,
            long errors,
            long timeouts,
            LatencySummary writeLatency,
            LatencySummary readLatency) {
        public double ackedPerSecond() {
            return lengthSeconds <= 0 ? 0 : ackedWrites / lengthSeconds;
        }

        public double readsPerSecond() {
            return lengthSeconds <= 0 ? 0 : ackedReads / lengthSeconds;
        }

        public double deliveriesPerSecond() {
            return lengthSeconds <= 0 ? 0 : deliveries / lengthSeconds;
        }

        Map<String, Object> toMap() {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("t_s", round(endSeconds, 3));
            map.put("length_s", round(lengthSeconds, 3));
            map.put("acked_per_s", round(ackedPerSecond(), 1));
            map.put("reads_per_s", round(readsPerSecond(), 1));
            map.put("deliveries_per_s", round(deliveriesPerSecond(), 1));
            map.put("errors", errors);
            map.put("timeouts", timeouts);
            map.put("p50_ms", writeLatency.p50Millis());
            map.put("p99_ms", writeLatency.p99Millis());
            map.put("max_ms", writeLatency.maxMillis());
            map.put("read_p99_ms", readLatency.p99Millis());
            return map;
        }
    }

    /**
     * The one-line JSON object of {@code --json}: the headline numbers (write latency for
     * {@code p50_ms} etc.), then the counts and the settings that matter to compare runs.
     */
    public Map<String, Object> headline() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("workload", config.workload().label());
        map.put("clients", config.clients());
        map.put("servers", config.servers());
        map.put("in_flight", config.inFlightPerClient());
        map.put("duration_s", round(summary.measuredSeconds(), 3));
        map.put("acked_per_s", round(summary.ackedPerSecond(), 1));
        map.put("reads_per_s", round(summary.readsPerSecond(), 1));
        map.put("deliveries_per_s", round(summary.deliveriesPerSecond(), 1));
        map.putAll(summary.writeLatency().toMap(""));
        map.putAll(summary.readLatency().toMap("read_"));
        map.putAll(summary.deliveryLatency().toMap("delivery_"));
        map.put("acked_writes", summary.ackedWrites());
        map.put("acked_reads", summary.ackedReads());
        map.put("deliveries", summary.deliveries());
        map.put("errors", summary.errors());
        map.put("timeouts", summary.timeouts());
        map.put("late_replies", summary.lateReplies());
        map.put("gaps", summary.gaps());
        map.put("duplicates", summary.duplicates());
        map.put("out_of_order", summary.outOfOrder());
        map.put("subscribers", summary.subscriberSockets());
        map.put("message_bytes", config.messageBytes());
        if (config.workload() == Workload.SOCIAL) {
            map.put("social_mix", config.socialMix().label());
        }
        Map<String, Object> byOperation = new LinkedHashMap<>();
        operations.forEach((service, latency) -> {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("acked", latency.count());
            one.put("per_s", round(operationsPerSecond(latency), 1));
            one.putAll(latency.toMap(""));
            byOperation.put(service, one);
        });
        map.put("operations", byOperation);
        return map;
    }

    /** Everything, for result.json: {@code config}, {@code summary}, {@code errors}, {@code series}. */
    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("config", config.toMap());
        map.put("summary", headline());
        map.put("error_texts", new java.util.TreeMap<>(errorTexts));
        List<Map<String, Object>> points = new ArrayList<>();
        series.forEach(point -> points.add(point.toMap()));
        map.put("series", points);
        return map;
    }

    static double round(double value, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(value * scale) / scale;
    }
}
