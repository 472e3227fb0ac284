package io.synod.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code synod up} starts every process of the topology as a separate OS process, reports ready,
 * serves a client, and stops every child on SIGTERM.
 */
class LauncherTest {
    @Test
    void upStartsTheWholeTopologyAndStopsItOnSigterm() throws Exception {
        UpPorts ports = UpPorts.free(2, 3);
        int web = Processes.freePort();
        try (Processes processes = new Processes("launcher")) {
            Path runDir = processes.directory().resolve("run");
            Processes.Started up = processes.start(
                    "up",
                    ports.up(
                            "--run-dir",
                            runDir.toString(),
                            "--web-port",
                            Integer.toString(web),
                            "--bots",
                            "2",
                            "--bot-rate",
                            "5"));
            assertThat(up.readyLine()).contains("synod ready").contains("http://127.0.0.1:" + web + "/");
            List<ProcessHandle> children = up.process().children().toList();
            assertThat(children).hasSize(9); // reference, broker, proxy, 3 servers (the default), web, 2 bots
            assertThat(get("http://127.0.0.1:" + web + "/")).contains("<title>Synod</title>");
            assertThat(get("http://127.0.0.1:" + web + "/api/cluster")).contains("http://127.0.0.1:" + ports.admin());
            assertThat(children)
                    .anySatisfy(child ->
                            assertThat(child.info().commandLine().orElse("")).contains("server --name server-1"));

            try (WireClient client = new WireClient(ports.brokerEndpoint(), ports.xpubEndpoint())) {
                assertThat(client.call("login", Map.of("user", "launcher_ana")).data())
                        .containsEntry("status", "sucesso");
                // The bots create a channel and publish into it.
                for (int i = 0;
                        i < 100 && (WireClient.list(client.call("channels", Map.of()), "channels")).isEmpty();
                        i++) {
                    Thread.sleep(100);
                }
                assertThat(WireClient.list(client.call("channels", Map.of()), "channels"))
                        .isNotEmpty();
            }
            for (int i = 0; i < 3; i++) {
                JsonNode status =
                        new ObjectMapper().readTree(get("http://127.0.0.1:" + (ports.admin() + i) + "/status"));
                assertThat(status.path("name").asText()).isEqualTo("server-" + (i + 1));
                assertThat(status.path("role").asText()).isIn("leader", "follower");
            }

            // A JVM stopped by SIGTERM exits with 128 + 15 once its shutdown hooks have run.
            assertThat(Processes.stop(up)).isIn(0, 143);
            assertThat(up.outputText()).contains("all processes stopped");
            for (ProcessHandle child : children) {
                child.onExit().get(20, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(child.isAlive())
                        .as(child.info().commandLine().orElse("?"))
                        .isFalse();
            }
        }
    }

    private static String get(String url) throws IOException, InterruptedException {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(5))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString()).body();
    }
}
