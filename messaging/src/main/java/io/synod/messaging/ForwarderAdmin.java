package io.synod.messaging;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.synod.messaging.admin.AdminGate;
import io.synod.messaging.admin.AdminMetrics;
import io.synod.messaging.admin.AdminServer;
import io.synod.messaging.admin.HealthCheck;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The admin endpoint of a broker or a proxy: {@code /health} checks that both endpoints are bound by a running loop
 * and that the loop is alive (it reported its counters within {@code STATS_STALE_INTERVALS} stats intervals);
 * {@code /metrics} has the messages forwarded each way, dropped, refused, deduplicated, held, the connections on each
 * side and the JVM; {@code /status} the last interval's figures.
 *
 * <p>Thread-safety: the forwarder's loop calls {@link #stats}; admin threads read the atomics and the volatile map.
 */
final class ForwarderAdmin implements AutoCloseable {
    /** The loop is reported dead when it has not reported its counters for this many stats intervals. */
    static final int STATS_STALE_INTERVALS = 5;

    private final String name;
    private final Forwarder forwarder;
    private final ForwarderConfig config;
    private final AdminMetrics metrics;
    private final long startedNanos = System.nanoTime();
    private final AtomicLong lastStatsNanos = new AtomicLong(System.nanoTime());
    private final Map<String, AtomicLong> gauges = new LinkedHashMap<>();
    private final Map<String, Counter> counters = new LinkedHashMap<>();
    private volatile Map<String, Object> lastStats = Map.of();
    private AdminServer server;

    private ForwarderAdmin(String name, Forwarder forwarder, ForwarderConfig config) {
        this.name = name;
        this.forwarder = forwarder;
        this.config = config;
        this.metrics = new AdminMetrics("process", name);
        MeterRegistry registry = metrics.registry();
        for (String direction : List.of("frontend_to_backend", "backend_to_frontend")) {
            counters.put(
                    direction,
                    Counter.builder("synod.forwarded")
                            .description("messages forwarded")
                            .tag("direction", direction)
                            .register(registry));
        }
        counter(registry, "dropped", "messages dropped (a full peer, or no route)");
        counter(registry, "connections_refused", "connections refused past the connection limit");
        counter(registry, "deduplicated", "publications dropped as repeats (the proxy's window)");
        counter(registry, "handling_errors", "connections or turns cut short because handling threw");
        gauge(registry, "held", "synod.forwarder.held", "requests held for want of a server (broker)");
        gauge(registry, "dedup_window", "synod.forwarder.dedup.window", "publications in the proxy's window");
        for (String side : List.of("frontend", "backend")) {
            AtomicLong value = new AtomicLong();
            gauges.put(side + "_connections", value);
            Gauge.builder("synod.forwarder.connections", value, AtomicLong::get)
                    .description("connections open on each side")
                    .tag("side", side)
                    .register(registry);
        }
        Gauge.builder("synod.forwarder.stats.age.seconds", this, a -> a.statsAgeMillis() / 1_000.0)
                .description("seconds since the loop last reported (alive: under a few stats intervals)")
                .register(registry);
    }

    /**
     * Serves the admin endpoint of {@code forwarder} on {@code address}.
     *
     * @throws java.io.UncheckedIOException if the address cannot be bound
     */
    static ForwarderAdmin start(
            String name, Forwarder forwarder, ForwarderConfig config, InetSocketAddress address, AdminGate gate) {
        ForwarderAdmin admin = new ForwarderAdmin(name, forwarder, config);
        forwarder.onStats(admin::stats);
        try {
            admin.server = AdminServer.builder(name, gate)
                    .health(admin::health)
                    .status(admin::status)
                    .metrics(admin.metrics::scrape)
                    .start(address);
        } catch (RuntimeException e) {
            admin.metrics.close();
            throw e;
        }
        return admin;
    }

    String url() {
        return server.url();
    }

    int port() {
        return server.port();
    }

    /** One stats interval's figures, on the loop thread. */
    private void stats(Map<String, Object> data) {
        lastStatsNanos.set(System.nanoTime());
        data.forEach((key, value) -> {
            if (value instanceof Number number) {
                Counter counter = counters.get(key);
                if (counter != null) {
                    counter.increment(number.doubleValue());
                }
                AtomicLong gauge = gauges.get(key);
                if (gauge != null) {
                    gauge.set(number.longValue());
                }
            }
        });
        lastStats = Map.copyOf(data);
    }

    private long statsAgeMillis() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastStatsNanos.get());
    }

    List<HealthCheck> health() {
        boolean running = forwarder.isRunning();
        long age = statsAgeMillis();
        long staleMillis = STATS_STALE_INTERVALS * config.statsIntervalMillis();
        return List.of(
                HealthCheck.of(
                        "bound",
                        running,
                        running
                                ? "frontend " + forwarder.frontendEndpoint() + " and backend "
                                        + forwarder.backendEndpoint() + " bound"
                                : "the forwarding loop stopped: its endpoints are closed"),
                HealthCheck.of(
                        "loop_alive",
                        running && age <= staleMillis,
                        "last report " + age + " ms ago (dead after " + staleMillis + " ms)"));
    }

    private Map<String, Object> status() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("process", name);
        json.put("running", forwarder.isRunning());
        json.put("frontend", forwarder.frontendEndpoint());
        json.put("backend", forwarder.backendEndpoint());
        json.put("uptime_ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos));
        json.put("stats_age_ms", statsAgeMillis());
        json.put("last_interval", lastStats);
        return json;
    }

    private void counter(MeterRegistry registry, String key, String description) {
        counters.put(
                key,
                Counter.builder("synod.forwarder." + key.replace('_', '.'))
                        .description(description)
                        .register(registry));
    }

    private void gauge(MeterRegistry registry, String key, String meter, String description) {
        AtomicLong value = new AtomicLong();
        gauges.put(key, value);
        Gauge.builder(meter, value, AtomicLong::get).description(description).register(registry);
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
        metrics.close();
    }
}
