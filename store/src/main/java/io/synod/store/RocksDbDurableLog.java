package io.synod.store;

import io.synod.consensus.AcceptedEntry;
import io.synod.consensus.Ballot;
import io.synod.consensus.Batch;
import io.synod.consensus.DurableLog;
import io.synod.consensus.DurableRecord;
import io.synod.consensus.DurableState;
import io.synod.consensus.InMemoryDurableLog;
import io.synod.consensus.PaxosCodec;
import io.synod.consensus.Snapshot;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The Paxos {@link DurableLog} on RocksDB: the {@code paxos} column family of the chat database (servers take it
 * from {@code RocksDbChatStore.paxosLog()}, sharing one write-ahead log), or a database of its own ({@link #open}). Key layout (ADR 0001): {@code p} -> the promised ballot record; {@code a<slot, 8 bytes big-endian>} -> the
 * accepted-value record; {@code d<slot>} -> the decided-value record, or (usually) the short record naming the slot's
 * accepted value ({@link DurableRecord.DecidedAccepted}, resolved on {@link #load}); {@code s} -> the latest snapshot
 * record. Values are {@link PaxosCodec} encodings of the {@link DurableRecord} itself.
 *
 * <p>Every {@link #persist} call is one {@link WriteBatch}: the driver persists each {@code Ready} with one call
 * (group commit). A log opened with {@link #open} owns its database and syncs every batch. A log opened by {@link
 * RocksDbChatStore#paxosLog()} lives in a column family of the chat state's database and shares its write-ahead
 * log: a batch holding a promise, an accepted value or a snapshot is synced (the acceptor's promises must be on
 * disk before a message that depends on them leaves), but a batch of decided values only is not: a decision is
 * never a promise to anyone, a forgotten one is learned again from the peers, and the shared write-ahead log
 * keeps it ahead of every applied write that depends on it (a crash keeps a prefix of the log), so the applied
 * state is never ahead of the decisions this log knows. The fold matches {@code InMemoryDurableLog} exactly: a promise only
 * grows, a later accepted value replaces an earlier one of the same slot, a snapshot replaces only an older one and
 * range-deletes both prefixes up to its slot, and records behind the snapshot are ignored. The in-memory promise and
 * snapshot slot mirror what is on disk, so the fold needs no read inside a batch.
 *
 * <p>Thread-safety: not thread-safe; owned by the replication driver's thread. Call order: {@link #open}, {@link
 * #load} once, then {@link #persist} per Ready, {@link #close} once.
 */
public final class RocksDbDurableLog implements DurableLog, AutoCloseable {
    private static final byte[] PROMISED_KEY = "p".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SNAPSHOT_KEY = "s".getBytes(StandardCharsets.US_ASCII);
    private static final byte ACCEPTED = 'a';
    private static final byte DECIDED = 'd';

    static {
        RocksDB.loadLibrary();
    }

    private final Path directory;
    private final Options options;
    private final WriteOptions syncWrites;
    private final WriteOptions bufferedWrites;
    private final RocksDB db;
    private final ColumnFamilyHandle family;
    private final boolean ownsDatabase;
    /** Run before a snapshot's record is written: the chat store writes the decisions it holds first. */
    private final Runnable beforeSnapshot;

    private Ballot promised = Ballot.ZERO;
    private long snapshotSlot;
    private long batchesWritten;
    /** Records waiting for the chat store's next write ({@link #persistWithNextStoreWrite}), in order. */
    private final List<DurableRecord> deferred = new ArrayList<>();
    /** The fold of {@link #deferred} added to the chat store's write under way, applied once it is written. */
    private Folded pendingFold;

    private RocksDbDurableLog(
            Path directory, Options options, RocksDB db, ColumnFamilyHandle family, Runnable beforeSnapshot) {
        this.directory = directory;
        this.beforeSnapshot = beforeSnapshot;
        this.options = options;
        this.db = db;
        this.family = family;
        this.ownsDatabase = options != null;
        this.syncWrites = new WriteOptions().setSync(true);
        this.bufferedWrites = new WriteOptions().setSync(false);
    }

    /**
     * The log in column family {@code family} of a database owned by the caller (see the class comment), which runs
     * {@code beforeSnapshot} before it writes a snapshot's record (whose deletion of the records below it must
     * follow every write of theirs).
     */
    static RocksDbDurableLog inSharedDatabase(
            Path directory, RocksDB db, ColumnFamilyHandle family, Runnable beforeSnapshot) {
        RocksDbDurableLog log = new RocksDbDurableLog(directory, null, db, family, beforeSnapshot);
        DurableState state = log.load();
        log.promised = state.promised();
        log.snapshotSlot = state.snapshotSlot();
        return log;
    }

    /**
     * Opens (creating if needed) the log in {@code directory}.
     *
     * @throws StoreException if the directory cannot be created or opened (e.g. locked by another process)
     */
    public static RocksDbDurableLog open(Path directory) {
        Options options = new Options().setCreateIfMissing(true);
        try {
            Files.createDirectories(directory);
            RocksDB db = RocksDB.open(options, directory.toString());
            RocksDbDurableLog log =
                    new RocksDbDurableLog(directory, options, db, db.getDefaultColumnFamily(), () -> {});
            DurableState state = log.load();
            log.promised = state.promised();
            log.snapshotSlot = state.snapshotSlot();
            return log;
        } catch (RocksDBException | IOException e) {
            options.close();
            throw new StoreException("cannot open the Paxos log in " + directory + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void persist(List<DurableRecord> records) {
        if (records.isEmpty()) {
            return;
        }
        if (records.stream().anyMatch(record -> record instanceof DurableRecord.SnapshotSaved)) {
            beforeSnapshot.run();
        }
        try (WriteBatch batch = new WriteBatch()) {
            Folded folded = fold(records, batch);
            db.write(folded.needsSync() || ownsDatabase ? syncWrites : bufferedWrites, batch);
            written(folded);
        } catch (RocksDBException e) {
            throw new StoreException("persisting " + records.size() + " Paxos records failed in " + directory, e);
        }
    }

    /**
     * Persists {@code records} with the chat store's next write instead of in a batch of their own: that write then
     * holds them first, ahead of the applied state they decide, and is synced when they must be (a promise or an
     * accepted value among them: {@link #deferredNeedsSync}; {@link RocksDbChatStore#write}), so the turn costs one
     * RocksDB write instead of two. A crash keeps both or neither. Until that write, or {@link #persistDeferred},
     * they are not written: the caller sends nothing that depends on records that must be synced before one of the
     * two (decisions only are never synced, so nothing waits for them). For a log in a shared database only; the
     * records must not hold a snapshot (its install replaces the applied state, which must not wait for it).
     */
    public void persistWithNextStoreWrite(List<DurableRecord> records) {
        check(!ownsDatabase, "only a shared log writes with the chat store");
        for (DurableRecord record : records) {
            check(!(record instanceof DurableRecord.SnapshotSaved), "a snapshot is persisted on its own");
        }
        deferred.addAll(records);
    }

    /** Whether records wait for the chat store's next write ({@link #persistWithNextStoreWrite}). */
    public boolean hasDeferred() {
        return !deferred.isEmpty();
    }

    /** Whether the records waiting for the chat store's next write hold more than decisions (they must be synced). */
    public boolean deferredNeedsSync() {
        for (DurableRecord record : deferred) {
            if (!record.isDecision()) {
                return true;
            }
        }
        return false;
    }

    /** Persists, in a batch of their own, the records still waiting for the chat store's next write (if any). */
    public void persistDeferred() {
        if (deferred.isEmpty()) {
            return;
        }
        List<DurableRecord> records = List.copyOf(deferred);
        deferred.clear();
        persist(records);
    }

    /**
     * Adds the deferred records to {@code batch}, the chat store's write (called by it, ahead of its own changes).
     *
     * @return whether the batch must be synced (the records added hold more than decisions); if it added any,
     *     {@link #deferredWritten} is to be called once the batch is written (the records are kept until then)
     */
    boolean addDeferredTo(WriteBatch batch) throws RocksDBException {
        pendingFold = deferred.isEmpty() ? null : fold(deferred, batch);
        return pendingFold != null && pendingFold.needsSync();
    }

    /**
     * The chat store's write that held the deferred records succeeded: they are written, and durable as that write is
     * (synced when {@link #addDeferredTo} said so). Does nothing when none were added.
     */
    void deferredWritten() {
        if (pendingFold != null) {
            written(pendingFold);
            pendingFold = null;
            deferred.clear();
        }
    }

    /** What a batch of records does to the in-memory mirror of the disk, applied once the batch is written. */
    private record Folded(Ballot promised, long snapshotSlot, boolean needsSync) {}

    private Folded fold(List<DurableRecord> records, WriteBatch batch) throws RocksDBException {
        Ballot newPromised = promised;
        long newSnapshotSlot = snapshotSlot;
        boolean decisionsOnly = true;
        for (DurableRecord record : records) {
            decisionsOnly &= record.isDecision();
            switch (record) {
                case DurableRecord.PromisedBallot p -> {
                    if (p.ballot().greaterThan(newPromised)) {
                        newPromised = p.ballot();
                        batch.put(family, PROMISED_KEY, PaxosCodec.encode(record));
                    }
                }
                case DurableRecord.AcceptedValue a -> {
                    if (a.entry().slot() > newSnapshotSlot) {
                        batch.put(family, slotKey(ACCEPTED, a.entry().slot()), PaxosCodec.encode(record));
                    }
                }
                case DurableRecord.DecidedValue d -> {
                    if (d.entry().slot() > newSnapshotSlot) {
                        batch.put(family, slotKey(DECIDED, d.entry().slot()), PaxosCodec.encode(record));
                    }
                }
                case DurableRecord.DecidedAccepted d -> {
                    if (d.slot() > newSnapshotSlot) {
                        batch.put(family, slotKey(DECIDED, d.slot()), PaxosCodec.encode(record));
                    }
                }
                case DurableRecord.SnapshotSaved s -> {
                    long slot = s.snapshot().lastIncludedSlot();
                    if (slot > newSnapshotSlot) {
                        newSnapshotSlot = slot;
                        batch.put(family, SNAPSHOT_KEY, PaxosCodec.encode(record));
                        batch.deleteRange(family, slotKey(ACCEPTED, 0), slotKey(ACCEPTED, slot + 1));
                        batch.deleteRange(family, slotKey(DECIDED, 0), slotKey(DECIDED, slot + 1));
                    }
                }
            }
        }
        return new Folded(newPromised, newSnapshotSlot, !decisionsOnly);
    }

    private void written(Folded folded) {
        promised = folded.promised();
        snapshotSlot = folded.snapshotSlot();
        batchesWritten++;
    }

    @Override
    public DurableState load() {
        try {
            byte[] promisedValue = db.get(family, PROMISED_KEY);
            Ballot loadedPromised = promisedValue == null
                    ? Ballot.ZERO
                    : ((DurableRecord.PromisedBallot) decode(promisedValue)).ballot();
            byte[] snapshotValue = db.get(family, SNAPSHOT_KEY);
            Optional<Snapshot> snapshot = snapshotValue == null
                    ? Optional.empty()
                    : Optional.of(((DurableRecord.SnapshotSaved) decode(snapshotValue)).snapshot());
            TreeMap<Long, AcceptedEntry> accepted = new TreeMap<>();
            TreeMap<Long, Batch> decided = new TreeMap<>();
            try (RocksIterator it = db.newIterator(family)) {
                for (it.seek(slotKey(ACCEPTED, 0)); it.isValid() && it.key()[0] == ACCEPTED; it.next()) {
                    AcceptedEntry entry = ((DurableRecord.AcceptedValue) decode(it.value())).entry();
                    check(entry.slot() == slotOf(it.key()), "accepted entry under the wrong key");
                    accepted.put(entry.slot(), entry);
                }
                for (it.seek(slotKey(DECIDED, 0)); it.isValid() && it.key()[0] == DECIDED; it.next()) {
                    switch (decode(it.value())) {
                        case DurableRecord.DecidedValue d -> {
                            check(d.entry().slot() == slotOf(it.key()), "decided entry under the wrong key");
                            decided.put(d.entry().slot(), d.entry().value());
                        }
                        case DurableRecord.DecidedAccepted d -> {
                            check(d.slot() == slotOf(it.key()), "decided marker under the wrong key");
                            decided.put(d.slot(), InMemoryDurableLog.resolve(accepted, d));
                        }
                        default -> check(false, "a record that is not a decision under a decided key");
                    }
                }
                it.status();
            }
            return new DurableState(loadedPromised, accepted, decided, snapshot);
        } catch (RocksDBException e) {
            throw new StoreException("reading the Paxos log failed in " + directory, e);
        }
    }

    /** How many batches of records were written, alone or with the chat store's write (statistics). */
    public long batchesWritten() {
        return batchesWritten;
    }

    private static DurableRecord decode(byte[] value) {
        return PaxosCodec.decodeRecord(value);
    }

    private static byte[] slotKey(byte tag, long slot) {
        return ByteBuffer.allocate(1 + Long.BYTES).put(tag).putLong(slot).array();
    }

    private static long slotOf(byte[] key) {
        check(key.length == 1 + Long.BYTES, "slot key of " + key.length + " bytes");
        return ByteBuffer.wrap(key, 1, Long.BYTES).getLong();
    }

    private static void check(boolean condition, String what) {
        if (!condition) {
            throw new IllegalStateException("invariant violated in the Paxos log: " + what);
        }
    }

    /** Releases RocksDB and its native handles (a shared database is closed by its owner); idempotent. */
    @Override
    public synchronized void close() {
        if (!ownsDatabase) {
            syncWrites.close();
            bufferedWrites.close();
            return;
        }
        if (!db.isOwningHandle()) {
            return;
        }
        try {
            db.closeE();
        } catch (RocksDBException e) {
            throw new StoreException("close failed in " + directory, e);
        } finally {
            syncWrites.close();
            bufferedWrites.close();
            options.close();
        }
    }
}
