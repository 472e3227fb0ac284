package io.synod.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.synod.protocol.Envelope;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Membership on real processes (issue 4): a fourth server started with {@code --join} becomes a learner, catches up,
 * is promoted to voter and holds the same state; {@code synod admin remove-server} removes it through the log. The
 * servers snapshot every few slots, so the joiner can only catch up by fetching and installing a RocksDB checkpoint.
 */
class MembershipTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final long WAIT_MILLIS_MAX = 30_000;

    @SuppressWarnings("unchecked")
    private static Map<String, Object> status(Processes.Started server) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(Cluster.adminUrl(server) + "/status"))
                    .timeout(Duration.ofSeconds(2))
                    .build();
            return JSON.readValue(
                    HTTP.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
                            .body(),
                    Map.class);
        } catch (IOException e) {
            return Map.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Map.of();
        }
    }

    private static Map<String, Object> await(
            Processes.Started server, Predicate<Map<String, Object>> condition, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS_MAX);
        Map<String, Object> last = Map.of();
        while (System.nanoTime() < deadline) {
            last = status(server);
            if (condition.test(last)) {
                return last;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(server.name() + ": " + what + " within " + WAIT_MILLIS_MAX + " ms; last " + last);
    }

    @SuppressWarnings("unchecked")
    private static String roleOf(Map<String, Object> status, String name) {
        Object members = status.get("members");
        if (members instanceof List<?> list) {
            for (Object m : list) {
                Map<String, Object> member = (Map<String, Object>) m;
                if (name.equals(member.get("name"))) {
                    return (String) member.get("role");
                }
            }
        }
        return null;
    }

    private static final String SNAPSHOT_SLOTS = "5";

    @Test
    @Timeout(120)
    @SuppressWarnings("unchecked")
    void aJoiningServerBecomesVoterAndIsRemovedByTheAdminCommand() throws Exception {
        try (Cluster cluster = new Cluster("membership")) {
            List<String> names = List.of("server-1", "server-2", "server-3");
            List<String> endpoints = new ArrayList<>();
            StringBuilder members = new StringBuilder();
            for (String name : names) {
                String endpoint = Processes.endpoint(Processes.freePort());
                endpoints.add(endpoint);
                members.append(members.isEmpty() ? "" : ",")
                        .append(name)
                        .append('=')
                        .append(endpoint);
            }
            List<Processes.Started> servers = new ArrayList<>();
            for (String name : names) {
                servers.add(cluster.startServer(
                        name,
                        List.of("--initial-members", members.toString(), "--snapshot-interval-slots", SNAPSHOT_SLOTS)));
            }
            // Retried with the same ids (exactly-once): the first writes may meet a leader election.
            Cluster.RetryingClient client =
                    new Cluster.RetryingClient(Processes.endpoint(cluster.brokerFrontend), "membership-test");
            assertThat(client.call("login", Map.of("user", "dora")).data()).containsEntry("status", "sucesso");
            assertThat(client.call("channel", Map.of("channel", "lobby")).data())
                    .containsEntry("status", "sucesso");
            for (int i = 0; i < 15; i++) { // one slot each: three snapshots, the log truncated behind them
                assertThat(client.call("publish", Map.of("user", "dora", "channel", "lobby", "message", "b" + i))
                                .data())
                        .containsEntry("status", "OK");
            }
            await(servers.get(0), s -> ((Number) s.get("snapshot_index")).longValue() > 0, "a snapshot taken");

            Processes.Started joiner = cluster.startServer(
                    "server-4",
                    List.of(
                            "--initial-members",
                            members.toString(),
                            "--join",
                            "--snapshot-interval-slots",
                            SNAPSHOT_SLOTS,
                            "--paxos-endpoint",
                            Processes.endpoint(Processes.freePort())));
            await(joiner, s -> "voter".equals(roleOf(s, "server-4")), "server-4 is a voter");
            for (int i = 0; i < 10; i++) {
                Envelope reply = client.call("publish", Map.of("user", "dora", "channel", "lobby", "message", "p" + i));
                assertThat(reply.data()).containsEntry("status", "OK");
            }
            Map<String, Object> reference = await(servers.get(0), s -> s.get("applied_index") != null, "status");
            Map<String, Object> joined = await(
                    joiner,
                    s -> String.valueOf(s.get("state_digest"))
                            .equals(String.valueOf(status(servers.get(0)).get("state_digest"))),
                    "equal digest");
            assertThat(joined.get("applied_index"))
                    .isEqualTo(status(servers.get(0)).get("applied_index"));
            Map<String, Object> snapshots = (Map<String, Object>) joined.get("snapshots");
            assertThat(((Number) snapshots.get("installed")).longValue())
                    .as("the joiner installed a checkpoint: " + snapshots)
                    .isPositive();
            assertThat(((Number) snapshots.get("bytes_fetched")).longValue()).isPositive();
            assertThat(reference).isNotEmpty();

            List<String> command = new ArrayList<>(Processes.javaCommand());
            command.addAll(List.of("admin", "remove-server", "server-4", "--server", endpoints.get(2)));
            Process admin =
                    new ProcessBuilder(command).redirectErrorStream(true).start();
            assertThat(admin.waitFor(30, TimeUnit.SECONDS)).isTrue();
            String output = new String(admin.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(admin.exitValue()).as(output).isZero();
            await(servers.get(0), s -> roleOf(s, "server-4") == null, "server-4 removed");
            assertThat(client.call("publish", Map.of("user", "dora", "channel", "lobby", "message", "after"))
                            .data())
                    .containsEntry("status", "OK");
            client.close();
        }
    }
}
