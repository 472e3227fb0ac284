package io.synod.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON-lines interaction log every Synod process writes (requirement N7): one line per
 * message received or sent and per notable event (clock sync, election, membership change),
 * each with the process name, its Lamport clock and its synchronised time. {@code synod logs}
 * merges the files of all processes in causal order.
 *
 * <p>Line shape: {@code {"ts": <float epoch s>, "clock": <lamport>, "process": <name>,
 * "dir": "in"|"out"|"event", "kind": <service or event>, "peer": <who>, "data": {...}}}.
 *
 * <p>Thread-safe. Keeps the last {@link #RECENT_LINES_MAX} lines in memory for {@code /logs}.
 */
public final class InteractionLog implements Closeable {
    /** Lines kept in memory for the admin endpoint. */
    public static final int RECENT_LINES_MAX = 500;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String process;
    private final BufferedWriter writer;
    private final Deque<String> recent = new ArrayDeque<>();

    private InteractionLog(String process, BufferedWriter writer) {
        this.process = process;
        this.writer = writer;
    }

    /** Opens (appending) {@code file}, creating its directory; a null file keeps lines in memory only. */
    public static InteractionLog open(Path file, String process) {
        if (file == null) {
            return new InteractionLog(process, null);
        }
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            BufferedWriter writer = Files.newBufferedWriter(
                    file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            return new InteractionLog(process, writer);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open interaction log " + file, e);
        }
    }

    /** An in-memory log (tests, tools). */
    public static InteractionLog inMemory(String process) {
        return new InteractionLog(process, null);
    }

    public String process() {
        return process;
    }

    /** A message received from {@code peer}. */
    public void received(String kind, String peer, long clock, double timestampSeconds, Map<String, Object> data) {
        write("in", kind, peer, clock, timestampSeconds, data);
    }

    /** A message sent to {@code peer}. */
    public void sent(String kind, String peer, long clock, double timestampSeconds, Map<String, Object> data) {
        write("out", kind, peer, clock, timestampSeconds, data);
    }

    /** An event that is not a message (clock adjusted, coordinator changed, member joined...). */
    public void event(String kind, long clock, double timestampSeconds, Map<String, Object> data) {
        write("event", kind, null, clock, timestampSeconds, data);
    }

    /** The most recent lines, oldest first. */
    public synchronized List<String> recentLines() {
        return new ArrayList<>(recent);
    }

    private void write(String dir, String kind, String peer, long clock, double ts, Map<String, Object> data) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("ts", ts);
        line.put("clock", clock);
        line.put("process", process);
        line.put("dir", dir);
        line.put("kind", kind);
        if (peer != null) {
            line.put("peer", peer);
        }
        line.put("data", data == null ? Map.of() : data);
        String json;
        try {
            json = JSON.writeValueAsString(line);
        } catch (IOException e) {
            json = "{\"process\":" + quote(process) + ",\"dir\":\"event\",\"kind\":\"log-error\"}";
        }
        append(json);
    }

    private synchronized void append(String json) {
        recent.addLast(json);
        if (recent.size() > RECENT_LINES_MAX) {
            recent.removeFirst();
        }
        if (writer == null) {
            return;
        }
        try {
            writer.write(json);
            writer.newLine();
            writer.flush();
        } catch (IOException e) {
            // The log is best effort: a full disk must not stop the process from serving.
        }
    }

    private static String quote(String s) {
        try {
            return JSON.writeValueAsString(s);
        } catch (IOException e) {
            return "\"?\"";
        }
    }

    @Override
    public synchronized void close() {
        if (writer != null) {
            try {
                writer.close();
            } catch (IOException e) {
                // closing a log on shutdown: nothing useful to do
            }
        }
    }
}
