package io.synod.client;

import io.synod.protocol.Publication;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.TreeMap;

/**
 * Puts the publications of one topic in sequence order (requirement X3): delivers each
 * {@code seq} once and in order, drops duplicates, buffers what arrives after a gap and asks for
 * the gap to be fetched from history: the ZeroMQ guide's Clone pattern (subscribe, fetch, then
 * apply the queued updates newer than the fetch).
 *
 * <p>A pure state machine: no I/O, no clock. The owner executes each {@link Step}: hands the
 * deliveries to the listener, reports skipped gaps, and sends the history request it asks for
 * (now, or after a delay), then feeds the reply back with {@link #onHistory} or
 * {@link #onFetchFailed}. At most one fetch is outstanding at a time.
 *
 * <p>Publications with {@code seq == 0} (servers that send no sequence numbers) are delivered as
 * they come.
 *
 * <p>Not thread-safe: owned by the client's I/O thread.
 */
final class TopicSequencer {
    private final String topic;
    private final int bufferedMax;
    private final int joinDeliverMax;
    private final int fetchAttemptsMax;

    private final TreeMap<Long, Publication> buffered = new TreeMap<>();
    /** During a join replay: the most recent fetched items, to deliver when the replay ends. */
    private final Deque<Publication> replayTail = new ArrayDeque<>();

    private long lastDeliveredSeq;
    /** The highest seq seen live, buffered or not (an overflow drops some; history has them). */
    private long highestSeenSeq;

    private boolean baselineKnown;
    private boolean fetching;
    private boolean joinReplay;
    private int failedFetches;

    /**
     * What the owner must do after an input, in order: report the skipped gaps, deliver, then
     * fetch. (A gap given up after retries is skipped by a step that delivers only what follows
     * it, so reporting it first keeps the listener's view in order.)
     */
    record Step(List<Delivery> deliveries, List<Gap> skippedGaps, Fetch fetch) {
        static final Step NOTHING = new Step(List.of(), List.of(), Fetch.NONE);
    }

    /** A range of sequence numbers given up on. */
    record Gap(long fromSeq, long toSeq) {}

    /** A history request to send: none, now, or after the gap retry delay. */
    record Fetch(Kind kind, long afterSeq) {
        static final Fetch NONE = new Fetch(Kind.NONE, 0);

        enum Kind {
            NONE,
            NOW,
            LATER
        }
    }

    TopicSequencer(String topic, int bufferedMax, int joinDeliverMax, int fetchAttemptsMax) {
        this.topic = topic;
        this.bufferedMax = bufferedMax;
        this.joinDeliverMax = joinDeliverMax;
        this.fetchAttemptsMax = fetchAttemptsMax;
    }

    String topic() {
        return topic;
    }

    long lastDeliveredSeq() {
        return lastDeliveredSeq;
    }

    boolean fetching() {
        return fetching;
    }

    int bufferedCount() {
        return buffered.size();
    }

    /** Starts a join: fetch the whole history, deliver its most recent items, then go live. */
    Step startJoinReplay() {
        joinReplay = true;
        fetching = true;
        return new Step(List.of(), List.of(), new Fetch(Fetch.Kind.NOW, lastDeliveredSeq));
    }

    /** Resumes after {@code afterSeq}: fetch and deliver everything newer, then go live. */
    Step startFrom(long afterSeq) {
        lastDeliveredSeq = afterSeq;
        baselineKnown = true;
        fetching = true;
        return new Step(List.of(), List.of(), new Fetch(Fetch.Kind.NOW, lastDeliveredSeq));
    }

    /** A publication received live from the proxy. */
    Step onLive(Publication publication) {
        long seq = publication.seq();
        if (seq <= 0) {
            return new Step(List.of(new Delivery(publication, Delivery.Source.LIVE)), List.of(), Fetch.NONE);
        }
        if (!baselineKnown && !fetching) {
            baselineKnown = true;
            lastDeliveredSeq = seq - 1;
        }
        if (seq <= lastDeliveredSeq) {
            return Step.NOTHING;
        }
        highestSeenSeq = Math.max(highestSeenSeq, seq);
        if (buffered.size() < bufferedMax || seq < buffered.lastKey()) {
            buffered.putIfAbsent(seq, publication);
            if (buffered.size() > bufferedMax) {
                buffered.pollLastEntry();
            }
        }
        if (fetching) {
            return Step.NOTHING;
        }
        List<Delivery> out = new ArrayList<>();
        drainContiguous(out);
        if (!behind()) {
            return new Step(out, List.of(), Fetch.NONE);
        }
        fetching = true;
        return new Step(out, List.of(), new Fetch(Fetch.Kind.NOW, lastDeliveredSeq));
    }

    /**
     * A page of history for this topic, answering the outstanding fetch.
     *
     * @param items the page's publications of this topic (any order; others are ignored)
     * @param more whether the server has more after this page
     */
    Step onHistory(List<Publication> items, boolean more) {
        List<Publication> sorted = new ArrayList<>(items);
        sorted.sort((a, b) -> Long.compare(a.seq(), b.seq()));
        List<Delivery> out = new ArrayList<>();
        List<Gap> gaps = new ArrayList<>();
        long before = lastDeliveredSeq;
        for (Publication item : sorted) {
            acceptFetched(item, out, gaps);
        }
        if (more && lastDeliveredSeq > before) {
            return new Step(out, gaps, new Fetch(Fetch.Kind.NOW, lastDeliveredSeq));
        }
        return finishFetch(out, gaps, lastDeliveredSeq > before);
    }

    /** The outstanding fetch got no reply or an error reply. */
    Step onFetchFailed() {
        if (joinReplay && replayTail.isEmpty() && lastDeliveredSeq == 0) {
            // Nothing fetched and nothing known: start from what arrives live instead.
            joinReplay = false;
            fetching = false;
            baselineKnown = !buffered.isEmpty();
            lastDeliveredSeq = buffered.isEmpty() ? 0 : buffered.firstKey() - 1;
            List<Delivery> out = new ArrayList<>();
            drainContiguous(out);
            return new Step(out, List.of(), Fetch.NONE);
        }
        return finishFetch(new ArrayList<>(), new ArrayList<>(), false);
    }

    private void acceptFetched(Publication item, List<Delivery> out, List<Gap> gaps) {
        long seq = item.seq();
        if (seq <= lastDeliveredSeq) {
            return;
        }
        if (seq > lastDeliveredSeq + 1 && baselineKnown && !joinReplay) {
            gaps.add(new Gap(lastDeliveredSeq + 1, seq - 1));
        }
        lastDeliveredSeq = seq;
        highestSeenSeq = Math.max(highestSeenSeq, seq);
        baselineKnown = true;
        buffered.headMap(seq, true).clear();
        if (joinReplay) {
            replayTail.addLast(item);
            if (replayTail.size() > joinDeliverMax) {
                replayTail.removeFirst();
            }
        } else {
            out.add(new Delivery(item, Delivery.Source.HISTORY));
        }
    }

    /** Ends a fetch: deliver the replay tail and what the buffer now continues; retry or skip a gap left. */
    private Step finishFetch(List<Delivery> out, List<Gap> gaps, boolean progressed) {
        fetching = false;
        if (joinReplay) {
            joinReplay = false;
            baselineKnown = true;
            for (Publication item : replayTail) {
                out.add(new Delivery(item, Delivery.Source.HISTORY));
            }
            replayTail.clear();
        }
        buffered.headMap(lastDeliveredSeq, true).clear();
        drainContiguous(out);
        if (!behind()) {
            failedFetches = 0;
            return new Step(out, gaps, Fetch.NONE);
        }
        fetching = true;
        if (progressed) {
            failedFetches = 0;
            return new Step(out, gaps, new Fetch(Fetch.Kind.NOW, lastDeliveredSeq));
        }
        failedFetches++;
        if (failedFetches < fetchAttemptsMax) {
            return new Step(out, gaps, new Fetch(Fetch.Kind.LATER, lastDeliveredSeq));
        }
        failedFetches = 0;
        long next = buffered.isEmpty() ? highestSeenSeq + 1 : buffered.firstKey();
        gaps.add(new Gap(lastDeliveredSeq + 1, next - 1));
        lastDeliveredSeq = next - 1;
        drainContiguous(out);
        fetching = behind();
        return new Step(out, gaps, fetching ? new Fetch(Fetch.Kind.NOW, lastDeliveredSeq) : Fetch.NONE);
    }

    /** Whether some seen publication is not delivered yet. */
    private boolean behind() {
        return !buffered.isEmpty() || highestSeenSeq > lastDeliveredSeq;
    }

    private void drainContiguous(List<Delivery> out) {
        while (!buffered.isEmpty() && buffered.firstKey() == lastDeliveredSeq + 1) {
            Publication next = buffered.pollFirstEntry().getValue();
            lastDeliveredSeq = next.seq();
            out.add(new Delivery(next, Delivery.Source.LIVE));
        }
    }
}
