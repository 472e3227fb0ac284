package io.synod.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
        UpPorts ports = UpPorts.free(PORT_STEP + 2, 1);
        try (Processes processes = new Processes("launcher-brokers")) {
            Path runDir = processes.directory().resolve("run");
            Processes.Started up = processes.start(
                    "up",
                    ports.up(
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
                            "1"));
            String secondBroker = Processes.endpoint(ports.broker() + PORT_STEP);
            String secondXpub = Processes.endpoint(ports.proxy() + PORT_STEP + 1);
            assertThat(up.readyLine())
                    .contains(ports.brokerEndpoint() + "," + secondBroker)
                    .contains(ports.xpubEndpoint() + "," + secondXpub);
            // reference, 2 brokers, 2 proxies, 1 server, 1 bot
            assertThat(up.process().children().toList()).hasSize(7);
            JsonNode cluster =
                    new ObjectMapper().readTree(runDir.resolve("cluster.json").toFile());
            assertThat(cluster.path("brokers").findValuesAsText("clients"))
                    .containsExactly(ports.brokerEndpoint(), secondBroker);
            assertThat(cluster.path("proxies").findValuesAsText("subscribers"))
                    .containsExactly(ports.xpubEndpoint(), secondXpub);

            try (WireClient client = new WireClient(secondBroker, secondXpub)) {
                assertThat(client.call("login", Map.of("user", "launcher_bia")).data())
                        .containsEntry("status", "sucesso");
            }
            String status = processes
                    .runToEnd("status", List.of("status", "--run-dir", runDir.toString()))
                    .output();
            assertThat(status.lines().filter(line -> line.matches("(broker|proxy)-[12] +up .*")))
                    .as(status)
                    .hasSize(4);

            assertThat(Processes.stop(up)).isIn(0, 143);
        }
    }
}
