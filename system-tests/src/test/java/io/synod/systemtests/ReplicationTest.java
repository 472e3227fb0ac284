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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Three replicated servers as real processes (issue 4): writes through the broker, kill -9 of the leader under a
 * bounded write load, restart and catch-up; every acknowledged write present exactly once, equal digests at equal
 * applied indexes, and the channel's deliveries without gaps.
 */
class ReplicationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final int WRITES = 150;
    private static final int KILL_AT = 50;
    private static final long WAIT_MILLIS_MAX = 30_000;

    @SuppressWarnings("unchecked")
    private static Map<String, Object> status(Processes.Started server) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(Cluster.adminUrl(server) + "/status"))
                    .timeout(Duration.ofSeconds(2))
                    .build();
            String body = HTTP.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
                    .body();
            return JSON.readValue(body, Map.class);
        } catch (IOException e) {
            return Map.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Map.of();
        }
    }

    private static Processes.Started awaitLeader(List<Processes.Started> servers) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMillis(WAIT_MILLIS_MAX).toNanos();
        while (System.nanoTime() < deadline) {
            for (Processes.Started server : servers) {
                if ("leader".equals(status(server).get("role"))) {
                    return server;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no leader within " + WAIT_MILLIS_MAX + " ms");
    }

    /** Waits until every server reports the same applied index and digest; returns the digest. */
    private static String awaitConverged(List<Processes.Started> servers) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMillis(WAIT_MILLIS_MAX).toNanos();
        List<Object> last = List.of();
        while (System.nanoTime() < deadline) {
            TreeSet<String> seen = new TreeSet<>();
            List<Object> readings = new ArrayList<>();
            for (Processes.Started server : servers) {
                Map<String, Object> s = status(server);
                seen.add(s.get("applied_index") + "/" + s.get("state_digest"));
                readings.add(s.get("applied_index") + "/" + s.get("state_digest"));
            }
            last = readings;
            if (seen.size() == 1 && !seen.first().startsWith("null")) {
                return seen.first();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("servers did not converge: " + last);
    }

    @Test
    @Timeout(180)
    void killTheLeaderUnderLoadThenRestartIt() throws Exception {
        try (Cluster cluster = new Cluster("replication")) {
            List<String> names = List.of("server-1", "server-2", "server-3");
            StringBuilder members = new StringBuilder();
            for (String name : names) {
                members.append(members.isEmpty() ? "" : ",")
                        .append(name)
                        .append('=')
                        .append(Processes.endpoint(Processes.freePort()));
            }
            List<String> extra = List.of("--initial-members", members.toString());
            Map<String, Processes.Started> running = new HashMap<>();
            for (String name : names) {
                running.put(name, cluster.startServer(name, extra));
            }
            Processes.Started leader = awaitLeader(List.copyOf(running.values()));

            WireClient subscriber = cluster.client();
            subscriber.subscribe("room");
            Thread.sleep(300); // subscription propagation before the first post (PUB/SUB slow joiner)
            List<String> acknowledged = new ArrayList<>();
            String killed = null;
            long started = System.nanoTime();
            try (Cluster.RetryingClient client =
                    new Cluster.RetryingClient(Processes.endpoint(cluster.brokerFrontend), "rt")) {
                client.write("login", Map.of("user", "alice"));
                client.write("channel", Map.of("channel", "room"));
                for (int i = 0; i < WRITES; i++) {
                    if (i == KILL_AT) {
                        killed = leader.name();
                        Processes.kill(leader);
                        running.remove(killed);
                    }
                    String text = "m-" + i;
                    client.write("publish", Map.of("user", "alice", "channel", "room", "message", text));
                    acknowledged.add(text);
                }
                long writesMillis =
                        Duration.ofNanos(System.nanoTime() - started).toMillis();
                System.out.printf(
                        "replication: %d writes acknowledged in %d ms, leader %s killed at write %d%n",
                        acknowledged.size(), writesMillis, killed, KILL_AT);
                Processes.Started newLeader = awaitLeader(List.copyOf(running.values()));
                assertThat(newLeader.name()).isNotEqualTo(killed);

                running.put(killed, cluster.startServer(killed, extra));
                String converged = awaitConverged(List.copyOf(running.values()));
                System.out.println("replication: converged at " + converged);

                for (int read = 0; read < 6; read++) { // the broker spreads reads over the servers
                    Envelope history = client.call("history", Map.of("channel", "room", "limit", 500));
                    List<Object> texts = WireClient.messages(history).stream()
                            .map(m -> m.get("message"))
                            .toList();
                    assertThat(texts).as("history read %d", read).containsExactlyElementsOf(acknowledged);
                    Envelope users = client.call("users", Map.of());
                    assertThat(WireClient.list(users, "users")).contains("alice");
                }
            }
            TreeSet<Long> seqs = new TreeSet<>();
            for (WireClient.Received r = subscriber.receive(2_000); r != null; r = subscriber.receive(2_000)) {
                if (r.payload().get("seq") instanceof Long seq) {
                    seqs.add(seq);
                }
            }
            subscriber.close();
            assertThat(seqs).as("deliveries on 'room' (duplicates dropped)").isNotEmpty();
            assertThat(seqs.last() - seqs.first() + 1)
                    .as("no gap in the delivered seqs")
                    .isEqualTo(seqs.size());
            assertThat(seqs.last()).isEqualTo(WRITES);
        }
    }
}
