package io.synod.server;

import io.synod.messaging.InteractionLog;
import io.synod.messaging.admin.AdminServer;
import io.synod.messaging.admin.HealthCheck;
import io.synod.server.replication.ReplicationDriver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The server's admin endpoint ({@link AdminServer}, on {@link ServerAdmin#host()}, loopback by default): {@code GET
 * /health} checks that the store is writable, that a quorum of voters is reachable and that a leader is known (200 or
 * 503, each check named); {@code /status} (the JSON built by the server); {@code /metrics} ({@link ServerMetrics});
 * {@code /logs} (the recent interaction-log lines as a JSON array: guarded, since they show what users wrote).
 *
 * <p>Thread-safety: the endpoint's threads call the suppliers, which must be thread-safe; start and stop from the
 * owning thread.
 */
final class AdminHttp implements AutoCloseable {
    /** The file {@code /health} writes and removes in the data directory to prove the disk takes writes. */
    static final String PROBE_FILE = ".health-probe";

    private final AdminServer server;
    private final ServerMetrics metrics;

    private AdminHttp(AdminServer server, ServerMetrics metrics) {
        this.server = server;
        this.metrics = metrics;
    }

    /**
     * Starts serving on the host of {@code config.admin()} and {@code config.adminPort()} (0 = any free port), with
     * the replication's gauges and latency histograms in {@code metrics}.
     *
     * @throws java.io.UncheckedIOException if the address cannot be bound
     */
    static AdminHttp start(
            ServerConfig config,
            Supplier<Map<String, Object>> status,
            ServerMetrics metrics,
            ReplicationDriver<?> replication,
            InteractionLog log) {
        metrics.bindStatus(status);
        replication.observeLatencies(metrics);
        AdminServer server = AdminServer.builder(config.name(), config.admin().gate())
                .health(() -> checks(config.dataDirectory(), status.get()))
                .status(status)
                .metrics(metrics::scrape)
                .guarded(
                        "GET",
                        "/logs",
                        (query, body) -> new AdminServer.Answer(
                                200, "application/json", "[" + String.join(",", log.recentLines()) + "]"))
                .start(new InetSocketAddress(config.admin().host(), config.adminPort()));
        return new AdminHttp(server, metrics);
    }

    int port() {
        return server.port();
    }

    /** The three checks of {@code /health} over the data directory and the current status. */
    static List<HealthCheck> checks(Path dataDirectory, Map<String, Object> status) {
        return List.of(storeWritable(dataDirectory), quorumReachable(status), leaderKnown(status));
    }

    /** Creates, syncs and deletes a small file in the data directory: a full or read-only disk fails it. */
    static HealthCheck storeWritable(Path dataDirectory) {
        Path probe = dataDirectory.resolve(PROBE_FILE);
        try {
            Files.write(
                    probe,
                    new byte[] {1},
                    java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.TRUNCATE_EXISTING,
                    java.nio.file.StandardOpenOption.WRITE,
                    java.nio.file.StandardOpenOption.SYNC);
            Files.deleteIfExists(probe);
            return HealthCheck.pass("store_writable", dataDirectory + " takes a synced write");
        } catch (IOException | RuntimeException e) {
            return HealthCheck.fail("store_writable", dataDirectory + ": " + e.getMessage());
        }
    }

    /**
     * Whether this server and the voters it has a live link to make a majority of the voters; a server alone (one
     * voter) always does.
     */
    static HealthCheck quorumReachable(Map<String, Object> status) {
        long voters = 0;
        boolean selfVoter = false;
        if (status.get("members") instanceof List<?> members) {
            for (Object member : members) {
                if (member instanceof Map<?, ?> m && "voter".equals(m.get("role"))) {
                    voters++;
                    selfVoter |=
                            status.get("name") != null && status.get("name").equals(m.get("name"));
                }
            }
        }
        long connected =
                status.get("paxos_links") instanceof Map<?, ?> links && links.get("connected") instanceof Number n
                        ? n.longValue()
                        : 0;
        long reachable = Math.min(voters, (selfVoter ? 1 : 0) + connected);
        long majority = voters / 2 + 1;
        return HealthCheck.of(
                "quorum_reachable",
                voters > 0 && reachable >= majority,
                reachable + " of " + voters + " voters reachable (this server and its live links), " + majority
                        + " needed");
    }

    static HealthCheck leaderKnown(Map<String, Object> status) {
        Object leader = status.get("leader");
        return HealthCheck.of(
                "leader_known",
                leader != null,
                leader == null
                        ? "no leader known (an election may be running)"
                        : "leader " + leader + ", ballot " + status.get("ballot"));
    }

    @Override
    public void close() {
        server.close();
        metrics.close();
    }
}
