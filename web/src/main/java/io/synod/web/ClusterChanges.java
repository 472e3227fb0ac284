package io.synod.web;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the dashboard lists under "recent changes" and "log tail", built from the monitor's polls:
 *
 * <ul>
 *   <li>changes seen between two rounds of {@code /status}: a server going down or coming back, a
 *       new Paxos leader (the up server that says {@code role: leader} with the highest ballot, or
 *       none), a new coordinator, a change of the Paxos members (the leader's view), plus the
 *       servers' own {@code election-started} log events;
 *   <li>the merged tail of the servers' interaction logs ({@code /logs}), ordered like
 *       {@code ./synod logs} by (Lamport clock, process, time), which respects causality.
 * </ul>
 *
 * Both are bounded ({@link #CHANGES_MAX}, {@link #LOG_TAIL_LINES_MAX}); a line's data is cut at
 * {@link #LOG_DATA_CHARS_MAX}. A server's {@code /logs} holds its last 500 lines: lines that came
 * and went between two polls are not in the tail (the log files have them all).
 *
 * <p>Thread-safety: every method is synchronized (the monitor thread writes, requests read).
 */
final class ClusterChanges {
    /** Changes kept, newest last. */
    static final int CHANGES_MAX = 100;
    /** Merged log lines kept. */
    static final int LOG_TAIL_LINES_MAX = 200;
    /** A log line's {@code data}, as JSON text, is cut to this many characters. */
    static final int LOG_DATA_CHARS_MAX = 240;

    private static final Comparator<Map<String, Object>> CAUSAL_ORDER = Comparator.<Map<String, Object>>comparingLong(
                    line -> ((Number) line.get("clock")).longValue())
            .thenComparing(line -> String.valueOf(line.get("process")))
            .thenComparingDouble(line -> ((Number) line.get("ts")).doubleValue());

    private final ArrayDeque<Map<String, Object>> changes = new ArrayDeque<>();
    private final List<Map<String, Object>> tail = new ArrayList<>();
    /** Per admin URL, the raw lines of its previous {@code /logs} answer: what is new is what is not there. */
    private final Map<String, Set<String>> previousLines = new HashMap<>();

    private final Map<String, Boolean> upByAdmin = new HashMap<>();
    /** The name each server gave when it last answered: a server that is down has none of its own. */
    private final Map<String, String> nameByAdmin = new HashMap<>();

    private String leader;
    private String coordinator;
    private Set<String> members;
    private boolean first = true;

    /**
     * Compares a round with the previous one.
     *
     * @param servers the round's servers as the monitor reports them
     * @param membersByAdmin each up server's Paxos members as {@code node_id:role}
     */
    synchronized void observe(
            long nowMillis, List<Map<String, Object>> servers, Map<String, Set<String>> membersByAdmin) {
        String newLeader = null;
        long[] best = null;
        String newCoordinator = null;
        for (Map<String, Object> server : servers) {
            String admin = (String) server.get("admin");
            if (server.get("name") != null) {
                nameByAdmin.put(admin, String.valueOf(server.get("name")));
            }
            String name = nameByAdmin.getOrDefault(admin, admin);
            boolean up = Boolean.TRUE.equals(server.get("up"));
            Boolean wasUp = upByAdmin.put(admin, up);
            if (wasUp != null && wasUp != up) {
                add(
                        nowMillis,
                        up ? "server-up" : "server-down",
                        name,
                        up ? name + " answers again" : name + " stopped answering");
            } else if (wasUp == null && !up && !first) {
                add(nowMillis, "server-down", name, name + " does not answer");
            }
            if (!up) {
                continue;
            }
            long[] ballot = ballot(server.get("ballot"));
            if ("leader".equals(server.get("role")) && (best == null || compare(ballot, best) > 0)) {
                best = ballot;
                newLeader = name;
            }
            if (newCoordinator == null && server.get("coordinator") != null) {
                newCoordinator = String.valueOf(server.get("coordinator"));
            }
        }
        if (!first && !Objects.equals(newLeader, leader)) {
            add(
                    nowMillis,
                    "leader",
                    newLeader,
                    newLeader == null
                            ? "no Paxos leader (election under way)"
                            : newLeader + " is the Paxos leader (ballot " + best[0] + "." + best[1] + ")");
        }
        leader = newLeader;
        if (newCoordinator != null) {
            if (!first && !newCoordinator.equals(coordinator)) {
                add(nowMillis, "coordinator", newCoordinator, newCoordinator + " is the coordinator");
            }
            coordinator = newCoordinator;
        }
        Set<String> view = leaderView(servers, membersByAdmin, newLeader);
        if (view != null) {
            if (members != null && !view.equals(members)) {
                Set<String> joined = new TreeSet<>(view);
                joined.removeAll(members);
                Set<String> left = new TreeSet<>(members);
                left.removeAll(view);
                add(
                        nowMillis,
                        "membership",
                        null,
                        "Paxos members now " + String.join(", ", new TreeSet<>(view))
                                + (joined.isEmpty() ? "" : "; new " + String.join(", ", joined))
                                + (left.isEmpty() ? "" : "; gone " + String.join(", ", left)));
            }
            members = view;
        }
        first = false;
    }

    /**
     * Merges a server's {@code /logs} answer (its recent lines, oldest first) into the tail.
     *
     * @param lines the raw JSON lines, with their parsed form
     */
    synchronized void logs(String admin, long nowMillis, List<String> raw, List<JsonNode> lines) {
        Set<String> previous = previousLines.getOrDefault(admin, Set.of());
        for (int i = 0; i < raw.size(); i++) {
            if (previous.contains(raw.get(i))) {
                continue;
            }
            JsonNode node = lines.get(i);
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("clock", node.path("clock").asLong(0));
            line.put("process", node.path("process").asText(""));
            line.put("ts", node.path("ts").asDouble(0));
            line.put("dir", node.path("dir").asText(""));
            line.put("kind", node.path("kind").asText(""));
            if (node.hasNonNull("peer")) {
                line.put("peer", node.path("peer").asText());
            }
            String data = node.path("data").toString();
            line.put("data", data.length() > LOG_DATA_CHARS_MAX ? data.substring(0, LOG_DATA_CHARS_MAX) + "…" : data);
            tail.add(line);
            if ("election-started".equals(line.get("kind")) && !previous.isEmpty()) {
                add(nowMillis, "election", (String) line.get("process"), line.get("process") + " started an election");
            }
        }
        previousLines.put(admin, new HashSet<>(raw));
        tail.sort(CAUSAL_ORDER);
        if (tail.size() > LOG_TAIL_LINES_MAX) {
            tail.subList(0, tail.size() - LOG_TAIL_LINES_MAX).clear();
        }
    }

    synchronized List<Map<String, Object>> changes() {
        return List.copyOf(changes);
    }

    synchronized List<Map<String, Object>> logTail() {
        return List.copyOf(tail);
    }

    private void add(long nowMillis, String kind, String server, String text) {
        Map<String, Object> change = new LinkedHashMap<>();
        change.put("t", nowMillis);
        change.put("kind", kind);
        change.put("server", server);
        change.put("text", text);
        changes.addLast(change);
        while (changes.size() > CHANGES_MAX) {
            changes.removeFirst();
        }
    }

    /** The members as the leader sees them, or as the first up server does without a leader. */
    private static Set<String> leaderView(
            List<Map<String, Object>> servers, Map<String, Set<String>> membersByAdmin, String leaderName) {
        Set<String> fallback = null;
        for (Map<String, Object> server : servers) {
            Set<String> view = membersByAdmin.get((String) server.get("admin"));
            if (view == null || view.isEmpty()) {
                continue;
            }
            if (leaderName != null && leaderName.equals(server.get("name"))) {
                return view;
            }
            if (fallback == null) {
                fallback = view;
            }
        }
        return leaderName == null ? fallback : null;
    }

    /** {@code "round.node"} as two numbers; anything else ranks lowest. */
    private static long[] ballot(Object value) {
        if (value instanceof String text) {
            int dot = text.indexOf('.');
            try {
                return new long[] {Long.parseLong(text.substring(0, dot)), Long.parseLong(text.substring(dot + 1))};
            } catch (RuntimeException e) {
                return new long[] {-1, -1};
            }
        }
        return new long[] {-1, -1};
    }

    private static int compare(long[] a, long[] b) {
        return a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]);
    }
}
