package io.synod.messaging;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The proxy's window of recent publications, so a subscriber sees a delivery once although a new Paxos leader
 * republishes what its predecessor may already have published. Each delivery's payload is a pure function of the
 * replicated log (its {@code clock} and {@code timestamp} are the command's, stored with it), so a republished
 * copy is byte for byte the original and "identical" can mean identical bytes.
 *
 * <p>The rule: a publication of two frames {@code [topic, payload]} whose payload is a MessagePack map with an
 * integer {@code seq} (fitting a signed 64-bit integer) is a repeat when a publication with the same topic bytes,
 * the same {@code seq} and the same payload bytes went through within the window; a repeat is dropped. Anything
 * else (a different payload with the same {@code seq}, a foreign server's payload without {@code seq}, other
 * frame counts) is forwarded untouched and not remembered. The window is the most recent distinct publications,
 * at most {@link #entriesMax} of them, {@link #bytesMax} bytes (payload, topic and {@link #ENTRY_OVERHEAD_BYTES}
 * each) and {@link #ageMaxNanos} old, counted from the first copy; a repeat arriving later is forwarded.
 *
 * <p>Cost per publication: a scan of the payload's top-level keys up to {@code seq} (values before it are skipped
 * by their length, not decoded: {@link MsgPackScan}), one hash of the payload and topic, and one lookup. Entries are {@link Comparable}
 * so a publisher that makes many payloads collide in one hash bucket gets a tree there, not a list.
 *
 * <p>Not thread-safe: owned by the forwarder's loop.
 */
final class ForwarderDedup {
    /** Returned by {@link #seqOf} when the payload is not a map with an integer {@code seq}. */
    static final long NO_SEQ = Long.MIN_VALUE;
    /** What one remembered publication costs besides its two arrays (the entry, the map's node, its slot). */
    static final int ENTRY_OVERHEAD_BYTES = 128;

    private final int entriesMax;
    private final long bytesMax;
    private final long ageMaxNanos;
    private final LinkedHashMap<Entry, Entry> window = new LinkedHashMap<>();
    private long bytes;

    /**
     * @param entriesMax most publications remembered
     * @param bytesMax most bytes remembered (payloads, topics and the per-entry overhead)
     * @param ageMaxMillis how long a publication is remembered after its first copy
     */
    ForwarderDedup(int entriesMax, long bytesMax, long ageMaxMillis) {
        if (entriesMax <= 0 || bytesMax <= 0 || ageMaxMillis <= 0) {
            throw new IllegalArgumentException("the dedup window's limits must be positive");
        }
        this.entriesMax = entriesMax;
        this.bytesMax = bytesMax;
        this.ageMaxNanos = ageMaxMillis * 1_000_000L;
    }

    /**
     * Whether {@code [topic, payload]} repeats a publication of the window; if it does not and it carries a
     * {@code seq}, it is remembered.
     *
     * @param nowNanos the caller's {@link System#nanoTime} reading
     */
    boolean repeated(byte[] topic, byte[] payload, long nowNanos) {
        expire(nowNanos);
        long seq = seqOf(payload);
        if (seq == NO_SEQ) {
            return false;
        }
        Entry entry = new Entry(topic, seq, payload, nowNanos);
        long cost = entry.cost();
        if (cost > bytesMax) {
            return false; // too large to remember: forwarded, as a payload without seq is
        }
        if (window.putIfAbsent(entry, entry) != null) {
            return true;
        }
        bytes += cost;
        while (window.size() > entriesMax || bytes > bytesMax) {
            evictEldest();
        }
        return false;
    }

    /** Forgets the publications older than the window's age. */
    void expire(long nowNanos) {
        while (!window.isEmpty() && nowNanos - window.firstEntry().getKey().firstNanos > ageMaxNanos) {
            evictEldest();
        }
    }

    private void evictEldest() {
        Map.Entry<Entry, Entry> eldest = window.pollFirstEntry();
        bytes -= eldest.getKey().cost();
    }

    /** Publications remembered now. */
    int size() {
        return window.size();
    }

    /** Bytes remembered now, as counted against {@link #bytesMax}. */
    long bytes() {
        return bytes;
    }

    /**
     * The integer value of the first {@code seq} key of a MessagePack map, or {@link #NO_SEQ} if {@code payload}
     * is not a map, has no such key, its value is not an integer in the signed 64-bit range, or the bytes end
     * before it. Reads only the top-level keys before {@code seq}, skipping their values by length; never throws.
     */
    static long seqOf(byte[] payload) {
        long header = MsgPackScan.mapHeader(payload);
        if (header < 0) {
            return NO_SEQ;
        }
        long pairs = header >>> 32;
        int pos = (int) header;
        for (long i = 0; i < pairs && pos >= 0 && pos < payload.length; i++) {
            int keyEnd = MsgPackScan.skip(payload, pos, 1);
            if (keyEnd < 0) {
                return NO_SEQ;
            }
            if (isSeqKey(payload, pos, keyEnd)) {
                return MsgPackScan.integerAt(payload, keyEnd);
            }
            pos = MsgPackScan.skip(payload, keyEnd, 1);
        }
        return NO_SEQ;
    }

    /** Whether the MessagePack value at {@code [from, to)} is the string {@code seq}. */
    private static boolean isSeqKey(byte[] b, int from, int to) {
        int type = b[from] & 0xFF;
        int start;
        if (type == 0xA3) {
            start = from + 1;
        } else if (type == 0xD9) {
            start = from + 2;
        } else {
            return false; // a 3-byte string in a longer form: no encoder writes "seq" so
        }
        return to - start == 3 && b[start] == 's' && b[start + 1] == 'e' && b[start + 2] == 'q';
    }

    /** One remembered publication; equal to another with the same topic, seq and payload bytes. */
    private static final class Entry implements Comparable<Entry> {
        final byte[] topic;
        final long seq;
        final byte[] payload;
        final long firstNanos;
        final int hash;

        Entry(byte[] topic, long seq, byte[] payload, long firstNanos) {
            this.topic = topic;
            this.seq = seq;
            this.payload = payload;
            this.firstNanos = firstNanos;
            this.hash = (Arrays.hashCode(topic) * 31 + Long.hashCode(seq)) * 31 + Arrays.hashCode(payload);
        }

        long cost() {
            return (long) topic.length + payload.length + ENTRY_OVERHEAD_BYTES;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Entry e
                    && e.hash == hash
                    && e.seq == seq
                    && Arrays.equals(e.topic, topic)
                    && Arrays.equals(e.payload, payload);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public int compareTo(Entry other) {
            int bySeq = Long.compare(seq, other.seq);
            if (bySeq != 0) {
                return bySeq;
            }
            int byTopic = Arrays.compare(topic, other.topic);
            return byTopic != 0 ? byTopic : Arrays.compare(payload, other.payload);
        }
    }
}
