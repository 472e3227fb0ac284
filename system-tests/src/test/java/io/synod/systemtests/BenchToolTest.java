package io.synod.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code synod bench} starts its own cluster (one server), drives it through the broker and the
 * proxy, reports a JSON line with real numbers, writes its result files, and leaves no process
 * behind. Numbers are only checked for sense (something acknowledged and delivered, percentiles in
 * order), never for speed.
 */
class BenchToolTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    @Timeout(value = 170, unit = TimeUnit.SECONDS)
    void publishAndFanoutRunsReportTheirNumbersAndLeaveNoProcessBehind() throws Exception {
        try (Processes processes = new Processes("bench")) {
            Path publishResults = processes.directory().resolve("publish");
            Path clusterRoot = processes.directory().resolve("clusters");
            Run publish = bench(
                    processes,
                    "bench-publish",
                    List.of(
                            "--servers",
                            "1",
                            "--workload",
                            "publish",
                            "--clients",
                            "4",
                            "--duration",
                            "2s",
                            "--warmup",
                            "1s",
                            "--json",
                            "--results",
                            publishResults.toString(),
                            "--cluster-root",
                            clusterRoot.toString(),
                            "--keep-cluster-dir"));
            JsonNode line = publish.lastLine();
            try (var started = Files.list(clusterRoot)) {
                List<Path> clusters = started.toList();
                assertThat(clusters)
                        .as("the started cluster's folder, under --cluster-root")
                        .hasSize(1);
                assertThat(clusters.get(0).getFileName().toString()).startsWith("synod-bench-");
                assertThat(clusters.get(0).resolve("logs").resolve("server-1.jsonl"))
                        .isNotEmptyFile();
            }
            assertThat(line.path("workload").asText()).isEqualTo("publish");
            assertThat(line.path("clients").asInt()).isEqualTo(4);
            assertThat(line.path("servers").asInt()).isEqualTo(1);
            assertThat(line.path("acked_per_s").asDouble()).isPositive();
            assertThat(line.path("deliveries_per_s").asDouble()).isPositive();
            assertPercentilesInOrder(line);
            assertThat(line.path("duplicates").asLong()).isZero();
            for (String file : List.of("result.json", "latency.svg", "throughput-latency.svg")) {
                assertThat(publishResults.resolve(file)).isNotEmptyFile();
            }
            JsonNode result =
                    JSON.readTree(publishResults.resolve("result.json").toFile());
            assertThat(result.path("series").size()).isGreaterThanOrEqualTo(1);
            assertThat(Files.readString(publishResults.resolve("latency.svg"), StandardCharsets.UTF_8))
                    .startsWith("<?xml")
                    .contains("<svg", "</svg>");

            Path fanoutResults = processes.directory().resolve("fanout");
            Run fanout = bench(
                    processes,
                    "bench-fanout",
                    List.of(
                            "--servers",
                            "1",
                            "--workload",
                            "fanout",
                            "--subscribers",
                            "2",
                            "--clients",
                            "2",
                            "--duration",
                            "2s",
                            "--warmup",
                            "1s",
                            "--json",
                            "--results",
                            fanoutResults.toString()));
            JsonNode fanoutLine = fanout.lastLine();
            assertThat(fanoutLine.path("workload").asText()).isEqualTo("fanout");
            assertThat(fanoutLine.path("subscribers").asInt()).isEqualTo(2);
            assertThat(fanoutLine.path("acked_per_s").asDouble()).isPositive();
            assertThat(fanoutLine.path("deliveries_per_s").asDouble()).isPositive();
            assertPercentilesInOrder(fanoutLine);
            assertThat(fanoutResults.resolve("result.json")).isNotEmptyFile();
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void badOptionsAreRefusedWithAClearMessageBeforeAnythingStarts() throws Exception {
        try (Processes processes = new Processes("bench-options")) {
            Run run = bench(processes, "bench-bad", List.of("--duration", "ten seconds"));
            assertThat(run.status()).isEqualTo(2);
            assertThat(run.output()).contains("'ten seconds' is not a duration");
            Run workload = bench(processes, "bench-bad-workload", List.of("--workload", "sideways"));
            assertThat(workload.status()).isEqualTo(2);
            assertThat(workload.output()).contains("not a workload");
            Run clients = bench(processes, "bench-bad-clients", List.of("--clients", "0"));
            assertThat(clients.status()).isEqualTo(2);
            assertThat(clients.output()).contains("--clients must be between 1 and");
            Run root = bench(
                    processes,
                    "bench-bad-root",
                    List.of("--broker", "tcp://127.0.0.1:1", "--proxy", "tcp://127.0.0.1:2", "--cluster-root", "x"));
            assertThat(root.status()).isEqualTo(2);
            assertThat(root.output()).contains("--cluster-root is for a cluster the bench starts");
            assertThat(workload.descendantsLeft()).isEmpty();
        }
    }

    private static void assertPercentilesInOrder(JsonNode line) {
        double p50 = line.path("p50_ms").asDouble();
        double p99 = line.path("p99_ms").asDouble();
        double p999 = line.path("p999_ms").asDouble();
        assertThat(p50).isPositive();
        assertThat(p50).isLessThanOrEqualTo(p99);
        assertThat(p99).isLessThanOrEqualTo(p999);
    }

    /** A finished bench process: its status, its stdout and stderr, and the processes it started still alive. */
    record Run(int status, String stdout, String stderr, List<ProcessHandle> descendantsLeft) {
        String output() {
            return stdout + stderr;
        }

        /** The last line of stdout as JSON, after checking the run succeeded and left nothing running. */
        JsonNode lastLine() throws Exception {
            assertThat(status).as(output()).isZero();
            assertThat(descendantsLeft).as("processes left running").isEmpty();
            List<String> lines = stdout.lines().filter(line -> !line.isBlank()).toList();
            assertThat(lines).as(output()).isNotEmpty();
            return JSON.readTree(lines.get(lines.size() - 1));
        }
    }

    /**
     * Runs {@code synod bench <arguments>} to its end, noting every process it starts; once it has
     * exited, those still alive after a short grace are reported (and then killed, to clean up).
     */
    static Run bench(Processes processes, String name, List<String> arguments) throws Exception {
        List<String> command = new ArrayList<>(Processes.javaCommand());
        command.add("bench");
        command.addAll(arguments);
        Path stdout = processes.directory().resolve(name + ".out");
        Path stderr = processes.directory().resolve(name + ".err");
        Process process = new ProcessBuilder(command)
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile())
                .redirectInput(ProcessBuilder.Redirect.PIPE)
                .start();
        List<ProcessHandle> seen = new ArrayList<>();
        try {
            while (!process.waitFor(200, TimeUnit.MILLISECONDS)) {
                process.descendants().filter(handle -> !seen.contains(handle)).forEach(seen::add);
            }
        } finally {
            if (process.isAlive()) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (seen.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        List<ProcessHandle> alive = seen.stream().filter(ProcessHandle::isAlive).toList();
        alive.forEach(ProcessHandle::destroyForcibly);
        return new Run(
                process.exitValue(),
                Files.readString(stdout, StandardCharsets.UTF_8),
                Files.readString(stderr, StandardCharsets.UTF_8),
                alive);
    }
}
