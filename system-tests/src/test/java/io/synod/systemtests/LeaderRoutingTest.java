package io.synod.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Our broker in front of our servers sends writes to the leader (messaging's LeaderMark): with three replicated
 * servers the followers forward almost none (round robin would make two thirds of the writes reach a follower and
 * be forwarded), and after kill -9 of the leader the broker stops sending to it, writes go on, and once a new
 * leader announces itself they go to it.
 */
class LeaderRoutingTest {
    private static final int WRITES_PER_PHASE = 60;
    /** Writes forwarded by followers allowed per phase: the few of a race between an election and its mark. */
    private static final int FORWARDED_MAX = WRITES_PER_PHASE / 10;

    @SuppressWarnings("unchecked")
    private static long forwarded(List<Processes.Started> servers) {
        long total = 0;
        for (Processes.Started server : servers) {
            if (Cluster.status(server).get("turns") instanceof Map<?, ?> turns
                    && turns.get("forwarded") instanceof Number n) {
                total += n.longValue();
            }
        }
        return total;
    }

    /** One acknowledged post (the client retries with the same ids; it fails the test if it never succeeds). */
    private static void write(Cluster.RetryingClient client, String text) {
        client.write("publish", Map.of("user", "alice", "channel", "room", "message", text));
    }

    @Test
    @Timeout(180)
    void writesGoToTheLeaderAndFollowItAfterItIsKilled() throws Exception {
        try (Cluster cluster = new Cluster("leader-routing")) {
            List<String> names = List.of("server-1", "server-2", "server-3");
            List<String> extra = Cluster.initialMembersOption(names);
            List<Processes.Started> running =
                    new ArrayList<>(cluster.startServers(names, extra).values());
            Processes.Started leader = Cluster.awaitLeader(running);
            try (Cluster.RetryingClient client =
                    new Cluster.RetryingClient(Processes.endpoint(cluster.brokerFrontend), "lr")) {
                client.write("login", Map.of("user", "alice"));
                client.write("channel", Map.of("channel", "room"));
                long before = forwarded(running);
                for (int i = 0; i < WRITES_PER_PHASE; i++) {
                    write(client, "a-" + i);
                }
                long forwardedFirst = forwarded(running) - before;
                System.out.printf("leader routing: %d of %d writes forwarded%n", forwardedFirst, WRITES_PER_PHASE);
                assertThat(forwardedFirst).as("writes forwarded by followers").isLessThanOrEqualTo(FORWARDED_MAX);

                Processes.kill(leader);
                running.remove(leader);
                for (int i = 0; i < WRITES_PER_PHASE / 2; i++) {
                    write(client, "b-" + i); // through the election: the broker must not strand them
                }
                Processes.Started newLeader = Cluster.awaitLeader(running);
                assertThat(newLeader.name()).isNotEqualTo(leader.name());
                before = forwarded(running);
                for (int i = 0; i < WRITES_PER_PHASE; i++) {
                    write(client, "c-" + i);
                }
                long forwardedAfter = forwarded(running) - before;
                System.out.printf(
                        "leader routing: %d of %d writes forwarded after the kill%n", forwardedAfter, WRITES_PER_PHASE);
                assertThat(forwardedAfter)
                        .as("writes forwarded once the new leader leads")
                        .isLessThanOrEqualTo(FORWARDED_MAX);
            }
        }
    }
}
