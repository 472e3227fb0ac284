package io.synod.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * A {@link ChatStore} in a sorted map, for the tests of several modules (this module's test-jar). Writes are
 * trivially atomic; "durable" means until the object is dropped.
 *
 * <p>Thread-safety: not thread-safe.
 */
public final class InMemoryChatStore implements ChatStore {
    private final TreeMap<byte[], byte[]> data = new TreeMap<>(Arrays::compareUnsigned);
    private long appliedIndex;

    @Override
    public byte[] get(byte[] key) {
        return data.get(key);
    }

    @Override
    public List<StoreEntry> scan(byte[] fromInclusive, byte[] toExclusive, int limit) {
        ChatInvariants.require(limit > 0, "limit must be positive, was " + limit);
        NavigableMap<byte[], byte[]> range = data;
        if (fromInclusive != null) {
            range = range.tailMap(fromInclusive, true);
        }
        if (toExclusive != null) {
            range = range.headMap(toExclusive, false);
        }
        List<StoreEntry> out = new ArrayList<>(Math.min(limit, 64));
        for (Map.Entry<byte[], byte[]> e : range.entrySet()) {
            if (out.size() == limit) {
                break;
            }
            out.add(new StoreEntry(e.getKey(), e.getValue()));
        }
        return out;
    }

    @Override
    public long appliedIndex() {
        return appliedIndex;
    }

    @Override
    public void write(StoreBatch batch) {
        ChatInvariants.check(batch.appliedIndex() > appliedIndex, "applied index must increase");
        for (Map.Entry<byte[], byte[]> e : batch.writes().entrySet()) {
            if (e.getValue() == null) {
                data.remove(e.getKey());
            } else {
                data.put(e.getKey(), e.getValue());
            }
        }
        appliedIndex = batch.appliedIndex();
    }

    /** Nothing to do: memory holds nothing across a crash anyway. */
    @Override
    public void sync() {}

    @Override
    public void replaceAll(List<StoreEntry> entries, long newAppliedIndex) {
        ChatInvariants.require(newAppliedIndex >= 0, "applied index must not be negative");
        data.clear();
        for (StoreEntry e : entries) {
            data.put(e.key(), e.value());
        }
        appliedIndex = newAppliedIndex;
    }
}
