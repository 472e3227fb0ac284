package io.synod.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.synod.protocol.Services;
import java.util.Set;

/**
 * The server's Micrometer metrics, exposed in Prometheus format on {@code /metrics}:
 * {@code synod_requests_total{service}}, {@code synod_request_errors_total{service}},
 * {@code synod_publications_total}, {@code synod_requests_failed_total}, {@code
 * synod_writes_replayed_total} and {@code synod_rate_limited_total{limit}} ({@code user} or {@code connection}). How long applies and persists take is in {@code /status} ({@code turns}).
 *
 * <p>The {@code service} tag takes only known service names ({@code unknown} otherwise), so hostile
 * input cannot grow the number of series.
 *
 * <p>Thread-safety: thread-safe (Micrometer meters are).
 */
final class ServerMetrics {
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

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Counter publications;

    ServerMetrics(String serverName) {
        registry.config().commonTags("server", serverName);
        publications = Counter.builder("synod.publications")
                .description("publications sent to the proxy")
                .register(registry);
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

    String scrape() {
        return registry.scrape();
    }

    private static String tag(String service) {
        return service != null && KNOWN.contains(service) ? service : "unknown";
    }
}
