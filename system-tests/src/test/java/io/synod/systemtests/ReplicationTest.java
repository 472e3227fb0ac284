package io.synod.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.protocol.Envelope;
import java.time.Duration;
import java.util.ArrayList;
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
    private static final int WRITES = 150;
    private static final int KILL_AT = 50;

    @Test
    @Timeout(180)
    void killTheLeaderUnderLoadThenRestartIt() throws Exception {
        try (Cluster cluster = new Cluster("replication")) {
            List<String> names = List.of("server-1", "server-2", "server-3");
            List<String> extra = Cluster.initialMembersOption(names);
            Map<String, Processes.Started> running = cluster.startServers(names, extra);
            Processes.Started leader = Cluster.awaitLeader(List.copyOf(running.values()));

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
                Processes.Started newLeader = Cluster.awaitLeader(List.copyOf(running.values()));
                assertThat(newLeader.name()).isNotEqualTo(killed);

                running.put(killed, cluster.startServer(killed, extra));
                String converged = Cluster.awaitConverged(List.copyOf(running.values()));
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
