package io.synod.store;

import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The values of recently read keys of the chat state, in front of RocksDB's {@code get}: the state machine reads the
 * same few keys for every command (the state digest, the client's request window, the channel or the recipient, the
 * author), and a RocksDB lookup walks the memtable's skip list each time (about a sixth of a server's event-loop CPU
 * under load, docs/performance.md). A key read is cached with its value, or as absent; a write updates a cached key
 * and leaves others alone (a write does not bring a key in: posts and messages are written once and rarely read back
 * by key). Least recently used entries leave beyond {@link #BYTES_MAX}.
 *
 * <p>Coherence: the store calls {@link #written} for every key of a batch after RocksDB took it, and {@link #clear}
 * after any other change of the chat keys (a replaced state, an installed checkpoint). A reader on another thread
 * might read RocksDB before a write and cache the old value after it: {@link #generation} taken before the read and
 * passed to {@link #put} makes such an insert a no-op, since every change moves the generation.
 *
 * <p>Thread-safe (one lock, held only for map operations).
 */
public final class ReadCache {
    /** Most bytes of keys, values and bookkeeping the cache holds. */
    static final long BYTES_MAX = 32L << 20;
    /** Bookkeeping charged per entry on top of its key and value (map entry, key wrapper, array headers). */
    static final int ENTRY_OVERHEAD_BYTES = 112;
    /** Stands for a key known to be absent; compared by identity, never handed out. */
    private static final byte[] ABSENT = new byte[0];

    private final long bytesMax;
    private final LinkedHashMap<ByteBuffer, byte[]> entries = new LinkedHashMap<>(1_024, 0.75f, true);
    private long bytes;
    private long generation;
    private long hits;
    private long misses;

    /** A lookup's outcome: {@code cached} false means the caller must read the store. */
    record Lookup(boolean cached, byte[] value) {
        private static final Lookup MISS = new Lookup(false, null);
    }

    /** Counters for the operator ({@code /status}). */
    public record Stats(long hits, long misses, int entries, long bytes) {}

    ReadCache() {
        this(BYTES_MAX);
    }

    ReadCache(long bytesMax) {
        if (bytesMax < 0) {
            throw new IllegalArgumentException("bytesMax must not be negative, was " + bytesMax);
        }
        this.bytesMax = bytesMax;
    }

    /** The cached value of {@code key} (null when known absent), or a miss. */
    synchronized Lookup get(byte[] key) {
        byte[] value = entries.get(ByteBuffer.wrap(key));
        if (value == null) {
            misses++;
            return Lookup.MISS;
        }
        hits++;
        return new Lookup(true, value == ABSENT ? null : value);
    }

    /** The generation to pass to {@link #put} for a value read from the store after this call. */
    synchronized long generation() {
        return generation;
    }

    /**
     * Caches {@code value} (null: absent) of {@code key}, read from the store after {@link #generation} returned
     * {@code readGeneration}; nothing if the chat keys changed since.
     */
    synchronized void put(byte[] key, byte[] value, long readGeneration) {
        if (readGeneration != generation) {
            return;
        }
        replace(ByteBuffer.wrap(key.clone()), stored(value));
    }

    /** {@code key} now holds {@code value} (null: deleted) in the store: a cached entry follows it. */
    synchronized void written(byte[] key, byte[] value) {
        generation++;
        ByteBuffer wrapped = ByteBuffer.wrap(key);
        if (entries.containsKey(wrapped)) {
            replace(wrapped, stored(value));
        }
    }

    /** The chat keys changed in a way the cache cannot follow: it forgets everything. */
    synchronized void clear() {
        generation++;
        entries.clear();
        bytes = 0;
    }

    synchronized Stats stats() {
        return new Stats(hits, misses, entries.size(), bytes);
    }

    private void replace(ByteBuffer key, byte[] value) {
        byte[] old = entries.put(key, value);
        bytes += old == null ? weight(key, value) : value.length - old.length;
        Iterator<Map.Entry<ByteBuffer, byte[]>> eldest = entries.entrySet().iterator();
        while (bytes > bytesMax && eldest.hasNext()) {
            Map.Entry<ByteBuffer, byte[]> e = eldest.next();
            bytes -= weight(e.getKey(), e.getValue());
            eldest.remove();
        }
    }

    private static byte[] stored(byte[] value) {
        return value == null ? ABSENT : value;
    }

    private static long weight(ByteBuffer key, byte[] value) {
        return key.capacity() + value.length + ENTRY_OVERHEAD_BYTES;
    }
}
