package io.synod.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code synod up --brokers 2 --proxies 2}: both brokers and both proxies start, the ready line and {@code
 * cluster.json} name every endpoint, {@code synod status} lists them up, and a plain client on the second broker
 * and proxy is served.
 */
class SeveralBrokersLauncherTest {
    /** As {@code UpCommand.PORT_STEP_PER_EXTRA}: broker 2 listens 10 ports above broker 1. */
    private static final int PORT_STEP = 10;

    @Test
    @Timeout(180)
    void upStartsTwoBrokersAndTwoProxiesAndStatusShowsThem() throws Exception {
        int broker = freeRange(PORT_STEP + 2);
        int proxy = freeRange(PORT_STEP + 2);
        try (Processes processes = new Processes("launcher-brokers")) {
            Path runDir = processes.directory().resolve("run");
            Processes.Started up = processes.start(
                    "up",
                    List.of(
                            "up",
                            "--run-dir",
                            runDir.toString(),
                            "--servers",
                            "1",
                            "--brokers",
                            "2",
                            "--proxies",
                            "2",
                            "--no-web",
                            "--bots",
                            "1",
                            "--broker-port",
                            Integer.toString(broker),
                            "--proxy-port",
                            Integer.toString(proxy),
                            "--reference-port",
                            Integer.toString(Processes.freePort()),
                            "--admin-port",
                            Integer.toString(Processes.freePort()),
                            "--peer-port",
                            Integer.toString(Processes.freePort()),
                            "--paxos-port",
                            Integer.toString(Processes.freePort())));
            String secondBroker = Processes.endpoint(broker + PORT_STEP);
            String secondXpub = Processes.endpoint(proxy + PORT_STEP + 1);
            assertThat(up.readyLine())
                    .contains(Processes.endpoint(broker) + "," + secondBroker)
                    .contains(Processes.endpoint(proxy + 1) + "," + secondXpub);
            // reference, 2 brokers, 2 proxies, 1 server, 1 bot
            assertThat(up.process().children().toList()).hasSize(7);
            JsonNode cluster =
                    new ObjectMapper().readTree(runDir.resolve("cluster.json").toFile());
            assertThat(cluster.path("brokers").findValuesAsText("clients"))
                    .containsExactly(Processes.endpoint(broker), secondBroker);
            assertThat(cluster.path("proxies").findValuesAsText("subscribers"))
                    .containsExactly(Processes.endpoint(proxy + 1), secondXpub);

            try (WireClient client = new WireClient(secondBroker, secondXpub)) {
                assertThat(client.call("login", Map.of("user", "launcher_bia")).data())
                        .containsEntry("status", "sucesso");
            }
            String status = run(
                    List.of("status", "--run-dir", runDir.toString()),
                    processes.directory().resolve("status.out"));
            assertThat(status.lines().filter(line -> line.matches("(broker|proxy)-[12] +up .*")))
                    .as(status)
                    .hasSize(4);

            assertThat(Processes.stop(up)).isIn(0, 143);
        }
    }

    /** Runs {@code synod <arguments>} to its end (bounded) and returns its output. */
    private static String run(List<String> arguments, Path output) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(Processes.javaCommand());
        command.addAll(arguments);
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        return Files.readString(output, StandardCharsets.UTF_8);
    }

    /** A port p such that p .. p + count - 1 were all free a moment ago, and are handed out to no one else. */
    private static int freeRange(int count) throws IOException {
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = Processes.freePort();
            boolean free = port + count - 1 <= 65535;
            for (int i = 1; free && i < count; i++) {
                free = isFree(port + i);
            }
            for (int i = 1; i < count; i++) {
                Processes.freePort(); // the counter moves past the range, so later ports cannot fall inside it
            }
            if (free) {
                return port;
            }
        }
        throw new IOException("no " + count + " free consecutive ports");
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
