package io.synod.core;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The snapshot format of the chat state: every store entry plus the applied index.
 *
 * <pre>
 *   magic "SYNODSN1" (8 bytes) | appliedIndex (int64) | entryCount (int32)
 *   entryCount x ( keyLength (int32) | key | valueLength (int32) | value )   in key order
 *   SHA-256 of everything before (32 bytes)
 * </pre>
 *
 * <p>All integers are big-endian. The trailer detects truncation and corruption in transit.
 *
 * <p>Thread-safety: stateless.
 */
public final class ChatSnapshots {
    private static final byte[] MAGIC = "SYNODSN1".getBytes(StandardCharsets.US_ASCII);
    private static final int TRAILER_BYTES = 32;

    private ChatSnapshots() {}

    /** A decoded snapshot. */
    public record Decoded(long appliedIndex, List<StoreEntry> entries) {}

    /** Reads the whole store, page by page, into snapshot bytes. */
    public static byte[] export(ChatStore store, int scanPageEntries) {
        long appliedIndex = store.appliedIndex();
        List<StoreEntry> entries = new ArrayList<>();
        byte[] from = null;
        while (true) {
            List<StoreEntry> page = store.scan(from, null, scanPageEntries);
            entries.addAll(page);
            if (page.size() < scanPageEntries) {
                break;
            }
            byte[] lastKey = page.get(page.size() - 1).key();
            from = Arrays.copyOf(lastKey, lastKey.length + 1); // the smallest key after lastKey
        }
        return encode(appliedIndex, entries);
    }

    static byte[] encode(long appliedIndex, List<StoreEntry> entries) {
        long size = MAGIC.length + Long.BYTES + Integer.BYTES + TRAILER_BYTES;
        for (StoreEntry e : entries) {
            size += 2L * Integer.BYTES + e.key().length + e.value().length;
        }
        ChatInvariants.require(size < Integer.MAX_VALUE, "a snapshot must fit in 2 GiB");
        ByteBuffer out = ByteBuffer.allocate((int) size);
        out.put(MAGIC).putLong(appliedIndex).putInt(entries.size());
        for (StoreEntry e : entries) {
            out.putInt(e.key().length).put(e.key()).putInt(e.value().length).put(e.value());
        }
        MessageDigest sha = ChatStateMachine.sha256();
        sha.update(out.array(), 0, out.position());
        out.put(sha.digest());
        ChatInvariants.check(out.remaining() == 0, "the snapshot size was computed exactly");
        return out.array();
    }

    /**
     * Decodes snapshot bytes.
     *
     * @throws IllegalArgumentException if the bytes are not a complete, intact snapshot
     */
    public static Decoded decode(byte[] bytes) {
        int headerBytes = MAGIC.length + Long.BYTES + Integer.BYTES;
        require(bytes.length >= headerBytes + TRAILER_BYTES, "too short");
        MessageDigest sha = ChatStateMachine.sha256();
        sha.update(bytes, 0, bytes.length - TRAILER_BYTES);
        require(
                Arrays.equals(sha.digest(), Arrays.copyOfRange(bytes, bytes.length - TRAILER_BYTES, bytes.length)),
                "checksum mismatch");
        ByteBuffer in = ByteBuffer.wrap(bytes, 0, bytes.length - TRAILER_BYTES);
        byte[] magic = new byte[MAGIC.length];
        in.get(magic);
        require(Arrays.equals(magic, MAGIC), "bad magic");
        long appliedIndex = in.getLong();
        int count = in.getInt();
        require(appliedIndex >= 0 && count >= 0, "negative header field");
        List<StoreEntry> entries = new ArrayList<>(Math.min(count, 1 << 16));
        for (int i = 0; i < count; i++) {
            entries.add(new StoreEntry(chunk(in), chunk(in)));
        }
        require(!in.hasRemaining(), "trailing bytes");
        return new Decoded(appliedIndex, entries);
    }

    private static byte[] chunk(ByteBuffer in) {
        require(in.remaining() >= Integer.BYTES, "truncated");
        int length = in.getInt();
        require(length >= 0 && length <= in.remaining(), "truncated");
        byte[] out = new byte[length];
        in.get(out);
        return out;
    }

    private static void require(boolean condition, String what) {
        if (!condition) {
            throw new IllegalArgumentException("not a chat snapshot: " + what);
        }
    }
}
