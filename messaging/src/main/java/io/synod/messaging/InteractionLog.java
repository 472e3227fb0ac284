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
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The JSON-lines interaction log every Synod process writes (requirement N7): one line per
 * message received or sent and per notable event (clock sync, election, membership change),
 * each with the process name, its Lamport clock and its synchronised time. {@code synod logs}
 * merges the files of all processes in causal order.
 *
 * <p>Line shape: {@code {"ts": <float epoch s>, "clock": <lamport>, "process": <name>,
 * "dir": "in"|"out"|"event", "kind": <service or event>, "peer": <who>, "data": {...}}}.
 *
 * <p>A log with a file writes it from its own thread ({@code interaction-log-<process>}): callers only
 * queue the line (bounded: {@link #QUEUED_LINES_MAX}; when full, lines are dropped and counted, and the
 * count is written as a {@code log-dropped} event), so serving a request never waits for the disk or
 * for JSON encoding. While lines keep coming the writer wakes by itself every {@link #WRITE_INTERVAL_MILLIS}
 * and writes (and flushes) everything queued by then, so a logged message costs its sender no thread
 * hand-off (a signal per line woke the writer, which then competed for the cores with the request it logged).
 * With nothing queued it sleeps until the next line: only the first line after a quiet spell wakes it (one
 * signal per batch, none in a busy process), so an idle process's writer does not wake at all (it woke 50 times
 * a second, and on this machine a wake-up costs a tenth of a millisecond of CPU or more).
 * {@link #recentLines()} wakes the writer and waits (bounded) for the lines queued before the call, so it
 * sees every line its caller logged.
 *
 * <p>Thread-safe. Keeps the last {@link #RECENT_LINES_MAX} lines in memory for {@code /logs}. Data maps
 * are encoded later, on the writer thread: callers must not change a map after logging it.
 */
public final class InteractionLog implements Closeable {
    /** Lines kept in memory for the admin endpoint. */
    public static final int RECENT_LINES_MAX = 500;
    /** Lines waiting for the writer thread; beyond this a line is dropped (and counted), never waited for. */
    public static final int QUEUED_LINES_MAX = 65_536;
    /**
     * How often the writer thread wakes to write what was queued (a line reaches the file within this). Under load a
     * wake-up of the writer costs more than the lines it writes: at 20 ms it took 5.9-6.2 us of CPU per line, at 100
     * ms 4.2-4.6 (docs/performance.md).
     */
    static final long WRITE_INTERVAL_MILLIS = 100;
    /** Longest wait of {@link #recentLines()} and {@link #close()} for the writer to catch up. */
    private static final long CATCH_UP_WAIT_MILLIS = 2_000;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String process;
    private final BufferedWriter writer;
    private final Deque<String> recent = new ArrayDeque<>();
    private final BlockingQueue<Line> queue;
    private final Thread writerThread;
    private final AtomicLong queuedCount = new AtomicLong();
    private final AtomicLong droppedCount = new AtomicLong();
    private long writtenCount; // guarded by this
    private long droppedReported; // writer thread only
    private volatile boolean closing;
    /** True while the writer sleeps with nothing queued: the next line must wake it. */
    private final AtomicBoolean writerIdle = new AtomicBoolean();

    /** One line before encoding. */
    private record Line(String dir, String kind, String peer, long clock, double ts, Map<String, Object> data) {}

    private InteractionLog(String process, BufferedWriter writer) {
        this.process = process;
        this.writer = writer;
        if (writer == null) {
            this.queue = null;
            this.writerThread = null;
        } else {
            this.queue = new ArrayBlockingQueue<>(QUEUED_LINES_MAX);
            this.writerThread = new Thread(this::writeLoop, "interaction-log-" + process);
            this.writerThread.setDaemon(true);
            this.writerThread.start();
        }
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

    /** The most recent lines, oldest first, including every line logged before this call (bounded wait). */
    public List<String> recentLines() {
        long target = queuedCount.get();
        long deadline = System.nanoTime() + CATCH_UP_WAIT_MILLIS * 1_000_000L;
        if (writerThread != null) {
            LockSupport.unpark(writerThread); // write now rather than at the next interval
        }
        synchronized (this) {
            while (queue != null && writtenCount < target && !closing) {
                long leftMillis = (deadline - System.nanoTime()) / 1_000_000L;
                if (leftMillis <= 0) {
                    break;
                }
                try {
                    wait(leftMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            return new ArrayList<>(recent);
        }
    }

    /** Lines dropped because the writer could not keep up (0 for a healthy process). */
    public long droppedLines() {
        return droppedCount.get();
    }

    /** Fields whose values no log shows (docs/security.md): a password, a session token. */
    public static final java.util.Set<String> SECRET_FIELDS = java.util.Set.of("password", "token");

    /** {@code data} with the values of {@link #SECRET_FIELDS} replaced by {@code "<hidden>"}. */
    static Map<String, Object> withSecretsHidden(Map<String, Object> data) {
        if (SECRET_FIELDS.stream().noneMatch(data::containsKey)) {
            return data;
        }
        Map<String, Object> shown = new LinkedHashMap<>(data);
        shown.replaceAll((field, value) -> SECRET_FIELDS.contains(field) ? "<hidden>" : value);
        return shown;
    }

    private void write(String dir, String kind, String peer, long clock, double ts, Map<String, Object> data) {
        Line line = new Line(dir, kind, peer, clock, ts, data == null ? Map.of() : data);
        if (queue == null) {
            append(encode(line));
            return;
        }
        if (closing || !queue.offer(line)) {
            droppedCount.incrementAndGet();
            return;
        }
        queuedCount.incrementAndGet();
        if (writerIdle.get() && writerIdle.compareAndSet(true, false)) {
            LockSupport.unpark(writerThread); // the first line after a quiet spell; the writer then batches
        }
    }

    private void writeLoop() {
        List<Line> batch = new ArrayList<>();
        while (true) {
            while (queue.drainTo(batch, 4_096) > 0) {
                List<String> encoded = new ArrayList<>(batch.size() + 1);
                for (Line line : batch) {
                    encoded.add(encode(line));
                }
                long dropped = droppedCount.get();
                if (dropped != droppedReported) {
                    encoded.add(encode(new Line(
                            "event",
                            "log-dropped",
                            null,
                            0,
                            batch.get(batch.size() - 1).ts(),
                            Map.of("lines", dropped))));
                    droppedReported = dropped;
                }
                appendAll(encoded, batch.size());
                batch.clear();
            }
            if (closing || Thread.currentThread().isInterrupted()) {
                if (queue.isEmpty()) {
                    return;
                }
                continue;
            }
            if (queue.isEmpty()) {
                // nothing to write: sleep until a logger (the first line), recentLines() or close() wakes us
                writerIdle.set(true);
                if (queue.isEmpty() && !closing) {
                    LockSupport.park(this);
                }
                writerIdle.set(false);
            }
            // then collect for an interval; woken early only by recentLines() and close(): no hand-off per line
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(WRITE_INTERVAL_MILLIS));
        }
    }

    private String encode(Line l) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("ts", l.ts());
        line.put("clock", l.clock());
        line.put("process", process);
        line.put("dir", l.dir());
        line.put("kind", l.kind());
        if (l.peer() != null) {
            line.put("peer", l.peer());
        }
        line.put("data", withSecretsHidden(l.data()));
        try {
            return JSON.writeValueAsString(line);
        } catch (IOException | RuntimeException e) {
            return "{\"process\":" + quote(process) + ",\"dir\":\"event\",\"kind\":\"log-error\"}";
        }
    }

    private synchronized void append(String json) {
        recent.addLast(json);
        if (recent.size() > RECENT_LINES_MAX) {
            recent.removeFirst();
        }
    }

    /** Writer thread: appends a batch to the ring and the file, flushes once, wakes {@link #recentLines()}. */
    private synchronized void appendAll(List<String> lines, int queuedLines) {
        for (String json : lines) {
            append(json);
        }
        try {
            for (String json : lines) {
                writer.write(json);
                writer.newLine();
            }
            writer.flush();
        } catch (IOException e) {
            // The log is best effort: a full disk must not stop the process from serving.
        }
        writtenCount += queuedLines;
        notifyAll();
    }

    private static String quote(String s) {
        try {
            return JSON.writeValueAsString(s);
        } catch (IOException e) {
            return "\"?\"";
        }
    }

    /** Writes what is queued (waiting at most {@code CATCH_UP_WAIT_MILLIS}), then closes the file; idempotent. */
    @Override
    public void close() {
        if (writerThread == null || closing) {
            return;
        }
        closing = true;
        LockSupport.unpark(writerThread);
        try {
            writerThread.join(CATCH_UP_WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            notifyAll();
            try {
                writer.close();
            } catch (IOException e) {
                // closing a log on shutdown: nothing useful to do
            }
        }
    }
}
