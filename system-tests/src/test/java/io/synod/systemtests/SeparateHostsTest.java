package io.synod.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.cli.ChaosCluster;
import io.synod.cli.ChaosLedger;
import io.synod.cli.NetNamespaces;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The fault tests on separate hosts (issue 24): every process (reference, broker, proxy, three servers, a checked
 * writer) in a Linux network namespace of its own with its own 198.18.0.x address, cabled to a bridge in a namespace
 * of its own ({@link io.synod.cli.NetNamespaces}), so every byte crosses a real network stack and not loopback; a
 * partition is a host's cable unplugged. The writer ({@code synod chaos-writer}) publishes into its own channel with
 * exactly-once retries and records every acknowledgement and every delivery by seq; after the fault, the servers
 * must converge (equal applied index and state digest) and the channel's history must hold every acknowledged write
 * exactly once, with no gap the client saw. Skipped, with the reason, where namespaces cannot be made (not root,
 * no {@code ip}, no {@code curl}).
 */
class SeparateHostsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** Writes per second of the checked writer. */
    private static final double WRITE_RATE = 10;
    /** Acknowledgements that show the writes go on (about a second of writing). */
    private static final long PROGRESS_ACKS = 10;

    @BeforeAll
    static void namespacesCanBeMade() {
        Optional<String> why = ChaosCluster.netnsUnavailableReason();
        Assumptions.assumeTrue(why.isEmpty(), () -> "separate hosts skipped: " + why.orElse(""));
    }

    private static ChaosCluster start(String test) throws Exception {
        Processes processes = new Processes("hosts-" + test); // only for its directory; starts nothing
        return ChaosCluster.start(new ChaosCluster.Settings(
                3,
                1,
                1,
                0,
                1,
                1,
                WRITE_RATE,
                true,
                processes.directory().toAbsolutePath(),
                Processes.javaCommand(),
                Duration.ofMillis(Processes.READY_TIMEOUT_MILLIS)));
    }

    @Test
    @Timeout(150)
    void aServerKilledAndRestartedCatchesUpAndNoWriteIsLost() throws Exception {
        try (ChaosCluster cluster = start("replication")) {
            String leader = cluster.awaitLeader(cluster.servers(), WAIT).orElseThrow();
            assertThat(cluster.address(leader)).startsWith("198.18.");
            awaitMoreAcks(cluster);
            cluster.kill(leader);
            awaitMoreAcks(cluster); // the other two elect and acknowledge
            cluster.restart(leader);
            awaitMoreAcks(cluster);
            assertClean(cluster, "replication");
        }
    }

    @Test
    @Timeout(150)
    void anIsolatedLeaderAppliesNothingAndCatchesUpWhenItsLinkIsBack() throws Exception {
        try (ChaosCluster cluster = start("partition")) {
            String isolated = cluster.awaitLeader(cluster.servers(), WAIT).orElseThrow();
            awaitMoreAcks(cluster);
            cluster.cut(isolated);
            long frozen = stableAppliedIndex(cluster, isolated);
            List<String> majority =
                    cluster.servers().stream().filter(s -> !s.equals(isolated)).toList();
            String newLeader = cluster.awaitLeader(majority, WAIT).orElseThrow();
            awaitMoreAcks(cluster);
            awaitMoreAcks(cluster);
            // its admin is read inside its own namespace, so an unplugged server still answers /status
            assertThat(appliedIndex(cluster, isolated))
                    .as("the cut-off leader applied (so acknowledged) nothing")
                    .isEqualTo(frozen);
            assertThat(appliedIndex(cluster, newLeader))
                    .as("the majority went on")
                    .isGreaterThan(frozen);
            cluster.heal(isolated);
            awaitMoreAcks(cluster);
            assertClean(cluster, "partition");
        }
    }

    @Test
    @Timeout(150)
    void theBrokerAndTheProxyKilledAndRestartedLoseAndDoubleNothing() throws Exception {
        try (ChaosCluster cluster = start("broker-proxy")) {
            cluster.awaitLeader(cluster.servers(), WAIT).orElseThrow();
            awaitMoreAcks(cluster);
            for (String process :
                    List.of(cluster.brokers().get(0), cluster.proxies().get(0))) {
                cluster.kill(process);
                Thread.sleep(1_000); // writes time out and are retried meanwhile
                cluster.restart(process);
                awaitMoreAcks(cluster);
            }
            assertClean(cluster, "broker-proxy");
        }
    }

    @Test
    @Timeout(60)
    void theNamespacesOfADeadRunAreRemovedWithWhatRunsInThem() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        assertThat(gone.waitFor(10, TimeUnit.SECONDS)).isTrue();
        String stale = "synod-" + gone.pid() + "-stale";
        run("ip", "netns", "add", stale);
        Process orphan = new ProcessBuilder("ip", "netns", "exec", stale, "sleep", "50")
                .redirectErrorStream(true)
                .start();
        try {
            try (NetNamespaces network = NetNamespaces.create(List.of("probe"))) {
                assertThat(run("ip", "netns", "list"))
                        .doesNotContain(stale)
                        .contains(network.host("probe").namespace());
                assertThat(orphan.waitFor(10, TimeUnit.SECONDS))
                        .as("what ran in it was killed")
                        .isTrue();
            }
            assertThat(run("ip", "netns", "list"))
                    .doesNotContain("-" + ProcessHandle.current().pid() + "-");
        } finally {
            orphan.destroyForcibly();
            new ProcessBuilder("ip", "netns", "delete", stale).start().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static String run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(process.waitFor(10, TimeUnit.SECONDS))
                .as("%s answered", List.of(command))
                .isTrue();
        return new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Waits (bounded) until the writer has {@link #PROGRESS_ACKS} more acknowledgements than now. */
    private static void awaitMoreAcks(ChaosCluster cluster) throws Exception {
        String writer = cluster.writers().get(0);
        long target = cluster.acknowledged(writer) + PROGRESS_ACKS;
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (cluster.acknowledged(writer) < target) {
            assertThat(System.nanoTime())
                    .as("writes acknowledged again within %s", WAIT)
                    .isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private static long appliedIndex(ChaosCluster cluster, String server) throws InterruptedException {
        return cluster.status(server).get("applied_index") instanceof Number n ? n.longValue() : -1;
    }

    /** The server's applied index once two readings 500 ms apart agree (bounded). */
    private static long stableAppliedIndex(ChaosCluster cluster, String server) throws InterruptedException {
        long previous = appliedIndex(cluster, server);
        for (int i = 0; i < 20; i++) {
            Thread.sleep(500);
            long now = appliedIndex(cluster, server);
            if (now == previous && now >= 0) {
                return now;
            }
            previous = now;
        }
        throw new AssertionError(server + " applied index never settled: " + previous);
    }

    /** Stops the writer, waits for equal digests, and checks its ledger: nothing lost, doubled or skipped. */
    private static void assertClean(ChaosCluster cluster, String test) throws Exception {
        cluster.stopWriters();
        assertThat(cluster.awaitWritersStopped(WAIT))
                .as("the last write answered")
                .isTrue();
        Map<String, String> readings = new LinkedHashMap<>();
        Optional<String> converged = cluster.awaitConverged(WAIT, readings);
        assertThat(converged)
                .as("equal applied index and digest on every server: %s", readings)
                .isPresent();
        ChaosLedger ledger = cluster.readLedgers(WAIT).get(0);
        System.out.printf(
                "hosts %s: %d writes acknowledged, %d deliveries, converged at %s%n",
                test, ledger.acknowledged(), ledger.delivered(), converged.get());
        assertThat(ledger.historyRead()).as("the final history was read").isTrue();
        assertThat(ledger.acknowledged()).isGreaterThanOrEqualTo((int) (3 * PROGRESS_ACKS));
        assertThat(ledger.lost())
                .as("acknowledged writes missing from the history")
                .isEmpty();
        assertThat(ledger.doubled()).as("writes in the history twice").isEmpty();
        assertThat(ledger.gaps()).as("gaps the client saw").isZero();
    }
}
