package io.synod.client;

import io.synod.protocol.Publication;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;

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
 * <p>Anyone can publish into the proxy, so a forged delivery may carry a {@code seq} that a real one
 * carries later. Two <em>different</em> publications with one {@code seq} are therefore settled by
 * the history, which holds only what the servers applied: a copy identical to the one kept is a
 * duplicate and dropped; a different one makes the {@code seq} disputed. A disputed {@code seq} not
 * delivered yet is delivered only from history (the live copies are set aside, and the gap filled
 * as any other). A disputed {@code seq} already delivered is fetched again from history: if the
 * history's copy differs from what was delivered, it is delivered as a {@link
 * Delivery.Source#CORRECTION} (the user saw the forged one first, then the real one marked as a
 * correction); if it is the same, the other copy is dropped. What came from history is never
 * disputed again. The last {@link #REMEMBERED_MAX} delivered or fetched publications are kept to
 * compare with; at most {@link #DISPUTED_MAX} seqs are disputed at once (further ones keep the
 * first copy); a dispute the history cannot settle within the fetch attempts keeps what was shown.
 *
 * <p>A forged delivery may also carry a {@code seq} far beyond the real ones. Skipping the gap up to it
 * would make every real delivery below it look like a repeat. So when the history, asked every attempt,
 * answers and ends before what was seen live, the live publications beyond its end are taken as not the
 * servers' and dropped ({@link #unconfirmedDropped()}); the real ones below go on being delivered, and a
 * real one the history did not have yet is fetched again when the next live delivery shows the gap. Only
 * when the history cannot be had at all (no reply, an error: a foreign server without it) is a gap
 * skipped and reported.
 *
 * <p>Not thread-safe: owned by the client's I/O thread.
 */
final class TopicSequencer {
    /** Delivered (or fetched) publications kept per topic to tell a repeat from a different copy. */
    static final int REMEMBERED_MAX = 1_024;
    /** Seqs per topic waiting for the history to settle which of two copies is real. */
    static final int DISPUTED_MAX = 64;

    private final String topic;
    private final int bufferedMax;
    private final int joinDeliverMax;
    private final int fetchAttemptsMax;

    private final TreeMap<Long, Publication> buffered = new TreeMap<>();
    /** During a join replay: the most recent fetched items, to deliver when the replay ends. */
    private final Deque<Publication> replayTail = new ArrayDeque<>();
    /** The most recent publications delivered or fetched, by seq, oldest first. */
    private final LinkedHashMap<Long, Kept> kept = new LinkedHashMap<>();
    /** Seqs seen with two different copies, until the history settles them. */
    private final TreeSet<Long> disputed = new TreeSet<>();

    /** A publication kept for comparison, and whether it came from history (then it is the real one). */
    private record Kept(Publication publication, boolean fromHistory) {}

    private long lastDeliveredSeq;
    /** The highest seq seen live, buffered or not (an overflow drops some; history has them). */
    private long highestSeenSeq;

    private boolean baselineKnown;
    private boolean fetching;
    private boolean joinReplay;
    private int failedFetches;
    /** The last fetch was answered by a history that has nothing after {@link #lastDeliveredSeq}. */
    private boolean historyEnded;

    private long unconfirmedDropped;
    private long unconfirmedDroppedUnreported;

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

    /** Live publications dropped because the history, asked every attempt, ended before them. */
    long unconfirmedDropped() {
        return unconfirmedDropped;
    }

    /** The live publications dropped as unconfirmed since the last call (the owner logs them). */
    long takeUnconfirmedDropped() {
        long count = unconfirmedDroppedUnreported;
        unconfirmedDroppedUnreported = 0;
        return count;
    }

    int bufferedCount() {
        return buffered.size();
    }

    /** Seqs waiting for the history to settle them. */
    int disputedCount() {
        return disputed.size();
    }

    /**
     * Where the next history fetch starts: before the first disputed seq already delivered, else after the last
     * delivered one.
     */
    long fetchAfterSeq() {
        return verifying() ? disputed.first() - 1 : lastDeliveredSeq;
    }

    /** Whether a delivered seq waits to be checked against the history. */
    private boolean verifying() {
        return !disputed.isEmpty() && disputed.first() <= lastDeliveredSeq;
    }

    private void keep(Publication publication, boolean fromHistory) {
        kept.put(publication.seq(), new Kept(publication, fromHistory));
        while (kept.size() > REMEMBERED_MAX) {
            kept.pollFirstEntry();
        }
    }

    /** Marks {@code seq} disputed; false if too many are already (the caller keeps the first copy then). */
    private boolean dispute(long seq) {
        if (disputed.size() >= DISPUTED_MAX && !disputed.contains(seq)) {
            return false;
        }
        disputed.add(seq);
        return true;
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
            Kept shown = kept.get(seq);
            if (shown == null || shown.fromHistory() || shown.publication().equals(publication) || !dispute(seq)) {
                return Step.NOTHING; // a repeat, one too old to compare, or a copy the history already refuted
            }
            if (fetching) {
                return Step.NOTHING; // the fetch under way checks it when it ends
            }
            fetching = true;
            return new Step(List.of(), List.of(), new Fetch(Fetch.Kind.NOW, fetchAfterSeq()));
        }
        if (disputed.contains(seq)) {
            return Step.NOTHING; // only the history's copy is taken now
        }
        highestSeenSeq = Math.max(highestSeenSeq, seq);
        Publication held = buffered.get(seq);
        if (held != null) {
            if (held.equals(publication) || !dispute(seq)) {
                return Step.NOTHING;
            }
            buffered.remove(seq); // neither copy is delivered live: the gap left is filled from history
        } else if (buffered.size() < bufferedMax || seq < buffered.lastKey()) {
            buffered.put(seq, publication);
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
        int disputedBefore = disputed.size();
        for (Publication item : sorted) {
            if (item.seq() <= lastDeliveredSeq) {
                settle(item, out);
            } else {
                acceptFetched(item, out, gaps);
            }
        }
        boolean progressed = lastDeliveredSeq > before || disputed.size() < disputedBefore;
        historyEnded = !more;
        if (more && progressed) {
            return new Step(out, gaps, new Fetch(Fetch.Kind.NOW, fetchAfterSeq()));
        }
        return finishFetch(out, gaps, progressed);
    }

    /**
     * The history's copy of a seq already delivered: it is the real one. If what was delivered differs, the
     * history's copy is delivered as a correction.
     */
    private void settle(Publication item, List<Delivery> out) {
        long seq = item.seq();
        disputed.remove(seq);
        Kept shown = kept.get(seq);
        if (shown == null) {
            return; // too old to compare: what was delivered stays
        }
        if (!shown.publication().equals(item)) {
            out.add(new Delivery(item, Delivery.Source.CORRECTION));
        }
        keep(item, true);
    }

    /** The outstanding fetch got no reply or an error reply. */
    Step onFetchFailed() {
        historyEnded = false;
        if (joinReplay && replayTail.isEmpty() && lastDeliveredSeq == 0) {
            // Nothing fetched and nothing known: start from what arrives live instead.
            joinReplay = false;
            fetching = false;
            baselineKnown = !buffered.isEmpty();
            lastDeliveredSeq = buffered.isEmpty() ? 0 : buffered.firstKey() - 1;
            disputed.headSet(lastDeliveredSeq, true).clear();
            List<Delivery> out = new ArrayList<>();
            drainContiguous(out);
            return new Step(out, List.of(), Fetch.NONE);
        }
        return finishFetch(new ArrayList<>(), new ArrayList<>(), false);
    }

    private void acceptFetched(Publication item, List<Delivery> out, List<Gap> gaps) {
        long seq = item.seq();
        disputed.remove(seq);
        keep(item, true);
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
        if (!behind() && !verifying()) {
            failedFetches = 0;
            return new Step(out, gaps, Fetch.NONE);
        }
        fetching = true;
        if (progressed) {
            failedFetches = 0;
            return new Step(out, gaps, new Fetch(Fetch.Kind.NOW, fetchAfterSeq()));
        }
        failedFetches++;
        if (failedFetches < fetchAttemptsMax) {
            return new Step(out, gaps, new Fetch(Fetch.Kind.LATER, fetchAfterSeq()));
        }
        failedFetches = 0;
        disputed.headSet(lastDeliveredSeq, true).clear(); // not settled: what was delivered stays
        if (behind() && historyEnded) {
            unconfirmedDropped += buffered.size();
            unconfirmedDroppedUnreported += buffered.size();
            buffered.clear();
            highestSeenSeq = lastDeliveredSeq;
        } else if (behind()) {
            long next = buffered.isEmpty() ? highestSeenSeq + 1 : buffered.firstKey();
            gaps.add(new Gap(lastDeliveredSeq + 1, next - 1));
            lastDeliveredSeq = next - 1;
            disputed.headSet(lastDeliveredSeq, true).clear();
            drainContiguous(out);
        }
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
            keep(next, false);
            out.add(new Delivery(next, Delivery.Source.LIVE));
        }
    }
}
