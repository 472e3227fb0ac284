package io.synod.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.synod.protocol.Envelope;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The reference down on real processes (issue 4): with three replicated servers, the reference is stopped (SIGTERM)
 * and, for a few seconds, every write through the broker is acknowledged and every acknowledged write readable;
 * each server's /status still names a coordinator and the same coordination members (servers keep the reference's
 * last list plus what peers send); after the reference restarts on its data directory, the servers register again
 * and its {@code list} names all three within a bounded wait.
 */
class ReferenceDownTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final long DOWN_MILLIS = 4_000;

    @Test
    @Timeout(120)
    void chatGoesOnWithoutTheReferenceAndServersRegisterAgain() throws Exception {
        try (Cluster cluster = new Cluster("reference-down")) {
            List<String> names = List.of("server-1", "server-2", "server-3");
            Map<String, String> endpoints = new LinkedHashMap<>();
            for (String name : names) {
                endpoints.put(name, Processes.endpoint(Processes.freePort()));
            }
            List<String> extra = List.of("--initial-members", Cluster.initialMembers(endpoints));
            List<Processes.Started> servers = new ArrayList<>();
            for (String name : names) {
                servers.add(cluster.startServer(name, extra));
            }
            Cluster.awaitLeader(servers);
            await().atMost(WAIT)
                    .pollInterval(Duration.ofMillis(200))
                    .untilAsserted(() -> assertThat(referenceList(cluster)).containsExactlyInAnyOrderElementsOf(names));
            await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> assertCoordinated(servers));

            Processes.stop(cluster.referenceProcess);

            List<String> acknowledged = new ArrayList<>();
            try (Cluster.RetryingClient client =
                    new Cluster.RetryingClient(Processes.endpoint(cluster.brokerFrontend), "rd")) {
                client.write("login", Map.of("user", "carol"));
                client.write("channel", Map.of("channel", "den"));
                long until = System.nanoTime() + Duration.ofMillis(DOWN_MILLIS).toNanos();
                for (int i = 0; System.nanoTime() < until; i++) {
                    String text = "r-" + i;
                    client.write("publish", Map.of("user", "carol", "channel", "den", "message", text));
                    acknowledged.add(text);
                    Envelope history = client.call("history", Map.of("channel", "den", "limit", 500));
                    // a read may land on a follower a few slots behind; what it shows is a prefix of the acknowledged
                    List<Object> texts = WireClient.messages(history).stream()
                            .map(m -> m.get("message"))
                            .toList();
                    assertThat(texts).as("read %d", i).isEqualTo(acknowledged.subList(0, texts.size()));
                }
                assertCoordinated(servers);
                Cluster.awaitConverged(servers);
                for (int read = 0; read < 6; read++) { // the broker spreads reads over the servers
                    List<Object> texts = wholeHistory(client, "den");
                    assertThat(texts)
                            .as("history read %d: %s", read, difference(acknowledged, texts))
                            .containsExactlyElementsOf(acknowledged);
                }
                System.out.printf(
                        "reference-down: %d writes acknowledged and read back without the reference%n",
                        acknowledged.size());
            }

            cluster.restartReference();
            await().atMost(WAIT)
                    .pollInterval(Duration.ofMillis(200))
                    .untilAsserted(() -> assertThat(referenceList(cluster)).containsExactlyInAnyOrderElementsOf(names));
        }
    }

    /** Every message text of {@code channel}, page by page (a page holds at most 500). */
    private static List<Object> wholeHistory(Cluster.RetryingClient client, String channel) {
        List<Object> texts = new ArrayList<>();
        long after = 0;
        for (int page = 0; page < 1_000; page++) {
            Envelope reply = client.call("history", Map.of("channel", channel, "after_seq", after, "limit", 500));
            assertThat(reply.data().get("status"))
                    .as("history: %s", reply.data())
                    .isEqualTo("OK");
            WireClient.messages(reply).forEach(m -> texts.add(m.get("message")));
            if (!Boolean.TRUE.equals(reply.data().get("more"))) {
                return texts;
            }
            after = ((Number) reply.data().get("next_seq")).longValue();
        }
        throw new AssertionError("the history of " + channel + " never ended");
    }

    /** What differs between what was acknowledged and what a read showed, short enough to read in a report. */
    private static String difference(List<String> acknowledged, List<Object> read) {
        int first = 0;
        while (first < Math.min(acknowledged.size(), read.size())
                && acknowledged.get(first).equals(read.get(first))) {
            first++;
        }
        Set<Object> readSet = new java.util.HashSet<>(read);
        List<String> missing =
                acknowledged.stream().filter(t -> !readSet.contains(t)).toList();
        return "acknowledged " + acknowledged.size() + ", read " + read.size() + ", first difference at " + first
                + ", missing " + missing.subList(0, Math.min(10, missing.size()))
                + ", read around it " + read.subList(Math.max(0, first - 2), Math.min(read.size(), first + 3));
    }

    /** Every server names the same non-null coordinator and the same coordination members. */
    private static void assertCoordinated(List<Processes.Started> servers) {
        Set<Object> coordinators = new TreeSet<>();
        Set<Set<String>> memberSets = new java.util.HashSet<>();
        for (Processes.Started server : servers) {
            Map<String, Object> status = Cluster.status(server);
            assertThat(status.get("coordinator"))
                    .as(server.name() + " coordinator")
                    .isNotNull();
            coordinators.add(String.valueOf(status.get("coordinator")));
            memberSets.add(names(status.get("coordination_members")));
        }
        assertThat(coordinators).as("one coordinator").hasSize(1);
        assertThat(memberSets).as("the same coordination members").hasSize(1);
        assertThat(memberSets.iterator().next()).as("coordination members").hasSize(servers.size());
    }

    @SuppressWarnings("unchecked")
    private static Set<String> names(Object members) {
        if (!(members instanceof List<?> list)) {
            return Set.of();
        }
        return list.stream()
                .map(m -> String.valueOf(((Map<String, Object>) m).get("name")))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** The names in the reference's {@code list} reply. */
    @SuppressWarnings("unchecked")
    private static List<String> referenceList(Cluster cluster) {
        try (WireClient reference =
                new WireClient(Processes.endpoint(cluster.reference), Processes.endpoint(cluster.proxyXpub))) {
            Envelope reply = reference.call("list", Map.of());
            return WireClient.list(reply, "list").stream()
                    .map(m -> String.valueOf(((Map<String, Object>) m).get("name")))
                    .toList();
        }
    }
}
