package io.synod.bench.load;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What the driver and subscriber threads measure, shared with the sampling thread. Two tallies:
 *
 * <ul>
 *   <li>{@code live}: every outcome when it happens (a reply, a timeout, a delivery), sampled once
 *       per second by {@link #sample} for the progress lines and the per-second series;
 *   <li>{@code measured}: the outcome of every request <em>sent</em> during the measurement window
 *       (whenever its reply or timeout comes, so a slow tail is not cut off at the end), and the
 *       deliveries that arrived during the window; read once by {@link #measured} for the summary.
 * </ul>
 *
 * <p>Latencies are microseconds in HdrHistogram {@link Recorder}s. Thread-safe: counters are
 * {@link LongAdder}s and recorders have wait-free writers.
 */
public final class BenchMeter {
    /** Distinct error texts kept (the rest are counted under one "other errors" entry). */
    static final int ERROR_TEXTS_MAX = 20;

    private static final long LATENCY_MICROS_MAX = 600_000_000L;
    private static final String OTHER_ERRORS = "(other errors)";

    private final Tally live = new Tally();
    private final Tally measured = new Tally();
    private final Tally[] liveOnly = {live};
    private final Tally[] liveAndMeasured = {live, measured};
    private final LongAdder lateReplies = new LongAdder();
    private final Map<String, LongAdder> errorTexts = new ConcurrentHashMap<>();
    /** Latency of the requests sent in the measurement window and acknowledged, by service. */
    private final Map<String, Recorder> operations = new ConcurrentHashMap<>();

    /** Counts of one tally. */
    public record Counts(long ackedWrites, long ackedReads, long errors, long timeouts, long deliveries) {
        Counts minus(Counts earlier) {
            return new Counts(
                    ackedWrites - earlier.ackedWrites,
                    ackedReads - earlier.ackedReads,
                    errors - earlier.errors,
                    timeouts - earlier.timeouts,
                    deliveries - earlier.deliveries);
        }
    }

    /** Counts so far and the latencies recorded since the previous read of the same tally. */
    public record Interval(Counts counts, Histogram writeMicros, Histogram readMicros, Histogram deliveryMicros) {}

    /** Counters and latency recorders; one per way of attributing outcomes. */
    private static final class Tally {
        final Recorder writeLatency = newRecorder();
        final Recorder readLatency = newRecorder();
        final Recorder deliveryLatency = newRecorder();
        final LongAdder ackedWrites = new LongAdder();
        final LongAdder ackedReads = new LongAdder();
        final LongAdder errors = new LongAdder();
        final LongAdder timeouts = new LongAdder();
        final LongAdder deliveries = new LongAdder();

        synchronized Interval take() {
            Counts counts =
                    new Counts(ackedWrites.sum(), ackedReads.sum(), errors.sum(), timeouts.sum(), deliveries.sum());
            return new Interval(
                    counts,
                    writeLatency.getIntervalHistogram(),
                    readLatency.getIntervalHistogram(),
                    deliveryLatency.getIntervalHistogram());
        }
    }

    void writeAcked(long micros, boolean inWindow) {
        for (Tally tally : tallies(inWindow)) {
            tally.ackedWrites.increment();
            tally.writeLatency.recordValue(clamp(micros));
        }
    }

    void readAcked(long micros, boolean inWindow) {
        for (Tally tally : tallies(inWindow)) {
            tally.ackedReads.increment();
            tally.readLatency.recordValue(clamp(micros));
        }
    }

    /** An acknowledged request of service {@code service}, by operation (measurement window only). */
    void operationAcked(String service, long micros, boolean inWindow) {
        if (inWindow) {
            operations.computeIfAbsent(service, k -> newRecorder()).recordValue(clamp(micros));
        }
    }

    /** Each service's acknowledged requests of the measurement window (call once, after the drain). */
    public Map<String, LatencySummary> operations() {
        Map<String, LatencySummary> out = new TreeMap<>();
        operations.forEach((service, recorder) -> out.put(service, LatencySummary.of(recorder.getIntervalHistogram())));
        return out;
    }

    void error(String text, boolean inWindow) {
        for (Tally tally : tallies(inWindow)) {
            tally.errors.increment();
        }
        String key = text == null || text.isBlank() ? "(no error text)" : text;
        if (!errorTexts.containsKey(key) && errorTexts.size() >= ERROR_TEXTS_MAX) {
            key = OTHER_ERRORS;
        }
        errorTexts.computeIfAbsent(key, k -> new LongAdder()).increment();
    }

    void timeout(boolean inWindow) {
        for (Tally tally : tallies(inWindow)) {
            tally.timeouts.increment();
        }
    }

    /** A reply to a request that had already timed out (or that this bench never sent). */
    void lateReply() {
        lateReplies.increment();
    }

    /** A delivery; {@code latencyMicros} is negative when the message carried no send time. */
    void delivered(long latencyMicros, boolean inWindow) {
        for (Tally tally : tallies(inWindow)) {
            tally.deliveries.increment();
            if (latencyMicros >= 0) {
                tally.deliveryLatency.recordValue(clamp(latencyMicros));
            }
        }
    }

    /** The live tally's counts so far and its latencies since the previous call. */
    public Interval sample() {
        return live.take();
    }

    /** The measured tally (call once, after the drain). */
    public Interval measured() {
        return measured.take();
    }

    public long lateReplies() {
        return lateReplies.sum();
    }

    /** Error texts replied by the servers and how often (whole run), sorted by text. */
    public Map<String, Long> errorTexts() {
        Map<String, Long> out = new TreeMap<>();
        errorTexts.forEach((text, count) -> out.put(text, count.sum()));
        return out;
    }

    private Tally[] tallies(boolean inWindow) {
        return inWindow ? liveAndMeasured : liveOnly;
    }

    private static Recorder newRecorder() {
        return new Recorder(1, LATENCY_MICROS_MAX, 3);
    }

    private static long clamp(long micros) {
        return Math.max(1, Math.min(LATENCY_MICROS_MAX, micros));
    }
}
