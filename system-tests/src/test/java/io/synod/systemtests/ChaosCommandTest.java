package io.synod.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.cli.ChaosCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A short {@code synod chaos} run as CI runs it (issue 24): 45 s of seeded faults (kill -9 and pause of servers,
 * broker and proxy; partitions too when namespaces can be made, else on loopback), then its report must say every
 * acknowledged write is in the history once, no client saw a gap, and every server's digest is equal; its exit
 * status says the same.
 */
class ChaosCommandTest {
    private static final long RUN_WAIT_SECONDS = 300;

    @Test
    @Timeout(330)
    void aShortChaosRunLosesNothingDoublesNothingAndConverges() throws Exception {
        Processes processes = new Processes("chaos"); // its directory only
        Path output = processes.directory().resolve("chaos.out");
        List<String> command = new ArrayList<>(Processes.javaCommand());
        command.addAll(List.of(
                "chaos",
                "--seconds",
                "45",
                "--seed",
                "24",
                "--writers",
                "2",
                "--bots",
                "1",
                "--brokers",
                "2",
                "--proxies",
                "2",
                "--run-dir",
                processes.directory().resolve("run").toString()));
        boolean netns = ChaosCluster.netnsUnavailableReason().isEmpty();
        if (netns) {
            command.add("--netns");
        }
        Process chaos = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        try {
            assertThat(chaos.waitFor(RUN_WAIT_SECONDS, TimeUnit.SECONDS))
                    .as("chaos finished within %d s", RUN_WAIT_SECONDS)
                    .isTrue();
        } finally {
            if (chaos.isAlive()) {
                chaos.destroy(); // its shutdown hook stops the cluster and removes the namespaces
                if (!chaos.waitFor(30, TimeUnit.SECONDS)) {
                    chaos.destroyForcibly();
                }
            }
        }
        String report = Files.readString(output, StandardCharsets.UTF_8);
        System.out.println(report.substring(Math.max(0, report.indexOf("chaos report"))));
        assertThat(report)
                .contains("lost 0, doubled 0")
                .contains("gaps 0")
                .contains("digests:   equal on every server")
                .contains("chaos PASS")
                .contains(netns ? "separate hosts" : "loopback")
                .containsPattern("acknowledged [1-9]\\d*,");
        java.util.regex.Matcher faults = java.util.regex.Pattern.compile(
                        "kills (\\d+) .*, pauses (\\d+), partitions (\\d+)")
                .matcher(report);
        assertThat(faults.find()).as("the faults line").isTrue();
        int done = Integer.parseInt(faults.group(1))
                + Integer.parseInt(faults.group(2))
                + Integer.parseInt(faults.group(3));
        assertThat(done).as("faults injected in 45 s").isGreaterThanOrEqualTo(3);
        assertThat(chaos.exitValue()).as("exit status").isZero();
    }
}
