package io.synod.messaging;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
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
 * <p>Lines are encoded by {@link JsonLineWriter} (the text Jackson wrote) into chunks of the file: no map and no
 * string per line. The last {@link #RECENT_LINES_MAX} lines are kept for {@code /logs} as they were logged and
 * encoded again when asked for (rarely), so a line is encoded once on the hot path.
 *
 * <p>Thread-safe. Data maps are encoded later, on the writer thread and by {@link #recentLines()}: callers must
 * not change a map after logging it.
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
    /** Lines the writer takes from the queue at a time. */
    private static final int BATCH_LINES_MAX = 4_096;
    /** Longest wait of {@link #recentLines()} and {@link #close()} for the writer to catch up. */
    private static final long CATCH_UP_WAIT_MILLIS = 2_000;

    /** Lines are written to the file in pieces of about this many chars (one write call each, at most a few lines over). */
    private static final int FILE_CHUNK_CHARS = 64 * 1024;
    /** Bytes the file is written in at a time (a write call each). */
    private static final int FILE_BUFFER_BYTES = 64 * 1024;

    private final String process;
    private final Writer writer;
    /** The last lines, encoded only when asked for (rarely): guarded by this. */
    private final Deque<Line> recent = new ArrayDeque<>();

    private final BlockingQueue<Line> queue;
    private final Thread writerThread;
    private final AtomicLong queuedCount = new AtomicLong();
    private final AtomicLong droppedCount = new AtomicLong();
    private long writtenCount; // guarded by this
    private long droppedReported; // writer thread only
    private char[] fileChars = new char[FILE_CHUNK_CHARS]; // writer thread only
    private volatile boolean closing;
    /** True while the writer sleeps with nothing queued: the next line must wake it. */
    private final AtomicBoolean writerIdle = new AtomicBoolean();

    /** One line before encoding. */
    private record Line(String dir, String kind, String peer, long clock, double ts, Map<String, Object> data) {}

    private InteractionLog(String process, Writer writer) {
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
            // chunks reach the file in writes of FILE_BUFFER_BYTES (the encoder alone writes 8 KB at a time); the
            // OutputStreamWriter replaces what UTF-8 cannot encode (a lone surrogate) instead of failing the batch
            Writer writer = new OutputStreamWriter(
                    new BufferedOutputStream(
                            Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND),
                            FILE_BUFFER_BYTES),
                    StandardCharsets.UTF_8);
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
        List<Line> lines;
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
            lines = new ArrayList<>(recent);
        }
        List<String> encoded = new ArrayList<>(lines.size());
        StringBuilder json = new StringBuilder(1_024);
        for (Line line : lines) {
            json.setLength(0);
            encode(json, line);
            encoded.add(json.toString());
        }
        return encoded;
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
            append(line);
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
            while (queue.drainTo(batch, BATCH_LINES_MAX) > 0) {
                Line droppedEvent = null;
                long dropped = droppedCount.get();
                if (dropped != droppedReported) {
                    droppedEvent = new Line(
                            "event",
                            "log-dropped",
                            null,
                            0,
                            batch.get(batch.size() - 1).ts(),
                            Map.of("lines", dropped));
                    droppedReported = dropped;
                }
                writeBatch(batch, droppedEvent);
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

    /** Appends {@code l} as one JSON line (no line break), or a {@code log-error} line if a value cannot be written. */
    private void encode(StringBuilder out, Line l) {
        int start = out.length();
        try {
            JsonLineWriter.appendLine(
                    out, l.ts(), l.clock(), process, l.dir(), l.kind(), l.peer(), l.data(), SECRET_FIELDS);
        } catch (RuntimeException e) {
            out.setLength(start);
            out.append("{\"process\":");
            JsonLineWriter.appendString(out, process);
            out.append(",\"dir\":\"event\",\"kind\":\"log-error\"}");
        }
    }

    private synchronized void append(Line line) {
        recent.addLast(line);
        if (recent.size() > RECENT_LINES_MAX) {
            recent.removeFirst();
        }
    }

    /**
     * Writer thread: writes a batch to the file in chunks of {@link #FILE_CHUNK_CHARS} (no string per line), flushes
     * once, then adds the lines to the ring and wakes {@link #recentLines()}.
     */
    private void writeBatch(List<Line> batch, Line droppedEvent) {
        int lines = batch.size() + (droppedEvent == null ? 0 : 1);
        // a new builder per batch: one that held a long or a non-Latin-1 line stays large or two bytes a char
        StringBuilder text = new StringBuilder(FILE_CHUNK_CHARS + 4_096);
        boolean fileOk = true;
        for (int i = 0; i < lines; i++) {
            encode(text, i < batch.size() ? batch.get(i) : droppedEvent);
            text.append('\n');
            if (text.length() >= FILE_CHUNK_CHARS) {
                fileOk = fileOk && writeText(text);
                text.setLength(0);
            }
        }
        fileOk = fileOk && writeText(text);
        if (fileChars.length > 4 * FILE_CHUNK_CHARS) {
            fileChars = new char[FILE_CHUNK_CHARS]; // after a very long line
        }
        if (fileOk) {
            try {
                writer.flush();
            } catch (IOException e) {
                // The log is best effort: a full disk must not stop the process from serving.
            }
        }
        synchronized (this) {
            for (int i = Math.max(0, batch.size() - RECENT_LINES_MAX); i < batch.size(); i++) {
                append(batch.get(i));
            }
            if (droppedEvent != null) {
                append(droppedEvent);
            }
            writtenCount += batch.size();
            notifyAll();
        }
    }

    /** Writes {@code text} to the file; false if the file refused it (the rest of the batch is not tried). */
    private boolean writeText(StringBuilder text) {
        int length = text.length();
        if (fileChars.length < length) {
            fileChars = new char[Math.max(length, fileChars.length * 2)];
        }
        text.getChars(0, length, fileChars, 0);
        try {
            writer.write(fileChars, 0, length);
            return true;
        } catch (IOException e) {
            return false; // best effort, as above
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
