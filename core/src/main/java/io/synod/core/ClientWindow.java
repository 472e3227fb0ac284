package io.synod.core;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * The exactly-once record of one client, stored under {@code Keys.client(clientId)}: the highest request id
 * applied and which request ids of the window {@code (highest - REQUESTS_MAX, highest]} were applied, with
 * the error text of those that failed (a success needs no text). A request id in the window that is not
 * marked was never applied (it may run now, in any order); one below the window cannot be told apart from an
 * applied one and is refused.
 *
 * <p>Stored as a MessagePack array {@code [highest, applied, id1, error1, id2, error2, ...]}: {@code applied}
 * is a bitmap (bit {@code k} set: request {@code highest - k} was applied), followed by the failed requests of
 * the window. A busy client's record stays about 40 bytes. Immutable.
 */
record ClientWindow(long highest, BitSet applied, List<Failure> failures) {
    /** Request ids remembered per client: how many writes a client may have in flight, reordered. */
    static final int REQUESTS_MAX = 256;
    /** Longs of the bitmap. */
    private static final int WORDS = REQUESTS_MAX / Long.SIZE;

    /** A request of the window that was applied with an error (its retry gets the same error). */
    record Failure(long requestId, String errorText) {}

    /** What the window knows of a request id. */
    enum Seen {
        /** Applied with success. */
        OK,
        /** Applied with an error; see {@link #errorText}. */
        FAILED,
        /** In the window and never applied. */
        NEW,
        /** Below the window: unknown. */
        TOO_OLD
    }

    private static final ClientWindow EMPTY = new ClientWindow(-1, new BitSet(), List.of());

    ClientWindow {
        applied = (BitSet) applied.clone();
        failures = List.copyOf(failures);
    }

    static ClientWindow read(byte[] stored) {
        if (stored == null) {
            return EMPTY;
        }
        List<Object> v = Values.decodeList(stored);
        ChatInvariants.check(v.size() >= 2 && v.size() % 2 == 0, "a client window has 2 + 2k items, found ", v.size());
        ChatInvariants.check(v.get(1) instanceof byte[], "a client window's bitmap is binary");
        List<Failure> failures = new ArrayList<>((v.size() - 2) / 2);
        for (int i = 2; i < v.size(); i += 2) {
            failures.add(new Failure(Values.longAt(v, i), Values.stringAt(v, i + 1)));
        }
        return new ClientWindow(Values.longAt(v, 0), BitSet.valueOf((byte[]) v.get(1)), failures);
    }

    Seen seen(long requestId) {
        if (highest < 0 || requestId > highest) {
            return Seen.NEW;
        }
        long k = highest - requestId;
        if (k >= REQUESTS_MAX) {
            return Seen.TOO_OLD;
        }
        if (!applied.get((int) k)) {
            return Seen.NEW;
        }
        return errorText(requestId) == null ? Seen.OK : Seen.FAILED;
    }

    /** The error of a failed request of the window, or null. */
    String errorText(long requestId) {
        for (Failure f : failures) {
            if (f.requestId() == requestId) {
                return f.errorText();
            }
        }
        return null;
    }

    /** This window after applying the new {@code requestId}; requests that fall below it are forgotten. */
    ClientWindow with(long requestId, boolean ok, String errorText) {
        ChatInvariants.require(seen(requestId) == Seen.NEW, "a request already in its window: ", requestId);
        long newHighest = Math.max(highest, requestId);
        long shift = highest < 0 ? REQUESTS_MAX : newHighest - highest;
        long[] words = shifted(applied.toLongArray(), shift);
        int k = (int) (newHighest - requestId);
        words[k >>> 6] |= 1L << k;
        BitSet bits = BitSet.valueOf(words);
        List<Failure> kept = new ArrayList<>(failures.size() + 1);
        for (Failure f : failures) {
            if (f.requestId() > newHighest - REQUESTS_MAX) {
                kept.add(f);
            }
        }
        if (!ok) {
            kept.add(new Failure(requestId, errorText == null ? "" : errorText));
        }
        return new ClientWindow(newHighest, bits, kept);
    }

    /**
     * The window's bits moved {@code shift} places up (to older positions), those at or beyond {@link #REQUESTS_MAX}
     * dropped: a word at a time (a bit at a time was 6 % of a follower's samples with 64 clients).
     */
    static long[] shifted(long[] bits, long shift) {
        long[] words = new long[WORDS];
        if (shift >= REQUESTS_MAX) {
            return words;
        }
        int wordShift = (int) (shift >>> 6);
        int bitShift = (int) (shift & 63);
        for (int to = WORDS - 1; to >= wordShift; to--) {
            int from = to - wordShift;
            long word = from < bits.length ? bits[from] << bitShift : 0;
            if (bitShift != 0 && from > 0 && from - 1 < bits.length) {
                word |= bits[from - 1] >>> (64 - bitShift);
            }
            words[to] = word;
        }
        return words;
    }

    byte[] encode() {
        Object[] items = new Object[2 + 2 * failures.size()];
        items[0] = highest;
        items[1] = applied.toByteArray();
        int i = 2;
        for (Failure f : failures) {
            items[i++] = f.requestId();
            items[i++] = f.errorText();
        }
        return Values.encode(items);
    }
}
