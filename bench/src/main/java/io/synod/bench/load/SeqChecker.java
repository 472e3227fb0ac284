package io.synod.bench.load;

import java.util.BitSet;
import java.util.HashSet;
import java.util.Set;

/**
 * Checks the per-topic {@code seq} of the publications one subscriber receives on one topic
 * (requirement X3: every delivery carries a gap-free sequence number). The first {@code seq} seen
 * is the baseline: publications made before the subscription reached the proxy are not expected.
 * From then on every number up to the highest seen should arrive exactly once.
 *
 * <p>Counts, as seen on the wire (the bench does not fill gaps from history, unlike
 * {@code SynodClient}): {@link #duplicates()} (a number received again), {@link #outOfOrder()} (a
 * number lower than one already received, seen for the first time) and {@link #gaps()} (numbers
 * between the baseline and the highest seen that never arrived). Publications without a
 * {@code seq} (0, a foreign server) are counted as deliveries only.
 *
 * <p>A pure state machine; not thread-safe: owned by the subscriber thread.
 */
public final class SeqChecker {
    private final BitSet seen = new BitSet();
    /** Numbers below the baseline that arrived late (rare: only out-of-order after the first delivery). */
    private final Set<Long> seenBelowBaseline = new HashSet<>();

    private long baseline;
    private long highest;
    private long distinctFromBaseline;
    private long deliveries;
    private long duplicates;
    private long outOfOrder;

    /** Records one delivery with sequence number {@code seq}. */
    public void onDelivery(long seq) {
        deliveries++;
        if (seq <= 0) {
            return;
        }
        if (baseline == 0) {
            baseline = seq;
            highest = seq;
        }
        if (seq < baseline) {
            outOfOrder++;
            if (!seenBelowBaseline.add(seq)) {
                duplicates++;
            }
            return;
        }
        long offset = seq - baseline;
        if (offset > Integer.MAX_VALUE - 1) {
            throw new IllegalStateException("seq " + seq + " is too far above the baseline " + baseline);
        }
        if (seen.get((int) offset)) {
            duplicates++;
            return;
        }
        seen.set((int) offset);
        distinctFromBaseline++;
        if (seq < highest) {
            outOfOrder++;
        }
        highest = Math.max(highest, seq);
    }

    public long deliveries() {
        return deliveries;
    }

    public long duplicates() {
        return duplicates;
    }

    public long outOfOrder() {
        return outOfOrder;
    }

    /** Numbers between the first and the highest seen that never arrived. */
    public long gaps() {
        return baseline == 0 ? 0 : highest - baseline + 1 - distinctFromBaseline;
    }

    /** The highest sequence number seen, 0 if none. */
    public long highest() {
        return highest;
    }
}
