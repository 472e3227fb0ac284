package io.synod.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The dashboard's changes and log tail, from hand-made rounds and log answers. */
class ClusterChangesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> THREE = Set.of("1:voter", "2:voter", "3:voter");

    private static Map<String, Object> server(String name, boolean up, String role, String ballot) {
        Map<String, Object> server = new LinkedHashMap<>();
        server.put("admin", "http://" + name);
        server.put("up", up);
        if (up) {
            server.put("name", name);
            server.put("role", role);
            server.put("ballot", ballot);
            server.put("coordinator", "s3");
        }
        return server;
    }

    private static Map<String, Set<String>> views(Set<String> view, String... names) {
        Map<String, Set<String>> views = new HashMap<>();
        for (String name : names) {
            views.put("http://" + name, view);
        }
        return views;
    }

    private static List<String> texts(ClusterChanges changes) {
        return changes.changes().stream()
                .map(c -> c.get("kind") + " " + c.get("text"))
                .toList();
    }

    @Test
    void a_killed_leader_shows_as_down_then_a_new_leader_then_up_again() {
        ClusterChanges changes = new ClusterChanges();
        changes.observe(
                1,
                List.of(
                        server("s1", true, "leader", "1.1"),
                        server("s2", true, "follower", "1.1"),
                        server("s3", true, "follower", "1.1")),
                views(THREE, "s1", "s2", "s3"));
        assertThat(changes.changes())
                .as("the first round is the starting point, not a change")
                .isEmpty();

        changes.observe(
                2,
                List.of(
                        server("s1", false, null, null),
                        server("s2", true, "follower", "1.1"),
                        server("s3", true, "follower", "1.1")),
                views(THREE, "s2", "s3"));
        // a stale claim with a lower ballot loses to the newer one
        changes.observe(
                3,
                List.of(
                        server("s1", false, null, null),
                        server("s2", true, "leader", "2.2"),
                        server("s3", true, "leader", "1.1")),
                views(THREE, "s2", "s3"));
        changes.observe(
                4,
                List.of(
                        server("s1", true, "follower", "2.2"),
                        server("s2", true, "leader", "2.2"),
                        server("s3", true, "follower", "2.2")),
                views(THREE, "s1", "s2", "s3"));
        assertThat(texts(changes))
                .containsExactly(
                        "server-down s1 stopped answering",
                        "leader no Paxos leader (election under way)",
                        "leader s2 is the Paxos leader (ballot 2.2)",
                        "server-up s1 answers again");
    }

    @Test
    void membership_and_coordinator_changes_are_listed_and_the_list_is_bounded() {
        ClusterChanges changes = new ClusterChanges();
        List<Map<String, Object>> round = List.of(server("s1", true, "leader", "1.1"));
        changes.observe(1, round, views(THREE, "s1"));
        Set<String> four = new java.util.TreeSet<>(THREE);
        four.add("4:learner");
        changes.observe(2, round, views(four, "s1"));
        assertThat(texts(changes))
                .containsExactly("membership Paxos members now 1:voter, 2:voter, 3:voter, 4:learner; new 4:learner");
        for (int i = 0; i < ClusterChanges.CHANGES_MAX; i++) {
            Map<String, Object> moved = server("s1", true, "leader", "1.1");
            moved.put("coordinator", "c" + i);
            changes.observe(3 + i, List.of(moved), views(four, "s1"));
        }
        assertThat(changes.changes()).hasSize(ClusterChanges.CHANGES_MAX);
        assertThat(texts(changes).getLast()).isEqualTo("coordinator c99 is the coordinator");
    }

    private static String line(String process, long clock, String kind, String data) {
        return "{\"ts\":" + clock + ".5,\"clock\":" + clock + ",\"process\":\"" + process
                + "\",\"dir\":\"event\",\"kind\":\"" + kind + "\",\"data\":" + data + "}";
    }

    private static void logs(ClusterChanges changes, String admin, String... lines) throws Exception {
        List<JsonNode> parsed = new ArrayList<>();
        for (String line : lines) {
            parsed.add(JSON.readTree(line));
        }
        changes.logs(admin, 0, List.of(lines), parsed);
    }

    @Test
    void the_log_tail_merges_servers_in_causal_order_once_each_and_bounded() throws Exception {
        ClusterChanges changes = new ClusterChanges();
        logs(changes, "a", line("s1", 1, "start", "{}"), line("s1", 5, "publish", "{}"));
        logs(changes, "b", line("s2", 3, "start", "{}"));
        logs(changes, "a", line("s1", 5, "publish", "{}"), line("s1", 7, "election-started", "{}"));
        assertThat(changes.logTail().stream().map(l -> l.get("process") + "@" + l.get("clock")))
                .containsExactly("s1@1", "s2@3", "s1@5", "s1@7");
        assertThat(texts(changes)).containsExactly("election s1 started an election");

        String big = "{\"message\":\"" + "x".repeat(1_000) + "\"}";
        String[] many = new String[ClusterChanges.LOG_TAIL_LINES_MAX + 10];
        for (int i = 0; i < many.length; i++) {
            many[i] = line("s3", 100 + i, "publish", big);
        }
        logs(changes, "c", many);
        List<Map<String, Object>> tail = changes.logTail();
        assertThat(tail).hasSize(ClusterChanges.LOG_TAIL_LINES_MAX);
        assertThat(tail.getLast().get("clock")).isEqualTo(100L + many.length - 1);
        assertThat(((String) tail.getLast().get("data")).length()).isEqualTo(ClusterChanges.LOG_DATA_CHARS_MAX + 1);
    }
}
