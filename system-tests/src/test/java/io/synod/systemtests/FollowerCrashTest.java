package io.synod.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.protocol.Envelope;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A follower crash on real processes (issue 4), the counterpart of {@link ReplicationTest}'s leader crash: kill -9 of
 * a follower under a bounded write load. The remaining majority (leader + one follower) keeps acknowledging every
 * write (usually with the same leader; a loaded machine may elect another, which is allowed); the follower restarted on its data directory catches up (equal applied index and
 * state digest on all three within a bounded wait), and every acknowledged write is in the history exactly once,
 * in order, on every server the broker reads from. Then a write's {@code index} used as {@code min_index}, and
 * a linearizable read, see that write on every server.
 */
class FollowerCrashTest {
    private static final int WRITES = 60;
    private static final int KILL_AT = 20;

    @Test
    @Timeout(120)
    void killAFollowerUnderLoadThenRestartIt() throws Exception {
        try (Cluster cluster = new Cluster("follower-crash")) {
            List<String> names = List.of("server-1", "server-2", "server-3");
            Map<String, String> endpoints = new LinkedHashMap<>();
            for (String name : names) {
                endpoints.put(name, Processes.endpoint(Processes.freePort()));
            }
            List<String> extra = List.of("--initial-members", Cluster.initialMembers(endpoints));
            Map<String, Processes.Started> running = new LinkedHashMap<>();
            for (String name : names) {
                running.put(name, cluster.startServer(name, extra));
            }
            Processes.Started leader = Cluster.awaitLeader(List.copyOf(running.values()));
            Processes.Started follower = running.values().stream()
                    .filter(s -> s != leader)
                    .findFirst()
                    .orElseThrow();

            List<String> acknowledged = new ArrayList<>();
            try (Cluster.RetryingClient client =
                    new Cluster.RetryingClient(Processes.endpoint(cluster.brokerFrontend), "fc")) {
                client.write("login", Map.of("user", "bob"));
                client.write("channel", Map.of("channel", "hall"));
                for (int i = 0; i < WRITES; i++) {
                    if (i == KILL_AT) {
                        Processes.kill(follower);
                        running.remove(follower.name());
                    }
                    String text = "f-" + i;
                    client.write("publish", Map.of("user", "bob", "channel", "hall", "message", text));
                    acknowledged.add(text);
                }
                // A leader among the survivors; usually the same one, but a loaded machine may pause a process
                // past an election timeout, and a new election is correct behaviour, not a failure.
                String leaderAfter =
                        Cluster.awaitLeader(List.copyOf(running.values())).name();
                assertThat(running).containsKey(leaderAfter);
                if (!leaderAfter.equals(leader.name())) {
                    System.out.printf("follower-crash: leadership moved from %s to %s%n", leader.name(), leaderAfter);
                }

                running.put(follower.name(), cluster.startServer(follower.name(), extra));
                String converged = Cluster.awaitConverged(List.copyOf(running.values()));
                System.out.printf(
                        "follower-crash: %s killed at write %d; converged at %s%n",
                        follower.name(), KILL_AT, converged);

                for (int read = 0; read < 6; read++) { // the broker spreads reads over the servers
                    Envelope history = client.call("history", Map.of("channel", "hall", "limit", 500));
                    List<Object> texts = WireClient.messages(history).stream()
                            .map(m -> m.get("message"))
                            .toList();
                    assertThat(texts).as("history read %d", read).containsExactlyElementsOf(acknowledged);
                }

                // Read consistency (docs/protocol.md): a write's reply carries its index; a read passing it as
                // min_index, or a linearizable read, sees the write on whichever server the broker picks, even
                // one that has not applied it yet when the read arrives.
                Envelope written = client.call("publish", Map.of("user", "bob", "channel", "hall", "message", "after"));
                assertThat(written.data().get("status")).isIn("OK", "sucesso");
                long index = (Long) written.data().get("index");
                for (int read = 0; read < 6; read++) {
                    Map<String, Object> fields = read % 2 == 0
                            ? Map.of("channel", "hall", "limit", 500, "min_index", index)
                            : Map.of("channel", "hall", "limit", 500, "linearizable", true);
                    List<Object> texts = WireClient.messages(client.call("history", fields)).stream()
                            .map(m -> m.get("message"))
                            .toList();
                    assertThat(texts).as("read %d with %s", read, fields).endsWith("after");
                }
            }
        }
    }
}
