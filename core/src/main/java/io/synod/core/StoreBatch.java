package io.synod.core;

import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The writes of one applied command plus the applied index, handed to {@link ChatStore#write} to
 * be applied atomically. A null value marks a delete. The batch also serves reads of its own
 * pending writes, so a command sees what it wrote earlier in the same apply.
 *
 * <p>Thread-safety: not thread-safe; built and consumed by the state machine's owner.
 */
public final class StoreBatch {
    private final long appliedIndex;
    private final TreeMap<byte[], byte[]> writes = new TreeMap<>(Arrays::compareUnsigned);

    /** An empty batch that moves the applied index to {@code appliedIndex}. */
    public StoreBatch(long appliedIndex) {
        ChatInvariants.require(appliedIndex > 0, "appliedIndex must be positive, was " + appliedIndex);
        this.appliedIndex = appliedIndex;
    }

    public long appliedIndex() {
        return appliedIndex;
    }

    public void put(byte[] key, byte[] value) {
        ChatInvariants.require(key.length > 0 && value != null, "put needs a key and a value");
        writes.put(key, value);
    }

    public void delete(byte[] key) {
        ChatInvariants.require(key.length > 0, "delete needs a key");
        writes.put(key, null);
    }

    /** Whether the batch writes or deletes {@code key}. */
    public boolean touches(byte[] key) {
        return writes.containsKey(key);
    }

    /** The pending value of {@code key}: null if deleted or untouched (check {@link #touches}). */
    public byte[] pending(byte[] key) {
        return writes.get(key);
    }

    /** The first key with {@code fromInclusive <= key < toExclusive} that the batch puts (not deletes), or null. */
    public byte[] firstPut(byte[] fromInclusive, byte[] toExclusive) {
        for (Map.Entry<byte[], byte[]> e :
                writes.subMap(fromInclusive, true, toExclusive, false).entrySet()) {
            if (e.getValue() != null) {
                return e.getKey();
            }
        }
        return null;
    }

    /** The writes in key order; a null value is a delete. Unmodifiable view. */
    public Map<byte[], byte[]> writes() {
        return Collections.unmodifiableMap(writes);
    }

    public int size() {
        return writes.size();
    }
}
