package io.synod.bench.load;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns results into files and text: {@code result.json}, {@code latency.svg} (p50 and p99 per
 * second), {@code throughput-latency.svg} (each second's acknowledged writes per second against its
 * p99), the human summary, the one-line JSON of {@code --json}; and for a scaling run
 * {@code scaling.json}, {@code scaling.svg} and its table. Stateless and thread-safe.
 */
public final class BenchReport {
    public static final String RESULT_FILE = "result.json";
    public static final String LATENCY_PLOT = "latency.svg";
    public static final String THROUGHPUT_PLOT = "throughput-latency.svg";
    public static final String SCALING_FILE = "scaling.json";
    public static final String SCALING_PLOT = "scaling.svg";

    private static final ObjectMapper JSON = new ObjectMapper();

    private BenchReport() {}

    /** One point of a scaling run: a cluster size, a client count, and what that run measured. */
    public record ScalingPoint(int servers, int clients, BenchResult result) {
        Map<String, Object> toMap() {
            Map<String, Object> map = new LinkedHashMap<>(result.headline());
            map.put("servers", servers);
            map.put("clients", clients);
            return map;
        }
    }

    /** Writes result.json and the two plots of one run into {@code directory} (created if needed). */
    public static void write(BenchResult result, Path directory) throws IOException {
        Files.createDirectories(directory);
        writeJson(directory.resolve(RESULT_FILE), result.toMap());
        Files.writeString(directory.resolve(LATENCY_PLOT), latencyChart(result).render(), StandardCharsets.UTF_8);
        Files.writeString(
                directory.resolve(THROUGHPUT_PLOT), throughputChart(result).render(), StandardCharsets.UTF_8);
    }

    /** p50 and p99 of the writes acknowledged in each second, over the measurement window. */
    static SvgChart latencyChart(BenchResult result) {
        List<SvgChart.Point> p50 = new ArrayList<>();
        List<SvgChart.Point> p99 = new ArrayList<>();
        for (BenchResult.Second second : result.series()) {
            if (second.ackedWrites() > 0) {
                p50.add(new SvgChart.Point(
                        second.endSeconds(), second.writeLatency().p50Millis(), null));
                p99.add(new SvgChart.Point(
                        second.endSeconds(), second.writeLatency().p99Millis(), null));
            }
        }
        return new SvgChart(
                        "Write latency per second: " + describe(result.config()),
                        "time since the measurement started (s)",
                        "latency, send to reply (ms)")
                .add(new SvgChart.Series("p50", p50, true))
                .add(new SvgChart.Series("p99", p99, true));
    }

    /** Each second as a point: acknowledged writes per second against that second's p99. */
    static SvgChart throughputChart(BenchResult result) {
        List<SvgChart.Point> seconds = new ArrayList<>();
        for (BenchResult.Second second : result.series()) {
            seconds.add(new SvgChart.Point(
                    second.ackedPerSecond(), second.writeLatency().p99Millis(), null));
        }
        BenchResult.Summary summary = result.summary();
        SvgChart.Point whole = new SvgChart.Point(
                summary.ackedPerSecond(), summary.writeLatency().p99Millis(), "whole window");
        return new SvgChart(
                        "Throughput vs p99: " + describe(result.config()),
                        "acknowledged writes per second",
                        "p99 latency (ms)")
                .add(new SvgChart.Series("one second", seconds, false))
                .add(new SvgChart.Series("whole window", List.of(whole), false));
    }

    /** The human summary, several lines. */
    public static String summaryText(BenchResult result) {
        BenchConfig config = result.config();
        BenchResult.Summary s = result.summary();
        StringBuilder out = new StringBuilder();
        if (config.workload() == Workload.PROXY_FANOUT) {
            out.append(String.format(
                    Locale.ROOT,
                    "synod bench: proxy-fanout, 1 publisher into a proxy of its own (no cluster), %.1f s measured%n",
                    s.measuredSeconds()));
        } else {
            out.append(String.format(
                    Locale.ROOT,
                    "synod bench: %s, %d client(s) x %d in flight, %s server(s), %.1f s measured%n",
                    config.workload().label(),
                    config.clients(),
                    config.inFlightPerClient(),
                    config.servers() > 0 ? Integer.toString(config.servers()) : "?",
                    s.measuredSeconds()));
        }
        out.append(String.format(
                Locale.ROOT,
                "  acked writes  %10.1f /s   (%d)%n  reads         %10.1f /s   (%d)%n"
                        + "  deliveries    %10.1f /s   (%d, %d subscriber socket(s))%n",
                s.ackedPerSecond(),
                s.ackedWrites(),
                s.readsPerSecond(),
                s.ackedReads(),
                s.deliveriesPerSecond(),
                s.deliveries(),
                s.subscriberSockets()));
        latencyLine(out, "write latency", s.writeLatency());
        latencyLine(out, "read latency", s.readLatency());
        latencyLine(out, "delivery lat.", s.deliveryLatency());
        if (result.operations().size() > 1) {
            result.operations()
                    .forEach((service, latency) -> out.append(String.format(
                            Locale.ROOT,
                            "  %-13s %8.1f /s  p50 %.2f ms, p99 %.2f ms, max %.2f ms (%d)%n",
                            service,
                            result.operationsPerSecond(latency),
                            latency.p50Millis(),
                            latency.p99Millis(),
                            latency.maxMillis(),
                            latency.count())));
        }
        out.append(String.format(
                Locale.ROOT,
                "  errors %d, timeouts %d, late replies %d; gaps %d, duplicates %d, out of order %d%n",
                s.errors(),
                s.timeouts(),
                s.lateReplies(),
                s.gaps(),
                s.duplicates(),
                s.outOfOrder()));
        result.errorTexts()
                .forEach((text, count) -> out.append(String.format(Locale.ROOT, "  error x%d: %s%n", count, text)));
        return out.toString();
    }

    private static void latencyLine(StringBuilder out, String name, LatencySummary latency) {
        if (latency.count() == 0) {
            return;
        }
        out.append(String.format(
                Locale.ROOT,
                "  %-13s p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms%n",
                name,
                latency.p50Millis(),
                latency.p99Millis(),
                latency.p999Millis(),
                latency.maxMillis()));
    }

    /** The {@code --json} line: one compact JSON object, no newline. */
    public static String jsonLine(BenchResult result) {
        return compact(result.headline());
    }

    /** Writes scaling.json and scaling.svg. */
    public static void writeScaling(List<ScalingPoint> points, Map<String, Object> settings, Path directory)
            throws IOException {
        Files.createDirectories(directory);
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("settings", settings);
        List<Map<String, Object>> rows = new ArrayList<>();
        points.forEach(point -> rows.add(point.toMap()));
        document.put("points", rows);
        writeJson(directory.resolve(SCALING_FILE), document);
        Files.writeString(directory.resolve(SCALING_PLOT), scalingChart(points).render(), StandardCharsets.UTF_8);
    }

    /** Throughput against p99, one line per server count, each point labelled with its client count. */
    static SvgChart scalingChart(List<ScalingPoint> points) {
        Map<Integer, List<SvgChart.Point>> byServers = new TreeMap<>();
        for (ScalingPoint point : points) {
            BenchResult.Summary s = point.result().summary();
            byServers
                    .computeIfAbsent(point.servers(), k -> new ArrayList<>())
                    .add(new SvgChart.Point(
                            s.ackedPerSecond(), s.writeLatency().p99Millis(), point.clients() + " clients"));
        }
        String workload = points.isEmpty()
                ? ""
                : points.get(0).result().config().workload().label();
        SvgChart chart = new SvgChart(
                "Scaling (" + workload + "): throughput vs p99 as clients grow",
                "acknowledged writes per second",
                "p99 latency (ms)");
        byServers.forEach((servers, series) -> chart.add(new SvgChart.Series(servers + " server(s)", series, true)));
        return chart;
    }

    /** The scaling table, one row per point. */
    public static String scalingTable(List<ScalingPoint> points) {
        StringBuilder out = new StringBuilder(String.format(
                Locale.ROOT,
                "%7s %7s %11s %11s %9s %9s %9s %7s %8s%n",
                "servers",
                "clients",
                "acked/s",
                "deliv/s",
                "p50 ms",
                "p99 ms",
                "p99.9 ms",
                "errors",
                "timeouts"));
        for (ScalingPoint point : points) {
            BenchResult.Summary s = point.result().summary();
            out.append(String.format(
                    Locale.ROOT,
                    "%7d %7d %11.1f %11.1f %9.2f %9.2f %9.2f %7d %8d%n",
                    point.servers(),
                    point.clients(),
                    s.ackedPerSecond(),
                    s.deliveriesPerSecond(),
                    s.writeLatency().p50Millis(),
                    s.writeLatency().p99Millis(),
                    s.writeLatency().p999Millis(),
                    s.errors(),
                    s.timeouts()));
        }
        return out.toString();
    }

    /** Any value as one compact line of JSON. */
    public static String jsonLineOf(Object value) {
        return compact(value);
    }

    /** Any value as indented JSON, as result.json is written. */
    public static String prettyJson(Object value) {
        try {
            return JSON.writer().with(SerializationFeature.INDENT_OUTPUT).writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    static String compact(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    private static void writeJson(Path file, Object value) throws IOException {
        JSON.writer().with(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), value);
    }

    private static String describe(BenchConfig config) {
        return config.workload().label() + ", " + config.clients() + " clients, "
                + (config.servers() > 0 ? config.servers() + " server(s)" : "external cluster");
    }
}
