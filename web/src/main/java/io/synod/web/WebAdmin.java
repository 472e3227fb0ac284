package io.synod.web;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.synod.client.SynodClient;
import io.synod.messaging.admin.AdminGate;
import io.synod.messaging.admin.AdminMetrics;
import io.synod.messaging.admin.AdminServer;
import io.synod.messaging.admin.HealthCheck;
import io.synod.protocol.Envelope;
import io.synod.protocol.Services;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The web process's admin endpoint, apart from the app's port: {@code /health} asks the cluster for {@code channels}
 * through a client of its own (broker, a server, back) and passes when an answer comes within {@code
 * PROBE_TIMEOUT_MILLIS}; {@code /metrics} has the open sessions, the probe's latency and the JVM; {@code /status} the
 * endpoints and the session count.
 *
 * <p>Thread-safety: the probe client is thread-safe; admin threads call everything else.
 */
public final class WebAdmin implements AutoCloseable {
    /** Longest wait for the cluster's answer to a health probe. */
    static final long PROBE_TIMEOUT_MILLIS = 3_000;

    private final WebConfig config;
    private final WebServer web;
    private final AdminMetrics metrics = new AdminMetrics("process", "web");
    private final SynodClient probe;
    private final Timer probeLatency;
    private AdminServer server;

    private WebAdmin(WebConfig config, WebServer web) {
        this.config = config;
        this.web = web;
        this.probe = SynodClient.connect(
                config.clientConfig(Math.min(config.requestTimeoutMillis(), PROBE_TIMEOUT_MILLIS)), null);
        Gauge.builder("synod.web.sessions", web, WebServer::sessionCount)
                .description("users logged in through this web process")
                .register(metrics.registry());
        probeLatency = Timer.builder("synod.web.cluster.probe")
                .description("a health probe's round trip to the cluster")
                .register(metrics.registry());
    }

    /**
     * Serves the admin endpoint of {@code web} on {@code address}.
     *
     * @throws java.io.UncheckedIOException if the address cannot be bound
     */
    public static WebAdmin start(WebConfig config, WebServer web, InetSocketAddress address, AdminGate gate) {
        WebAdmin admin = new WebAdmin(config, web);
        try {
            admin.server = AdminServer.builder("web", gate)
                    .health(() -> List.of(admin.clusterReachable()))
                    .status(admin::status)
                    .metrics(admin.metrics::scrape)
                    .start(address);
        } catch (RuntimeException e) {
            admin.close();
            throw e;
        }
        return admin;
    }

    public String url() {
        return server.url();
    }

    public int port() {
        return server.port();
    }

    HealthCheck clusterReachable() {
        long started = System.nanoTime();
        try {
            Envelope reply =
                    probe.requestAsync(Services.CHANNELS, Map.of()).get(PROBE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            long nanos = System.nanoTime() - started;
            probeLatency.record(nanos, TimeUnit.NANOSECONDS);
            return HealthCheck.pass(
                    "cluster_reachable",
                    "broker " + config.brokerEndpoint() + " answered " + reply.service() + " in "
                            + TimeUnit.NANOSECONDS.toMillis(nanos) + " ms");
        } catch (TimeoutException e) {
            return HealthCheck.fail(
                    "cluster_reachable",
                    "no answer from the cluster through " + config.brokerEndpoint() + " within " + PROBE_TIMEOUT_MILLIS
                            + " ms");
        } catch (ExecutionException e) {
            return HealthCheck.fail(
                    "cluster_reachable",
                    "the cluster did not answer: " + e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return HealthCheck.fail("cluster_reachable", "interrupted while asking the cluster");
        }
    }

    private Map<String, Object> status() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("process", "web");
        json.put("url", web.url());
        json.put("broker", config.brokerEndpoint());
        json.put("proxy", config.proxyEndpoint());
        json.put("sessions", web.sessionCount());
        return json;
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
        probe.close();
        metrics.close();
    }
}
