package io.synod.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code synod logs DIR}: merges the JSON-lines interaction logs of every process under DIR into
 * one causally ordered view. Lamport clocks respect happens-before (if a happened before b then
 * clock(a) &lt; clock(b)), so sorting by (clock, process) gives an order consistent with
 * causality; ties between processes are concurrent events, broken by process name.
 */
@Command(
        name = "logs",
        mixinStandardHelpOptions = true,
        description = "Merge every process's interaction log in causal (Lamport) order.")
final class LogsCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Lines longer than this are cut in the text view. */
    private static final int DATA_CHARS_MAX = 240;

    @Parameters(
            index = "0",
            defaultValue = "run/logs",
            description = "Directory holding *.jsonl logs (default: ${DEFAULT-VALUE}).")
    Path directory;

    @Option(names = "--process", description = "Only this process (repeatable).")
    List<String> processes = new ArrayList<>();

    @Option(names = "--user", description = "Only lines mentioning this user (user, src, dst).")
    String user;

    @Option(names = "--kind", description = "Only this kind, e.g. publish, election, clock (repeatable).")
    List<String> kinds = new ArrayList<>();

    @Option(names = "--json", description = "Print the merged lines as JSON lines.")
    boolean json;

    /** One parsed log line. */
    record Line(long clock, String process, double ts, JsonNode node) {}

    @Override
    public Integer call() throws IOException {
        if (!Files.isDirectory(directory)) {
            System.err.println("synod logs: " + directory + " is not a directory");
            return 2;
        }
        List<Line> lines = new ArrayList<>();
        int unreadable = 0;
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file :
                    files.filter(p -> p.toString().endsWith(".jsonl")).sorted().toList()) {
                unreadable += read(file, lines);
            }
        }
        lines.sort(Comparator.comparingLong(Line::clock)
                .thenComparing(Line::process)
                .thenComparingDouble(Line::ts));
        for (Line line : lines) {
            if (matches(line.node())) {
                System.out.println(json ? line.node().toString() : format(line));
            }
        }
        if (unreadable > 0) {
            System.err.println("synod logs: skipped " + unreadable + " unreadable line(s)");
        }
        return 0;
    }

    private static int read(Path file, List<Line> into) throws IOException {
        int unreadable = 0;
        for (String text : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (text.isBlank()) {
                continue;
            }
            try {
                JsonNode node = JSON.readTree(text);
                into.add(new Line(
                        node.path("clock").asLong(),
                        node.path("process").asText("?"),
                        node.path("ts").asDouble(),
                        node));
            } catch (IOException e) {
                unreadable++;
            }
        }
        return unreadable;
    }

    private boolean matches(JsonNode node) {
        if (!processes.isEmpty() && !processes.contains(node.path("process").asText())) {
            return false;
        }
        if (!kinds.isEmpty() && !kinds.contains(node.path("kind").asText())) {
            return false;
        }
        if (user != null) {
            JsonNode data = node.path("data");
            return Stream.of("user", "src", "dst")
                    .anyMatch(key -> user.equals(data.path(key).asText(null)));
        }
        return true;
    }

    private static String format(Line line) {
        JsonNode node = line.node();
        long millis = Math.round(line.ts() * 1000);
        String data = node.path("data").toString();
        if (data.length() > DATA_CHARS_MAX) {
            data = data.substring(0, DATA_CHARS_MAX) + "...";
        }
        String peer = node.hasNonNull("peer") ? " peer=" + node.path("peer").asText() : "";
        return String.format(
                "%8d %s %-12s %-5s %-16s%s %s",
                line.clock(),
                Instant.ofEpochMilli(millis),
                line.process(),
                node.path("dir").asText(),
                node.path("kind").asText(),
                peer,
                data);
    }
}
