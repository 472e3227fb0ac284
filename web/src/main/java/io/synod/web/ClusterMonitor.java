package io.synod.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The dashboard's source: polls every server's admin {@code /status} every
 * {@link #POLL_INTERVAL_MILLIS} and keeps the last {@link #SAMPLES_MAX} rounds, so a page opened
 * now plots the recent past at once. A server that does not answer within
 * {@link #STATUS_TIMEOUT_MILLIS} is {@code up: false} in that round. Each server's {@code lag} is
 * the highest decided index seen in the round minus its own applied index. While a page has asked
 * for the dashboard in the last {@link #LOGS_ACTIVE_MILLIS}, each round also reads every server's
 * {@code /logs} into {@link ClusterChanges}' merged tail (nobody watching, nobody pays for it).
 *
 * <p>Thread-safety: one daemon thread polls; {@link #snapshot()} may be called from any thread.
 */
final class ClusterMonitor implements AutoCloseable {
    static final long POLL_INTERVAL_MILLIS = 1_000;
    /** Rounds kept: five minutes at one a second. */
    static final int SAMPLES_MAX = 300;

    static final long STATUS_TIMEOUT_MILLIS = 800;
    /** How long after the last {@link #snapshot()} the monitor keeps reading the servers' logs. */
    static final long LOGS_ACTIVE_MILLIS = 15_000;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> STATUS_FIELDS = List.of(
            "name",
            "rank",
            "role",
            "leader",
            "coordinator",
            "ballot",
            "decided_index",
            "applied_index",
            "clock_offset_ms",
            "lamport",
            "uptime_ms",
            "membership_change_pending");

    private final List<String> adminUrls;
    private final HttpClient http;
    private final ArrayDeque<Map<String, Object>> samples = new ArrayDeque<>();
    private final ClusterChanges changes = new ClusterChanges();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long logsWantedUntilMillis;

    ClusterMonitor(List<String> adminUrls) {
        this.adminUrls = List.copyOf(adminUrls);
        this.http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofMillis(STATUS_TIMEOUT_MILLIS))
                .build();
        this.thread = new Thread(this::run, "synod-web-monitor");
        thread.setDaemon(true);
        if (!this.adminUrls.isEmpty()) {
            thread.start();
        }
    }

    /** {@code {"servers": [...latest round], "samples": [{t, servers}...], "changes", "log_tail"}}. */
    Map<String, Object> snapshot() {
        logsWantedUntilMillis = System.currentTimeMillis() + LOGS_ACTIVE_MILLIS;
        Map<String, Object> result = new LinkedHashMap<>();
        synchronized (samples) {
            List<Map<String, Object>> all = new ArrayList<>(samples);
            result.put("servers", all.isEmpty() ? List.of() : all.getLast().get("servers"));
            result.put("samples", all);
        }
        result.put("admin_urls", adminUrls);
        result.put("poll_interval_ms", POLL_INTERVAL_MILLIS);
        result.put("changes", changes.changes());
        result.put("log_tail", changes.logTail());
        return result;
    }

    private void run() {
        while (running) {
            Map<String, Object> round = poll();
            synchronized (samples) {
                samples.addLast(round);
                while (samples.size() > SAMPLES_MAX) {
                    samples.removeFirst();
                }
            }
            try {
                Thread.sleep(POLL_INTERVAL_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private Map<String, Object> poll() {
        List<Map<String, Object>> servers = new ArrayList<>();
        Map<String, Set<String>> members = new HashMap<>();
        long decidedMax = 0;
        boolean readLogs = System.currentTimeMillis() < logsWantedUntilMillis;
        for (String url : adminUrls) {
            Map<String, Object> server = new LinkedHashMap<>();
            server.put("admin", url);
            try {
                JsonNode status = fetch(url, "/status");
                Set<String> view = new TreeSet<>();
                status.path("members")
                        .forEach(m -> view.add(m.path("node_id").asText() + ":"
                                + m.path("role").asText()));
                members.put(url, view);
                server.put("up", true);
                for (String field : STATUS_FIELDS) {
                    JsonNode value = status.get(field);
                    server.put(field, value == null || value.isNull() ? null : JSON.treeToValue(value, Object.class));
                }
                decidedMax = Math.max(decidedMax, status.path("decided_index").asLong(0));
                if (readLogs) {
                    readLogs(url);
                }
            } catch (IOException e) {
                server.put("up", false);
                server.put(
                        "error", e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
                break;
            }
            servers.add(server);
        }
        for (Map<String, Object> server : servers) {
            if (server.get("applied_index") instanceof Number applied) {
                server.put("lag", Math.max(0, decidedMax - applied.longValue()));
            }
        }
        Map<String, Object> round = new LinkedHashMap<>();
        long now = System.currentTimeMillis();
        round.put("t", now);
        round.put("servers", servers);
        changes.observe(now, servers, members);
        return round;
    }

    /** A server whose {@code /logs} fails is still up (its {@code /status} answered): its lines wait for the next round. */
    private void readLogs(String url) throws InterruptedException {
        try {
            JsonNode lines = fetch(url, "/logs");
            List<String> raw = new ArrayList<>();
            List<JsonNode> parsed = new ArrayList<>();
            for (JsonNode line : lines) {
                if (line.isObject()) {
                    raw.add(line.toString());
                    parsed.add(line);
                }
            }
            changes.logs(url, System.currentTimeMillis(), raw, parsed);
        } catch (IOException e) {
            // the next round tries again
        }
    }

    private JsonNode fetch(String url, String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url + path))
                .timeout(Duration.ofMillis(STATUS_TIMEOUT_MILLIS))
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("HTTP " + response.statusCode());
        }
        return JSON.readTree(response.body());
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        http.close();
    }
}
