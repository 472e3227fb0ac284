package io.synod.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.protocol.Envelope;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A network partition on real processes (issue 4): the current Paxos leader is cut off from both peers while writes
 * go on through the broker, then the link is healed.
 *
 * <p>How the cut is made: every replication link goes through a {@link FaultyLink} forwarder on loopback, one per
 * ordered pair (from, to). Each server gets its own {@code --initial-members}: its own entry is the real endpoint it
 * binds, every other entry is the forwarder leading to that peer. Servers keep the endpoint a name was first known
 * with (address-book gossip does not overwrite it), so every byte between two servers, in both directions, crosses
 * a forwarder; no server option is needed. Cutting a server closes the four forwarders touching it; the broker,
 * proxy and reference links are untouched, so the isolated server still receives client requests.
 *
 * <p>What it proves: while isolated the old leader applies nothing (its applied index stays where it was, so it can
 * acknowledge no write, since a server replies only when it applies); the other two elect a leader and every write
 * sent through the broker is acknowledged (Lazy Pirate retries with the same ids when a request lands on the
 * isolated server); after healing the isolated server catches up: equal applied index and state digest on all
 * three within a bounded wait, and every acknowledged write is in the history exactly once, in order, on every
 * server the broker reads from.
 */
class PartitionTest {
    private static final int WRITES_BEFORE = 5;
    private static final int WRITES_DURING = 15;
    private static final int WRITES_AFTER = 5;

    @Test
    @Timeout(120)
    void anIsolatedLeaderAcknowledgesNothingAndCatchesUpAfterHealing() throws Exception {
        List<String> names = List.of("server-1", "server-2", "server-3");
        Map<String, Integer> realPort = new HashMap<>();
        for (String name : names) {
            realPort.put(name, Processes.freePort());
        }
        Map<String, FaultyLink> links = new HashMap<>(); // "from>to" -> forwarder into "to"
        try (Cluster cluster = new Cluster("partition")) {
            try {
                Map<String, Processes.Started> running = new LinkedHashMap<>();
                for (String self : names) {
                    Map<String, String> members = new LinkedHashMap<>();
                    for (String peer : names) {
                        if (peer.equals(self)) {
                            members.put(peer, Processes.endpoint(realPort.get(peer)));
                        } else {
                            FaultyLink link = new FaultyLink(realPort.get(peer));
                            links.put(self + ">" + peer, link);
                            members.put(peer, Processes.endpoint(link.port()));
                        }
                    }
                    running.put(
                            self,
                            cluster.startServer(self, List.of("--initial-members", Cluster.initialMembers(members))));
                }
                List<Processes.Started> all = List.copyOf(running.values());
                Processes.Started isolated = Cluster.awaitLeader(all);
                List<Processes.Started> majority =
                        all.stream().filter(s -> s != isolated).toList();

                List<String> acknowledged = new ArrayList<>();
                try (Cluster.RetryingClient client =
                        new Cluster.RetryingClient(Processes.endpoint(cluster.brokerFrontend), "pt")) {
                    client.write("login", Map.of("user", "alice"));
                    client.write("channel", Map.of("channel", "room"));
                    int n = 0;
                    for (; n < WRITES_BEFORE; n++) {
                        write(client, n, acknowledged);
                    }

                    links.forEach((pair, link) -> {
                        if (pair.contains(isolated.name())) {
                            link.cut();
                        }
                    });
                    // the client is sequential and every write so far was applied where it was acknowledged;
                    // wait until the isolated server's index is stable (decisions already in its socket buffers)
                    long baseline = stableAppliedIndex(isolated);
                    Processes.Started newLeader = Cluster.awaitLeader(majority);
                    for (; n < WRITES_BEFORE + WRITES_DURING; n++) {
                        write(client, n, acknowledged);
                    }
                    assertThat(Cluster.appliedIndex(isolated))
                            .as("the isolated server applied (so acknowledged) nothing while cut off")
                            .isEqualTo(baseline);
                    assertThat(Cluster.appliedIndex(newLeader))
                            .as("the majority went on")
                            .isGreaterThan(baseline);
                    System.out.printf(
                            "partition: %s isolated at index %d; %s led the majority to index %d%n",
                            isolated.name(), baseline, newLeader.name(), Cluster.appliedIndex(newLeader));

                    links.values().forEach(FaultyLink::heal);
                    for (; n < WRITES_BEFORE + WRITES_DURING + WRITES_AFTER; n++) {
                        write(client, n, acknowledged);
                    }
                    String converged = Cluster.awaitConverged(all);
                    System.out.println("partition: converged at " + converged);

                    for (int read = 0; read < 6; read++) { // the broker spreads reads over the servers
                        Envelope history = client.call("history", Map.of("channel", "room", "limit", 500));
                        List<Object> texts = WireClient.messages(history).stream()
                                .map(m -> m.get("message"))
                                .toList();
                        assertThat(texts).as("history read %d", read).containsExactlyElementsOf(acknowledged);
                    }
                }
            } finally {
                links.values().forEach(FaultyLink::close);
            }
        }
    }

    private static void write(Cluster.RetryingClient client, int n, List<String> acknowledged) {
        String text = "m-" + n;
        client.write("publish", Map.of("user", "alice", "channel", "room", "message", text));
        acknowledged.add(text);
    }

    /** The server's applied index once two readings 500 ms apart agree (bounded). */
    private static long stableAppliedIndex(Processes.Started server) throws InterruptedException {
        long previous = Cluster.appliedIndex(server);
        for (int i = 0; i < 20; i++) {
            Thread.sleep(500);
            long now = Cluster.appliedIndex(server);
            if (now == previous && now >= 0) {
                return now;
            }
            previous = now;
        }
        throw new AssertionError(server.name() + " applied index never settled: " + previous);
    }
}
