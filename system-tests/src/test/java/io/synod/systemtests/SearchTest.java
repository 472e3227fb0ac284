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
 * {@code search} on three replicated servers as real processes (issue 21, X6): messages, posts and private messages
 * written through the cluster are found by every server with the same pages (each server's index is fed by its own
 * applies, leader or not), a third user never finds a private message, and after every server is restarted (each
 * rebuilding its index from its store) the pages are the same again.
 */
class SearchTest {
    /** Reads through the broker, which hands them to the servers in turn: every server answers some. */
    private static final int READS = 6;

    private static final int POSTS = 25;
    private static final int PAGE_ITEMS = 10;

    @Test
    @Timeout(240)
    void everyServerFindsTheSameMessagesAndRebuildsItsIndexOnRestart() throws Exception {
        try (Cluster cluster = new Cluster("search")) {
            List<String> names = List.of("server-1", "server-2", "server-3");
            Map<String, String> endpoints = new LinkedHashMap<>();
            for (String name : names) {
                endpoints.put(name, Processes.endpoint(Processes.freePort()));
            }
            List<String> extra = List.of("--initial-members", Cluster.initialMembers(endpoints));
            Map<String, Processes.Started> running = new HashMap<>();
            for (String name : names) {
                running.put(name, cluster.startServer(name, extra));
            }
            Cluster.awaitLeader(List.copyOf(running.values()));
            String broker = Processes.endpoint(cluster.brokerFrontend);

            List<Object> carlaPages;
            List<Object> bobPages;
            try (Cluster.RetryingClient client = new Cluster.RetryingClient(broker, "search-writer")) {
                for (String user : List.of("ana", "bob", "carla")) {
                    client.write("login", Map.of("user", user));
                }
                client.write("channel", Map.of("channel", "geral"));
                client.write("publish", Map.of("user", "ana", "channel", "geral", "message", "uma ação no canal"));
                client.write("message", Map.of("src", "ana", "dst", "carla", "message", "AÇÃO secreta"));
                for (int i = 0; i < POSTS; i++) {
                    client.write("post", Map.of("user", "bob", "message", "acao numero " + i));
                }
            }
            try (Cluster.RetryingClient reader = new Cluster.RetryingClient(broker, "search-reader")) {
                carlaPages = sameOnEveryServer(reader, "carla");
                bobPages = sameOnEveryServer(reader, "bob");
            }
            assertThat(messages(carlaPages))
                    .hasSize(POSTS + 2)
                    .contains("uma ação no canal", "AÇÃO secreta")
                    .startsWith("acao numero " + (POSTS - 1));
            assertThat(messages(bobPages))
                    .as("bob never finds ana's private message to carla")
                    .hasSize(POSTS + 1)
                    .doesNotContain("AÇÃO secreta");

            for (String name : names) { // every server restarts: every answer comes from a rebuilt index
                Processes.stop(running.remove(name));
            }
            for (String name : names) {
                running.put(name, cluster.startServer(name, extra));
            }
            Cluster.awaitLeader(List.copyOf(running.values()));
            try (Cluster.RetryingClient reader = new Cluster.RetryingClient(broker, "search-reader-again")) {
                assertThat(sameOnEveryServer(reader, "carla")).isEqualTo(carlaPages);
                assertThat(sameOnEveryServer(reader, "bob")).isEqualTo(bobPages);
            }
        }
    }

    /**
     * Every page of {@code user}'s search for "ACAO", read {@link #READS} times through the broker (so from every
     * server), each page a linearizable read (the server answers once it has applied every write acknowledged
     * before); asserts every read returned the same pages and returns them.
     */
    private static List<Object> sameOnEveryServer(Cluster.RetryingClient reader, String user) {
        List<Object> first = null;
        for (int read = 0; read < READS; read++) {
            List<Object> pages = new ArrayList<>();
            Object cursor = null;
            do {
                Map<String, Object> request = new LinkedHashMap<>();
                request.put("user", user);
                request.put("query", "ACAO");
                request.put("limit", (long) PAGE_ITEMS);
                request.put("linearizable", true);
                if (cursor != null) {
                    request.put("cursor", cursor);
                }
                Envelope page = reader.call("search", request);
                assertThat(page.data()).as("read %d of %s", read, user).containsEntry("status", "OK");
                pages.add(page.data().get("results"));
                cursor = page.data().get("next_cursor");
                assertThat(page.data().get("more")).isEqualTo(cursor != null);
            } while (cursor != null);
            if (first == null) {
                first = pages;
            }
            assertThat(pages)
                    .as("read %d of %s: the same pages on every server", read, user)
                    .isEqualTo(first);
        }
        return first;
    }

    private static List<Object> messages(List<Object> pages) {
        List<Object> texts = new ArrayList<>();
        for (Object page : pages) {
            for (Object hit : (List<?>) page) {
                texts.add(((Map<?, ?>) hit).get("message"));
            }
        }
        return texts;
    }
}
