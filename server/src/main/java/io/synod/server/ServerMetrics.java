package io.synod.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.synod.messaging.admin.AdminMetrics;
import io.synod.protocol.Services;
import io.synod.server.replication.ReplicationDriver;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The server's Micrometer metrics, exposed in Prometheus format on {@code /metrics}. Requests: {@code
 * synod_requests_total{service}}, {@code synod_request_errors_total{service}}, {@code synod_publications_total},
 * {@code synod_requests_failed_total}, {@code synod_writes_replayed_total}, {@code synod_rate_limited_total{limit}}
 * ({@code user} or {@code connection}). Replication (read from {@code /status}, so both always agree): {@code
 * synod_paxos_decided_index}, {@code synod_paxos_applied_index}, {@code synod_paxos_apply_lag} (decided minus applied
 * slots), {@code synod_paxos_leader} (1 while this server leads), {@code synod_paxos_leader_known}, {@code
 * synod_paxos_ballot_round}, {@code synod_paxos_pending_writes} (the write queue), {@code synod_paxos_writes_expired},
 * {@code synod_paxos_peers_connected}, {@code synod_clock_offset_ms}. Latency histograms (Prometheus buckets): {@code
 * synod_paxos_persist_seconds} (one Paxos log write with its fsync) and {@code synod_paxos_apply_seconds} (applying a
 * batch of decided entries). JVM figures through Micrometer's binders ({@link AdminMetrics}).
 *
 * <p>The {@code service} tag takes only known service names ({@code unknown} otherwise), so hostile input cannot grow
 * the number of series.
 *
 * <p>Thread-safety: thread-safe (Micrometer meters are); the gauges read the status supplier, which must be.
 */
final class ServerMetrics implements ReplicationDriver.Latencies {
    private static final Set<String> KNOWN = Set.of(
            Services.LOGIN,
            Services.USERS,
            Services.CHANNEL,
            Services.CHANNELS,
            Services.PUBLISH,
            Services.MESSAGE,
            Services.HISTORY,
            Services.PRIVATE_HISTORY,
            Services.CLOCK,
            Services.ELECTION,
            Services.RANK,
            Services.LIST,
            Services.HEARTBEAT,
            Services.ERROR);
    /** Shortest and longest bucket of the latency histograms: an fsync takes from microseconds to seconds. */
    private static final Duration LATENCY_MIN = Duration.ofNanos(10_000);

    private static final Duration LATENCY_MAX = Duration.ofSeconds(10);

    private final AdminMetrics admin;
    private final MeterRegistry registry;
    private final Counter publications;
    private final Timer persist;
    private final Timer apply;

    ServerMetrics(String serverName) {
        admin = new AdminMetrics("server", serverName);
        registry = admin.registry();
        publications = Counter.builder("synod.publications")
                .description("publications sent to the proxy")
                .register(registry);
        persist = histogram("synod.paxos.persist", "one Paxos log write and its fsync");
        apply = histogram("synod.paxos.apply", "applying one batch of decided entries to the chat state");
    }

    /** Registers the replication gauges over {@code status} (the {@code /status} document); once. */
    void bindStatus(Supplier<Map<String, Object>> status) {
        gauge(
                "synod.paxos.decided.index",
                "highest slot decided with every slot below it",
                status,
                s -> number(s, "decided_index"));
        gauge(
                "synod.paxos.applied.index",
                "highest slot applied to the chat state",
                status,
                s -> number(s, "applied_index"));
        gauge(
                "synod.paxos.apply.lag",
                "slots decided but not applied yet",
                status,
                s -> Math.max(0, number(s, "decided_index") - number(s, "applied_index")));
        gauge(
                "synod.paxos.leader",
                "1 while this server is the Paxos leader",
                status,
                s -> "leader".equals(s.get("role")) ? 1 : 0);
        gauge(
                "synod.paxos.leader.known",
                "1 when this server knows a leader",
                status,
                s -> s.get("leader") != null ? 1 : 0);
        gauge("synod.paxos.ballot.round", "round of the highest ballot promised", status, s -> ballotRound(s));
        gauge(
                "synod.paxos.pending.writes",
                "writes accepted and not answered yet",
                status,
                s -> number(s, "pending_writes"));
        gauge(
                "synod.paxos.writes.expired",
                "writes forgotten unanswered after their timeout",
                status,
                s -> number(s, "writes_expired"));
        gauge(
                "synod.paxos.peers.connected",
                "replication links connected",
                status,
                s -> s.get("paxos_links") instanceof Map<?, ?> links ? numberOf(links.get("connected")) : 0);
        gauge(
                "synod.clock.offset.ms",
                "software clock offset from this host's clock",
                status,
                s -> number(s, "clock_offset_ms"));
    }

    void request(String service) {
        registry.counter("synod.requests", "service", tag(service)).increment();
    }

    void error(String service) {
        registry.counter("synod.request.errors", "service", tag(service)).increment();
    }

    /** A request whose handling threw (a bug it exposed): answered erro, the loop went on. */
    void failed() {
        registry.counter("synod.requests.failed").increment();
    }

    /** A retried write answered from the exactly-once table instead of being ordered again. */
    void replayed() {
        registry.counter("synod.writes.replayed").increment();
    }

    /** A request refused by a rate limit ({@code user} or {@code connection}). */
    void rateLimited(String limit) {
        registry.counter("synod.rate.limited", "limit", limit).increment();
    }

    void published(int count) {
        publications.increment(count);
    }

    @Override
    public void persisted(long nanos) {
        persist.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void applied(long nanos) {
        apply.record(nanos, TimeUnit.NANOSECONDS);
    }

    String scrape() {
        return admin.scrape();
    }

    void close() {
        admin.close();
    }

    private Timer histogram(String name, String description) {
        return Timer.builder(name)
                .description(description)
                .publishPercentileHistogram()
                .minimumExpectedValue(LATENCY_MIN)
                .maximumExpectedValue(LATENCY_MAX)
                .register(registry);
    }

    private void gauge(
            String name,
            String description,
            Supplier<Map<String, Object>> status,
            java.util.function.ToDoubleFunction<Map<String, Object>> value) {
        Gauge.builder(name, status, s -> value.applyAsDouble(s.get()))
                .description(description)
                .register(registry);
    }

    private static long number(Map<String, Object> status, String key) {
        return numberOf(status.get(key));
    }

    private static long numberOf(Object value) {
        return value instanceof Number n ? n.longValue() : 0;
    }

    /** The round of {@code ballot} ({@code "round.node"}), 0 when absent or malformed. */
    private static long ballotRound(Map<String, Object> status) {
        if (!(status.get("ballot") instanceof String ballot)) {
            return 0;
        }
        int dot = ballot.indexOf('.');
        try {
            return Long.parseLong(dot < 0 ? ballot : ballot.substring(0, dot));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String tag(String service) {
        return service != null && KNOWN.contains(service) ? service : "unknown";
    }
}
