package io.synod.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one checked writer's record ({@link ChaosWriter}) proves. The rules: a write is <b>lost</b> when it was
 * acknowledged and is not in the channel's final history; <b>doubled</b> when its text (the writer's name, a dash, a number) is in that
 * history more than once (acknowledged or not: a write applied twice is doubled whatever its reply); a <b>gap</b> is a range of seqs
 * the client skipped after failing to fetch it, or a delivery whose seq is not the previous one plus one (the
 * client promises every seq once, in order). A record without a history line proves nothing: {@link #historyRead}
 * is false and the run fails.
 *
 * @param writer the writer's name
 * @param acknowledged writes answered OK
 * @param refused writes answered with an error (not applied: the server says so)
 * @param unknown writes that got no reply within the client's retries (applied or not)
 * @param lost acknowledged writes missing from the history, in write order
 * @param doubled texts found more than once in the history
 * @param gaps skipped ranges and out-of-order deliveries
 * @param delivered deliveries of the channel the writer received
 * @param historyRead whether the final history was read
 */
public record ChaosLedger(
        String writer,
        int acknowledged,
        int refused,
        int unknown,
        List<String> lost,
        List<String> doubled,
        int gaps,
        int delivered,
        boolean historyRead) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public ChaosLedger {
        lost = List.copyOf(lost);
        doubled = List.copyOf(doubled);
    }

    /** Reads a record's JSON lines. */
    public static ChaosLedger of(String writer, List<String> lines) {
        Set<String> acked = new LinkedHashSet<>();
        int refused = 0;
        int unknown = 0;
        int gaps = 0;
        int delivered = 0;
        long lastSeq = -1;
        List<String> history = null;
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode node;
            try {
                node = JSON.readTree(line);
            } catch (IOException e) {
                throw new UncheckedIOException("unreadable record line of " + writer + ": " + line, e);
            }
            if (node.has("ack")) {
                acked.add(node.get("ack").asText());
            } else if (node.has("refused")) {
                refused++;
            } else if (node.has("unknown")) {
                unknown++;
            } else if (node.has("gap_from")) {
                gaps++;
            } else if (node.has("seq")
                    && !"CORRECTION".equals(node.path("source").asText())) {
                long seq = node.get("seq").asLong();
                if (lastSeq >= 0 && seq != lastSeq + 1) {
                    gaps++;
                }
                lastSeq = seq;
                delivered++;
            } else if (node.has("history")) {
                history = new ArrayList<>();
                for (JsonNode text : node.get("history")) {
                    history.add(text.asText());
                }
            }
        }
        if (history == null) {
            return new ChaosLedger(
                    writer, acked.size(), refused, unknown, List.of(), List.of(), gaps, delivered, false);
        }
        Map<String, Integer> counts = new HashMap<>();
        history.forEach(text -> counts.merge(text, 1, Integer::sum));
        List<String> lost =
                acked.stream().filter(text -> !counts.containsKey(text)).toList();
        String mine = writer + "-"; // bots may post into the writer's channel too: only its own texts are checked
        List<String> doubled = counts.entrySet().stream()
                .filter(e -> e.getValue() > 1 && e.getKey().startsWith(mine))
                .map(Map.Entry::getKey)
                .sorted()
                .toList();
        return new ChaosLedger(writer, acked.size(), refused, unknown, lost, doubled, gaps, delivered, true);
    }

    /** Whether this writer saw nothing wrong. */
    public boolean clean() {
        return historyRead && lost.isEmpty() && doubled.isEmpty() && gaps == 0;
    }
}
