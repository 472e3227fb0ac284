package io.synod.store;

import io.synod.core.ChatStore;
import io.synod.core.StoreBatch;
import io.synod.core.StoreEntry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * A {@link ChatStore} on RocksDB. The chat keys live in the default column family; the applied index lives in column
 * family {@code meta} under key {@code applied_index}, so a full scan of the chat keys never sees it. Every {@link
 * #write} and {@link #replaceAll} is one RocksDB {@link WriteBatch}: the command's writes and the applied index are in
 * the write-ahead log together, or neither is. With a Paxos log ({@link #paxosLog()}) a {@link #write} is held in
 * memory ({@link WriteBehind}: its state is a replay of that log) and written with the others at the next {@link
 * #sync} (one synced write) or once too much is held; the Paxos records it finds waiting ({@link
 * RocksDbDurableLog#persistWithNextStoreWrite}) are written alone and synced first if they must be, else held with it
 * (decisions only). Without one a {@link #write} goes to the log at once, unsynced (a killed process keeps it), and
 * {@link #sync} fsyncs the log once for every write before it. {@link #replaceAll} is synced at once. A replicated
 * server adds column families {@code paxos} (its Paxos log, see {@link #paxosLog()}) and {@code outbox} (the
 * publications a follower keeps for republishing, written with the write that applied them, see {@link
 * #putOutboxWithNextWrite}); neither is part of the chat state. Reads go through a {@link ReadCache} of the keys read
 * recently, kept true by every change of the chat keys, then the held writes.
 *
 * <p>Thread-safety: safe for concurrent reads; writes come from the state machine's owner thread.
 * Call order: {@link #open}, use, {@link #close} once (after which every call fails).
 */
public final class RocksDbChatStore implements ChatStore, AutoCloseable {
    private static final byte[] META_FAMILY = "meta".getBytes(StandardCharsets.UTF_8);
    private static final byte[] PAXOS_FAMILY = "paxos".getBytes(StandardCharsets.UTF_8);
    private static final byte[] OUTBOX_FAMILY = "outbox".getBytes(StandardCharsets.UTF_8);
    private static final byte[] APPLIED_INDEX_KEY = "applied_index".getBytes(StandardCharsets.UTF_8);
    /**
     * Present in {@code meta} while {@link #replaceFromCheckpoint} runs: the chat keys are then a mix of the old and
     * the new state, so a store opened with it reports applied index 0 (the replica installs its snapshot again).
     */
    private static final byte[] INSTALLING_KEY = "installing_checkpoint".getBytes(StandardCharsets.UTF_8);
    /** The table files' compression, in every column family. */
    private static final CompressionType COMPRESSION = CompressionType.LZ4_COMPRESSION;
    /** Most bytes of keys and values copied in one write batch while installing a checkpoint. */
    private static final int INSTALL_BATCH_BYTES_MAX = 4 << 20;

    static {
        RocksDB.loadLibrary();
    }

    private final Path directory;
    private final DBOptions dbOptions;
    private final ColumnFamilyOptions familyOptions;
    private final WriteOptions syncWrites;
    private final WriteOptions bufferedWrites;
    private boolean unsynced;
    private final ReadOptions reads;
    private final RocksDB db;
    private final ColumnFamilyHandle data;
    private final ColumnFamilyHandle meta;
    private ColumnFamilyHandle paxos;
    private ColumnFamilyHandle outbox;
    private RocksDbDurableLog paxosLog;
    private volatile long appliedIndex;
    private final ReadCache cache = new ReadCache();
    /** The writes, outbox entries and decisions waiting for the next RocksDB write. */
    private final WriteBehind behind;

    private RocksDbChatStore(
            Path directory,
            DBOptions dbOptions,
            ColumnFamilyOptions familyOptions,
            RocksDB db,
            List<ColumnFamilyHandle> handles) {
        this.directory = directory;
        this.dbOptions = dbOptions;
        this.familyOptions = familyOptions;
        this.db = db;
        this.data = handles.get(0);
        this.meta = handles.get(1);
        for (int i = 2; i < handles.size(); i++) {
            byte[] name = familyName(handles.get(i));
            if (Arrays.equals(name, PAXOS_FAMILY)) {
                this.paxos = handles.get(i);
            } else if (Arrays.equals(name, OUTBOX_FAMILY)) {
                this.outbox = handles.get(i);
            }
        }
        this.syncWrites = new WriteOptions().setSync(true);
        this.bufferedWrites = new WriteOptions().setSync(false);
        this.reads = new ReadOptions();
        this.appliedIndex = readAppliedIndex();
        this.behind = new WriteBehind(data, meta, APPLIED_INDEX_KEY);
    }

    /**
     * Opens (creating if needed) the store in {@code directory}.
     *
     * @throws StoreException if the directory cannot be created or RocksDB cannot open it (e.g. another holds its lock)
     */
    public static RocksDbChatStore open(Path directory) {
        DBOptions dbOptions = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true);
        // LZ4, not RocksDB's default Snappy: the flushes and compactions behind a write cost 33-36 us of CPU with
        // Snappy on the development machine, 11-15 us with LZ4, for the same space (docs/performance.md)
        ColumnFamilyOptions familyOptions = new ColumnFamilyOptions().setCompressionType(COMPRESSION);
        List<ColumnFamilyDescriptor> families = new ArrayList<>(List.of(
                new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, familyOptions),
                new ColumnFamilyDescriptor(META_FAMILY, familyOptions)));
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try {
            Files.createDirectories(directory);
            if (Files.exists(directory.resolve("CURRENT"))) {
                try (org.rocksdb.Options listing = new org.rocksdb.Options()) {
                    for (byte[] name : RocksDB.listColumnFamilies(listing, directory.toString())) {
                        if (Arrays.equals(name, PAXOS_FAMILY) || Arrays.equals(name, OUTBOX_FAMILY)) {
                            families.add(new ColumnFamilyDescriptor(name, familyOptions));
                        }
                    }
                }
            }
            RocksDB db = RocksDB.open(dbOptions, directory.toString(), families, handles);
            return new RocksDbChatStore(directory, dbOptions, familyOptions, db, handles);
        } catch (RocksDBException | IOException e) {
            handles.forEach(ColumnFamilyHandle::close);
            familyOptions.close();
            dbOptions.close();
            throw new StoreException("cannot open the store in " + directory + ": " + e.getMessage(), e);
        }
    }

    public Path directory() {
        return directory;
    }

    /**
     * The Paxos log of a replicated server, in column family {@code paxos} of this database (created on first
     * use), so it shares this store's write-ahead log: see {@link RocksDbDurableLog} for what that buys. The
     * store owns it: closing the store closes it. Owner thread only.
     */
    public synchronized RocksDbDurableLog paxosLog() {
        if (paxosLog == null) {
            try {
                if (paxos == null) {
                    paxos = db.createColumnFamily(new ColumnFamilyDescriptor(PAXOS_FAMILY, familyOptions));
                }
            } catch (RocksDBException e) {
                throw new StoreException("cannot create the Paxos log in " + directory + ": " + e.getMessage(), e);
            }
            paxosLog = RocksDbDurableLog.inSharedDatabase(directory, db, paxos, () -> writeHeld(false));
        }
        return paxosLog;
    }

    /** Served from a {@link ReadCache} of the keys read recently, kept true by every change; then the held writes. */
    @Override
    public byte[] get(byte[] key) {
        ReadCache.Lookup cached = cache.get(key);
        if (cached.cached()) {
            return cached.value();
        }
        long generation = cache.generation();
        byte[] held = behind.get(key);
        if (held != WriteBehind.NOT_HELD) {
            return held;
        }
        try {
            byte[] value = db.get(data, reads, key);
            cache.put(key, value, generation);
            return value;
        } catch (RocksDBException e) {
            throw new StoreException("read failed in " + directory, e);
        }
    }

    /** The read cache's counters, for {@code /status}. */
    public ReadCache.Stats readCacheStats() {
        return cache.stats();
    }

    @Override
    public List<StoreEntry> scan(byte[] fromInclusive, byte[] toExclusive, int limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be positive, was " + limit);
        }
        List<StoreEntry> held = behind.range(fromInclusive, toExclusive); // before RocksDB's: see WriteBehind
        int asked = (int) Math.min(Integer.MAX_VALUE, (long) limit + held.size());
        List<StoreEntry> stored = storedScan(fromInclusive, toExclusive, asked);
        return WriteBehind.merge(stored, stored.size() < asked, held, limit);
    }

    private List<StoreEntry> storedScan(byte[] fromInclusive, byte[] toExclusive, int limit) {
        List<StoreEntry> out = new ArrayList<>(Math.min(limit, 64));
        try (RocksIterator it = db.newIterator(data, reads)) {
            if (fromInclusive == null) {
                it.seekToFirst();
            } else {
                it.seek(fromInclusive);
            }
            for (; it.isValid() && out.size() < limit; it.next()) {
                byte[] key = it.key();
                if (toExclusive != null && Arrays.compareUnsigned(key, toExclusive) >= 0) {
                    break;
                }
                out.add(new StoreEntry(key, it.value()));
            }
            it.status();
        } catch (RocksDBException e) {
            throw new StoreException("scan failed in " + directory, e);
        }
        return out;
    }

    @Override
    public long appliedIndex() {
        return appliedIndex;
    }

    @Override
    public void write(StoreBatch batch) {
        if (batch.appliedIndex() <= appliedIndex) {
            throw new IllegalStateException(
                    "invariant violated: applied index " + batch.appliedIndex() + " must be above " + appliedIndex);
        }
        if (paxosLog != null && paxosLog.deferredNeedsSync()) {
            paxosLog.persistDeferred(); // a vote or an answer rests on them: durable now; the state they decide waits
        } else if (paxosLog != null && paxosLog.hasDeferred()) {
            try {
                paxosLog.addDeferredTo(behind.records()); // decisions only: never synced, held with what they decide
                paxosLog.deferredWritten();
            } catch (RocksDBException e) {
                throw new StoreException("holding decisions failed in " + directory, e);
            }
        }
        behind.hold(batch);
        for (Map.Entry<byte[], byte[]> e : batch.writes().entrySet()) {
            cache.written(e.getKey(), e.getValue());
        }
        appliedIndex = batch.appliedIndex();
        if (paxosLog == null || behind.full()) {
            writeHeld(false);
        }
    }

    /** Writes what is held ({@link WriteBehind}), synced if {@code sync}; or, with nothing held, fsyncs if asked. */
    private void writeHeld(boolean sync) {
        try {
            if (!behind.isEmpty()) {
                db.write(
                        sync ? syncWrites : bufferedWrites,
                        behind.batch(behind.touchesOutbox() ? outboxFamily() : null));
                behind.written();
                unsynced = !sync;
            } else if (sync && unsynced) {
                db.syncWal();
                unsynced = false;
            }
        } catch (RocksDBException e) {
            cache.clear(); // whether RocksDB took the batch is unknown
            throw new StoreException(
                    (sync ? "sync" : "write") + " through index " + appliedIndex + " failed in " + directory, e);
        }
    }

    /** Writes what is held and fsyncs the write-ahead log (one fsync for every write before it). */
    @Override
    public void sync() {
        writeHeld(true);
    }

    @Override
    public void replaceAll(List<StoreEntry> entries, long newAppliedIndex) {
        if (newAppliedIndex < 0) {
            throw new IllegalArgumentException("applied index must not be negative");
        }
        writeHeld(false); // the held keys must not shadow the new state
        try (WriteBatch writes = new WriteBatch();
                RocksIterator it = db.newIterator(data, reads)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                writes.delete(data, it.key());
            }
            it.status();
            for (StoreEntry e : entries) {
                writes.put(data, e.key(), e.value());
            }
            writes.put(meta, APPLIED_INDEX_KEY, WriteBehind.indexKey(newAppliedIndex));
            db.write(syncWrites, writes);
            unsynced = false; // a synced write makes every write before it durable too
        } catch (RocksDBException e) {
            throw new StoreException("replacing the state failed in " + directory, e);
        } finally {
            cache.clear();
        }
        appliedIndex = newAppliedIndex;
    }

    /**
     * A task that flushes the memtables of every column family open now to table files and waits for the flush. It
     * may run on any thread, concurrently with writes (RocksDB flushes into new table files while writes go to a new
     * memtable), and must finish before {@link #close}. The replication driver runs it off its loop before it takes
     * a checkpoint: a checkpoint flushes what the memtables hold first, and a whole memtable's flush (0.35-0.9 s
     * under load on the development machine) stalled the loop for that long on every server at once.
     */
    public Runnable memtableFlush() {
        List<ColumnFamilyHandle> families = new ArrayList<>(List.of(data, meta));
        Stream.of(paxos, outbox).filter(Objects::nonNull).forEach(families::add);
        return () -> {
            try (FlushOptions options = new FlushOptions().setWaitForFlush(true)) {
                db.flush(options, families);
            } catch (RocksDBException e) {
                throw new StoreException("flushing the memtables failed in " + directory + ": " + e.getMessage(), e);
            }
        };
    }

    /**
     * Writes a RocksDB checkpoint of this database (hard links to its table files, a copy of the rest) into
     * {@code target}, which must not exist. Every write so far is synced first, and the checkpoint's files are
     * synced before this returns. The checkpoint holds the whole database, the Paxos column family included;
     * {@link #replaceFromCheckpoint} copies only the chat state out of it.
     *
     * @throws StoreException if RocksDB or the file system fails
     */
    public void createCheckpoint(Path target) {
        sync();
        try (org.rocksdb.Checkpoint checkpoint = org.rocksdb.Checkpoint.create(db)) {
            checkpoint.createCheckpoint(target.toString());
            FileSync.syncTree(target);
        } catch (RocksDBException | IOException e) {
            throw new StoreException("cannot write a checkpoint to " + target + ": " + e.getMessage(), e);
        }
    }

    /**
     * Replaces the whole chat state (every key and the applied index) with the one in the checkpoint at {@code
     * checkpoint} (made by {@link #createCheckpoint}, here or on another server). The copy is streamed in write
     * batches of at most {@code INSTALL_BATCH_BYTES_MAX}; a marker written (synced) first and removed by the last,
     * synced, batch makes a store reopened after a crash in between report applied index 0, so the caller
     * installs again. Returns the installed applied index.
     *
     * @throws StoreException if the checkpoint cannot be opened or read, or the write fails
     */
    public long replaceFromCheckpoint(Path checkpoint) {
        writeHeld(false); // the held keys must not shadow the new state
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try (DBOptions options = new DBOptions();
                ColumnFamilyOptions families = new ColumnFamilyOptions()) {
            RocksDB source = RocksDB.openReadOnly(
                    options,
                    checkpoint.toString(),
                    List.of(
                            new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, families),
                            new ColumnFamilyDescriptor(META_FAMILY, families)),
                    handles);
            try {
                byte[] index = source.get(handles.get(1), APPLIED_INDEX_KEY);
                long installed = index == null ? 0 : ByteBuffer.wrap(index).getLong();
                markInstalling(installed);
                deleteAllChatKeys();
                copyChatKeys(source, handles.get(0));
                try (WriteBatch last = new WriteBatch()) {
                    last.put(meta, APPLIED_INDEX_KEY, WriteBehind.indexKey(installed));
                    last.delete(meta, INSTALLING_KEY);
                    db.write(syncWrites, last);
                }
                unsynced = false;
                appliedIndex = installed;
                return installed;
            } finally {
                cache.clear();
                handles.forEach(ColumnFamilyHandle::close);
                source.close();
            }
        } catch (RocksDBException e) {
            throw new StoreException(
                    "cannot install the checkpoint " + checkpoint + " into " + directory + ": " + e.getMessage(), e);
        }
    }

    private static byte[] familyName(ColumnFamilyHandle handle) {
        try {
            return handle.getName();
        } catch (RocksDBException e) {
            throw new StoreException("cannot read a column family's name: " + e.getMessage(), e);
        }
    }

    /** One entry of the publication outbox: the chat index of the write and the encoded publications. */
    public record OutboxEntry(long index, byte[] value) {}

    /**
     * Keeps a follower's outbox entry (the publications of the write at chat index {@code index}, which the leader may
     * not have published yet) in column family {@code outbox} until {@link #deleteOutboxThrough}, written in the batch
     * of the next {@link #write} ({@link WriteBehind}): a crash keeps both or neither. {@code encoded} is called only
     * when a write finds the entry still held, on this thread. Owner thread only.
     */
    public void putOutboxWithNextWrite(long index, Supplier<byte[]> encoded) {
        behind.holdOutbox(index, encoded);
    }

    /** Writes {@code entries} to the outbox now, unsynced (tests seed an outbox with it). Owner thread only. */
    public void putOutbox(List<OutboxEntry> entries) {
        entries.forEach(e -> behind.holdOutbox(e.index(), e::value));
        writeHeld(false);
    }

    /** Deletes every outbox entry at or below chat index {@code index}, with the held writes. Owner thread only. */
    public void deleteOutboxThrough(long index) {
        if (index >= 0) {
            behind.deleteOutboxThrough(index, outbox != null); // none written without the column family
        }
    }

    /** The outbox entries, lowest index first (the held ones included). */
    public List<OutboxEntry> readOutbox() {
        List<OutboxEntry> entries = new ArrayList<>();
        if (outbox == null) {
            return behind.outbox(entries);
        }
        try (RocksIterator it = db.newIterator(outbox, reads)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                entries.add(new OutboxEntry(ByteBuffer.wrap(it.key()).getLong(), it.value()));
            }
            it.status();
        } catch (RocksDBException e) {
            throw new StoreException("outbox read failed in " + directory, e);
        }
        return behind.outbox(entries);
    }

    private synchronized ColumnFamilyHandle outboxFamily() throws RocksDBException {
        if (outbox == null) {
            outbox = db.createColumnFamily(new ColumnFamilyDescriptor(OUTBOX_FAMILY, familyOptions));
        }
        return outbox;
    }

    /** Writes (synced) the marker of an install in progress; from now on the store reports applied index 0. */
    void markInstalling(long index) throws RocksDBException {
        db.put(meta, syncWrites, INSTALLING_KEY, WriteBehind.indexKey(index));
        appliedIndex = 0;
    }

    /** Deletes every chat key with one range deletion, from the first key to just past the last. */
    private void deleteAllChatKeys() throws RocksDBException {
        byte[] first;
        byte[] last;
        try (RocksIterator it = db.newIterator(data, reads)) {
            it.seekToFirst();
            if (!it.isValid()) {
                it.status();
                return;
            }
            first = it.key();
            it.seekToLast();
            last = it.key();
            it.status();
        }
        db.deleteRange(data, bufferedWrites, first, Arrays.copyOf(last, last.length + 1));
    }

    private void copyChatKeys(RocksDB source, ColumnFamilyHandle sourceData) throws RocksDBException {
        try (ReadOptions sourceReads = new ReadOptions().setFillCache(false);
                RocksIterator it = source.newIterator(sourceData, sourceReads)) {
            WriteBatch batch = new WriteBatch();
            try {
                long batchBytes = 0;
                for (it.seekToFirst(); it.isValid(); it.next()) {
                    byte[] key = it.key();
                    byte[] value = it.value();
                    batch.put(data, key, value);
                    batchBytes += key.length + value.length;
                    if (batchBytes >= INSTALL_BATCH_BYTES_MAX) {
                        db.write(bufferedWrites, batch);
                        batch.close();
                        batch = new WriteBatch();
                        batchBytes = 0;
                    }
                }
                it.status();
                db.write(bufferedWrites, batch);
            } finally {
                batch.close();
            }
        }
    }

    private long readAppliedIndex() {
        try {
            if (db.get(meta, INSTALLING_KEY) != null) {
                return 0; // a checkpoint install was cut short: the state is partial until it is installed again
            }
            byte[] value = db.get(meta, APPLIED_INDEX_KEY);
            return value == null ? 0 : ByteBuffer.wrap(value).getLong();
        } catch (RocksDBException e) {
            throw new StoreException("cannot read the applied index in " + directory, e);
        }
    }

    /** Syncs what was written and releases RocksDB and its native handles. */
    @Override
    public synchronized void close() {
        if (!db.isOwningHandle()) {
            return;
        }
        try {
            sync();
        } catch (StoreException e) {
            // closing after a failure: the data written since the last sync may be lost, as on a crash
        }
        behind.close();
        if (paxosLog != null) {
            paxosLog.close();
        }
        if (outbox != null) {
            outbox.close();
        }
        if (paxos != null) {
            paxos.close();
        }
        data.close();
        meta.close();
        try {
            db.closeE();
        } catch (RocksDBException e) {
            throw new StoreException("close failed in " + directory, e);
        } finally {
            syncWrites.close();
            bufferedWrites.close();
            reads.close();
            familyOptions.close();
            dbOptions.close();
        }
    }
}
