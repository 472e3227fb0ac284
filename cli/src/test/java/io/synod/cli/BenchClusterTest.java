package io.synod.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code synod bench --brokers N --proxies M}: the options reach the {@code synod up} command line the bench starts,
 * every port of that cluster falls inside the block found free without two processes sharing one, and the endpoints
 * the load spreads over are the brokers' and proxies' up binds.
 */
class BenchClusterTest {
    private static final int BASE = 30_000;

    private static BenchOptions parseBench(String... args) {
        BenchCommand bench = new BenchCommand();
        CommandLine commandLine = new CommandLine(bench);
        commandLine.parseArgs(args);
        bench.options.external(commandLine);
        return bench.options;
    }

    private static UpCommand parseUp(List<String> arguments) {
        assertThat(arguments.get(0)).isEqualTo("up");
        UpCommand up = new UpCommand();
        new CommandLine(up).parseArgs(arguments.subList(1, arguments.size()).toArray(String[]::new));
        return up;
    }

    @Test
    void brokersAndProxiesDefaultToOneAndAreTakenFromTheCommandLine() {
        BenchOptions defaults = parseBench();
        assertThat(defaults.shape(3)).isEqualTo(new BenchCluster.Shape(3, 1, 1));
        BenchOptions given = parseBench("--brokers", "2", "--proxies", "3");
        assertThat(given.shape(5)).isEqualTo(new BenchCluster.Shape(5, 2, 3));
    }

    @Test
    void outOfRangeCountsOrCountsWithARunningClusterAreRefusedNamingTheOption() {
        assertThatThrownBy(() -> parseBench("--brokers", "0"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("--brokers");
        assertThatThrownBy(() -> parseBench("--proxies", String.valueOf(UpCommand.BROKERS_MAX + 1)))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("--proxies");
        assertThatThrownBy(() ->
                        parseBench("--broker", "tcp://127.0.0.1:1", "--proxy", "tcp://127.0.0.1:2", "--brokers", "2"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("--brokers");
        assertThatThrownBy(() -> new BenchCluster.Shape(2, 1, 1)).hasMessageContaining("servers");
    }

    @Test
    void theUpCommandLineStartsTheShapeOnDistinctPortsInsideTheBlock() {
        for (BenchCluster.Shape shape : List.of(
                new BenchCluster.Shape(1, 1, 1),
                new BenchCluster.Shape(3, 2, 2),
                new BenchCluster.Shape(5, 3, 1),
                new BenchCluster.Shape(3, 1, UpCommand.BROKERS_MAX))) {
            UpCommand up = parseUp(BenchCluster.upArguments(shape, Path.of("run"), BASE, Duration.ofSeconds(60)));
            assertThat(up.servers).isEqualTo(shape.servers());
            assertThat(up.brokers).isEqualTo(shape.brokers());
            assertThat(up.proxies).isEqualTo(shape.proxies());
            assertThat(up.bots).isZero();
            assertThat(up.noWeb).isTrue();

            List<Integer> ports = new ArrayList<>();
            List<Integer> brokerClientPorts = new ArrayList<>();
            List<Integer> proxyXpubPorts = new ArrayList<>();
            for (int k = 0; k < up.brokers; k++) {
                int port = up.brokerPort + k * UpCommand.PORT_STEP_PER_EXTRA;
                ports.addAll(List.of(port, port + 1));
                brokerClientPorts.add(port);
            }
            for (int k = 0; k < up.proxies; k++) {
                int port = up.proxyPort + k * UpCommand.PORT_STEP_PER_EXTRA;
                ports.addAll(List.of(port, port + 1));
                proxyXpubPorts.add(port + 1);
            }
            ports.add(up.referencePort);
            for (int i = 0; i < up.servers; i++) {
                ports.addAll(List.of(up.adminPort + i, up.peerPort + i, up.paxosPort + i));
            }
            Set<Integer> distinct = new HashSet<>(ports);
            assertThat(distinct).as("ports of %s", shape).hasSameSizeAs(ports);
            assertThat(ports).allSatisfy(port -> assertThat(port).isBetween(BASE, BASE + shape.ports() - 1));

            assertThat(BenchCluster.brokerEndpoints(shape, BASE))
                    .isEqualTo(String.join(
                            ",",
                            brokerClientPorts.stream()
                                    .map(p -> "tcp://127.0.0.1:" + p)
                                    .toList()));
            assertThat(BenchCluster.proxyEndpoints(shape, BASE))
                    .isEqualTo(String.join(
                            ",",
                            proxyXpubPorts.stream()
                                    .map(p -> "tcp://127.0.0.1:" + p)
                                    .toList()));
        }
    }
}
