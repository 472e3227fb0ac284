package io.synod.store;

import io.synod.core.StoreBatch;
import io.synod.core.StoreEntry;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Supplier;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * A replicated server's applied writes, held in memory and written to RocksDB together at the next sync (every 200
 * ms, before a checkpoint, before a snapshot's record and on close) or once {@link #KEYS_MAX} keys or {@link
 * #BYTES_MAX} bytes are held, instead of one RocksDB write per loop turn.
 *
 * <p>Why: every write put three to four keys (the post, the client's request window, a follower's outbox entry, the
 * channel's counter, the digest) into the memtable's skip list and the write-ahead log in the turn that applied it,
 * about half of a follower's event-loop CPU under load (docs/performance.md). Held, a request window or a counter
 * rewritten every turn is written once per sync, a follower's outbox entry that the leader's {@code published} note
 * retires within 100 ms never reaches RocksDB, and the keys go in sorted, one batch.
 *
 * <p>Why losing them is safe: the state they hold is a replay of the Paxos log, which is synced before any vote or
 * answer rests on it; the stored applied index says where a restarted server replays from, as after a power loss
 * (the chat state was already synced only every 200 ms). The decisions among the held Paxos records ({@link
 * #records}) are never synced anyway: a replica that lost them learns them again from its peers.
 *
 * <p>Thread-safety: {@link #hold}, {@link #batch} and {@link #written} on the store's owner thread; {@link #get} and
 * {@link #range} from any thread (the keys are a concurrent map, replaced after each write, never cleared, so a
 * reader that read the map before a write still sees what RocksDB may not have yet).
 */
final class WriteBehind implements AutoCloseable {
    /** Most chat keys held before they are written (over a second of writes at 64 clients: the sync comes first). */
    static final int KEYS_MAX = 16_384;
    /** Most bytes of keys and values held before they are written (counted per put, overwrites included). */
    static final long BYTES_MAX = 8L << 20;
    /** What {@link #get} returns for a key not held: the caller reads RocksDB. Compared by identity. */
    static final byte[] NOT_HELD = new byte[0];
    /** Stands for a deleted key among the held ones; compared by identity, never handed out by {@link #get}. */
    private static final byte[] DELETED = new byte[0];
    /** Bookkeeping charged per held key on top of its bytes (map node, array headers). */
    private static final int KEY_OVERHEAD_BYTES = 64;
    /**
     * What a held outbox entry is charged: its bytes are made only when written ({@link #holdOutbox}). A write's
     * publications encode to 100-300 bytes; a post that notifies many followers to more, but the publications it
     * stands for are held by the caller's ring anyway, which bounds them.
     */
    private static final int OUTBOX_ENTRY_CHARGE_BYTES = 512;

    private final ColumnFamilyHandle data;
    private final ColumnFamilyHandle meta;
    private final byte[] appliedIndexKey;
    private volatile ConcurrentSkipListMap<byte[], byte[]> keys = newKeys();
    private int keyCount;
    private long bytes;
    /** The applied index of the last batch held; -1 when none is. */
    private long appliedIndex = -1;

    /** The outbox entries to write, each encoded only if a write finds it still held. */
    private final TreeMap<Long, Supplier<byte[]>> outboxPuts = new TreeMap<>();
    /** The outbox entries at or below this index are deleted by the next write; -1 for none. */
    private long outboxDeleteThrough = -1;
    /** The Paxos records (decisions) that go first in the next write. */
    private WriteBatch records = new WriteBatch();

    WriteBehind(ColumnFamilyHandle data, ColumnFamilyHandle meta, byte[] appliedIndexKey) {
        this.data = data;
        this.meta = meta;
        this.appliedIndexKey = appliedIndexKey.clone();
    }

    private static ConcurrentSkipListMap<byte[], byte[]> newKeys() {
        return new ConcurrentSkipListMap<>(Arrays::compareUnsigned);
    }

    /** Holds {@code batch}'s writes and applied index for the next write. */
    void hold(StoreBatch batch) {
        ConcurrentSkipListMap<byte[], byte[]> held = keys;
        for (Map.Entry<byte[], byte[]> e : batch.writes().entrySet()) {
            byte[] value = e.getValue() == null ? DELETED : e.getValue();
            if (held.put(e.getKey(), value) == null) {
                keyCount++;
            }
            bytes += e.getKey().length + value.length + KEY_OVERHEAD_BYTES;
        }
        appliedIndex = batch.appliedIndex();
    }

    /**
     * Holds the outbox entry of chat index {@code index} for the next write; {@code encoded} makes its bytes when a
     * write or {@link #outbox} needs them, so an entry {@link #deleteOutboxThrough deleted} before is never encoded.
     */
    void holdOutbox(long index, Supplier<byte[]> encoded) {
        outboxPuts.put(index, encoded);
        bytes += Long.BYTES + OUTBOX_ENTRY_CHARGE_BYTES + KEY_OVERHEAD_BYTES;
    }

    /** The batch the Paxos records to write first next time are added to. */
    WriteBatch records() {
        return records;
    }

    /**
     * Forgets the held outbox entries at or below {@code index} and, if some may have been {@code written}, deletes
     * those with the next write.
     */
    void deleteOutboxThrough(long index, boolean written) {
        outboxPuts.headMap(index, true).clear();
        if (written) {
            outboxDeleteThrough = Math.max(outboxDeleteThrough, index);
        }
    }

    /** The outbox as it will be after the next write: {@code written}'s entries with the held changes over them. */
    List<RocksDbChatStore.OutboxEntry> outbox(List<RocksDbChatStore.OutboxEntry> written) {
        TreeMap<Long, byte[]> entries = new TreeMap<>();
        written.stream().filter(e -> e.index() > outboxDeleteThrough).forEach(e -> entries.put(e.index(), e.value()));
        outboxPuts.forEach((index, encoded) -> entries.put(index, encoded.get()));
        List<RocksDbChatStore.OutboxEntry> out = new ArrayList<>();
        entries.forEach((index, value) -> out.add(new RocksDbChatStore.OutboxEntry(index, value)));
        return out;
    }

    /** The held value of {@code key}: null if deleted, {@link #NOT_HELD} if not held. */
    byte[] get(byte[] key) {
        byte[] value = keys.get(key);
        return value == null ? NOT_HELD : value == DELETED ? null : value;
    }

    /**
     * The held keys from {@code fromInclusive} (null: the first) to {@code toExclusive} (null: past the last), in
     * key order, deletions included (to pass to {@link #merge}).
     */
    List<StoreEntry> range(byte[] fromInclusive, byte[] toExclusive) {
        ConcurrentSkipListMap<byte[], byte[]> held = keys;
        if (fromInclusive != null && toExclusive != null && Arrays.compareUnsigned(fromInclusive, toExclusive) >= 0) {
            return List.of(); // an empty range
        }
        NavigableMap<byte[], byte[]> view;
        if (fromInclusive == null) {
            view = toExclusive == null ? held : held.headMap(toExclusive, false);
        } else {
            view = toExclusive == null ? held.tailMap(fromInclusive, true) : held.subMap(fromInclusive, toExclusive);
        }
        List<StoreEntry> out = new ArrayList<>();
        view.forEach((key, value) -> out.add(new StoreEntry(key, value)));
        return out;
    }

    /**
     * The first {@code limit} live entries of RocksDB's {@code stored} entries of a range with the {@code held} ones
     * of the same range over them ({@link #range}). {@code stored} is RocksDB's first entries of the range; when
     * {@code storedComplete} is false RocksDB may hold more past the last one, so nothing past it is returned. Asked
     * for {@code limit} plus the held entries in the range, RocksDB's answer always holds the first {@code limit}
     * live ones: each held entry hides at most one stored entry.
     */
    static List<StoreEntry> merge(List<StoreEntry> stored, boolean storedComplete, List<StoreEntry> held, int limit) {
        if (held.isEmpty()) {
            return stored.size() <= limit ? stored : new ArrayList<>(stored.subList(0, limit));
        }
        byte[] lastStored =
                stored.isEmpty() ? null : stored.get(stored.size() - 1).key();
        List<StoreEntry> out = new ArrayList<>(Math.min(limit, stored.size() + held.size()));
        int s = 0;
        int h = 0;
        while (out.size() < limit && (s < stored.size() || h < held.size())) {
            int order = s == stored.size()
                    ? 1
                    : h == held.size()
                            ? -1
                            : Arrays.compareUnsigned(
                                    stored.get(s).key(), held.get(h).key());
            if (order < 0) {
                out.add(stored.get(s++));
                continue;
            }
            StoreEntry entry = held.get(h++);
            if (order == 0) {
                s++; // the held value replaces the stored one
            } else if (!storedComplete && (lastStored == null || Arrays.compareUnsigned(entry.key(), lastStored) > 0)) {
                break; // RocksDB may hold keys before this one that it did not return
            }
            if (entry.value() != DELETED) {
                out.add(entry);
            }
        }
        return out;
    }

    /** Whether the next write must happen now: too many keys or bytes held. */
    boolean full() {
        return keyCount >= KEYS_MAX || bytes >= BYTES_MAX;
    }

    boolean isEmpty() {
        return appliedIndex < 0 && outboxPuts.isEmpty() && outboxDeleteThrough < 0 && records.count() == 0;
    }

    /** Whether the next write touches the outbox (so its column family must exist). */
    boolean touchesOutbox() {
        return !outboxPuts.isEmpty() || outboxDeleteThrough >= 0;
    }

    /**
     * Everything held, as one batch to write: the Paxos records first, the chat keys in key order, the applied index,
     * the outbox's deletions and entries. Still held until {@link #written}; the batch belongs to this object.
     *
     * @param outbox the outbox's column family, or null if {@link #touchesOutbox} is false
     */
    WriteBatch batch(ColumnFamilyHandle outbox) throws RocksDBException {
        for (Map.Entry<byte[], byte[]> e : keys.entrySet()) {
            if (e.getValue() == DELETED) {
                records.delete(data, e.getKey());
            } else {
                records.put(data, e.getKey(), e.getValue());
            }
        }
        if (appliedIndex >= 0) {
            records.put(meta, appliedIndexKey, indexKey(appliedIndex));
        }
        if (outboxDeleteThrough >= 0) {
            records.deleteRange(outbox, indexKey(0), indexKey(outboxDeleteThrough + 1));
        }
        for (Map.Entry<Long, Supplier<byte[]>> e : outboxPuts.entrySet()) {
            records.put(outbox, indexKey(e.getKey()), e.getValue().get());
        }
        return records;
    }

    /** RocksDB took the {@link #batch}: nothing is held any more. */
    void written() {
        keys = newKeys(); // readers holding the old map still find what they looked for, in it or in RocksDB
        keyCount = 0;
        bytes = 0;
        appliedIndex = -1;
        outboxPuts.clear();
        outboxDeleteThrough = -1;
        records.close();
        records = new WriteBatch();
    }

    /** A chat index as a key: eight bytes, big-endian, so keys sort as the indexes do. */
    static byte[] indexKey(long index) {
        return ByteBuffer.allocate(Long.BYTES).putLong(index).array();
    }

    @Override
    public void close() {
        records.close();
    }
}
