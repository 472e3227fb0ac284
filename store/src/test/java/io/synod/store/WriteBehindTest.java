package io.synod.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.consensus.AcceptedEntry;
import io.synod.consensus.Ballot;
import io.synod.consensus.Batch;
import io.synod.consensus.ConfigEntry;
import io.synod.consensus.DurableRecord;
import io.synod.consensus.LogCommand;
import io.synod.consensus.Membership;
import io.synod.consensus.Snapshot;
import io.synod.consensus.SnapshotMeta;
import io.synod.core.InMemoryChatStore;
import io.synod.core.StoreBatch;
import io.synod.core.StoreEntry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

/** The chat store's writes held between syncs ({@link WriteBehind}) once the store has a Paxos log. */
class WriteBehindTest {
    @TempDir
    Path dir;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static StoreBatch batch(long index, String key, String value) {
        StoreBatch batch = new StoreBatch(index);
        batch.put(b(key), b(value));
        return batch;
    }

    /** What RocksDB itself holds under {@code key} in the chat keys' column family (a read-only open beside the store). */
    private byte[] onDisk(byte[] key) throws RocksDBException {
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try (DBOptions options = new DBOptions();
                ColumnFamilyOptions family = new ColumnFamilyOptions();
                RocksDB db = RocksDB.openReadOnly(
                        options,
                        dir.toString(),
                        List.of(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, family)),
                        handles)) {
            try {
                return db.get(handles.get(0), key);
            } finally {
                handles.forEach(ColumnFamilyHandle::close);
            }
        }
    }

    @Test
    void aReplicatedStoresWriteReachesRocksDbAtTheSyncAndIsReadMeanwhile() throws Exception {
        try (RocksDbChatStore store = RocksDbChatStore.open(dir)) {
            store.paxosLog();
            store.write(batch(1, "k", "v"));
            assertThat(store.get(b("k"))).isEqualTo(b("v"));
            assertThat(store.scan(null, null, 10))
                    .extracting(e -> new String(e.key(), StandardCharsets.UTF_8))
                    .containsExactly("k");
            assertThat(store.appliedIndex()).isEqualTo(1);
            assertThat(onDisk(b("k"))).as("held until the sync").isNull();
            store.sync();
            assertThat(onDisk(b("k"))).isEqualTo(b("v"));
        }
        try (RocksDbChatStore store = RocksDbChatStore.open(dir)) {
            assertThat(store.appliedIndex()).isEqualTo(1);
            assertThat(store.get(b("k"))).isEqualTo(b("v"));
        }
    }

    @Test
    void aStoreWithoutAPaxosLogWritesAtOnce() throws Exception {
        try (RocksDbChatStore store = RocksDbChatStore.open(dir)) {
            store.write(batch(1, "k", "v"));
            assertThat(onDisk(b("k")))
                    .as("nothing to replay it from: written now")
                    .isEqualTo(b("v"));
        }
    }

    @Test
    void tooManyHeldKeysAreWrittenWithoutASync() throws Exception {
        try (RocksDbChatStore store = RocksDbChatStore.open(dir)) {
            store.paxosLog();
            for (int i = 0; i < WriteBehind.KEYS_MAX - 1; i++) {
                store.write(batch(i + 1, "key-" + i, "v"));
            }
            assertThat(onDisk(b("key-0"))).isNull();
            store.write(batch(WriteBehind.KEYS_MAX, "key-last", "v"));
            assertThat(onDisk(b("key-0"))).isEqualTo(b("v"));
            assertThat(onDisk(b("key-last"))).isEqualTo(b("v"));
        }
    }

    /**
     * Held decisions go to RocksDB before a snapshot's record deletes the records at and below its slot: written
     * after it, they would come back below the snapshot.
     */
    @Test
    void heldDecisionsAreWrittenBeforeASnapshotDeletesTheRecordsBelowIt() {
        AcceptedEntry vote = new AcceptedEntry(1, new Ballot(1, 1), Batch.of(new LogCommand.Client(1, 1, b("c"))));
        try (RocksDbChatStore store = RocksDbChatStore.open(dir)) {
            RocksDbDurableLog log = store.paxosLog();
            log.persist(List.of(new DurableRecord.AcceptedValue(vote)));
            log.persistWithNextStoreWrite(List.of(new DurableRecord.DecidedAccepted(1, new Ballot(1, 1))));
            store.write(batch(1_025, "k", "v"));
            assertThat(log.hasDeferred()).as("held by the store").isFalse();
            assertThat(log.load().decided()).as("not written before the sync").isEmpty();
            Snapshot snapshot = new Snapshot(
                    new SnapshotMeta(1, List.of(new ConfigEntry(1, Membership.ofVoters(List.of(1))))), new byte[] {1});
            log.persist(List.of(new DurableRecord.SnapshotSaved(snapshot)));
            store.sync();
            assertThat(log.load().decided())
                    .as("deleted with the slots below the snapshot")
                    .isEmpty();
            assertThat(log.load().accepted()).isEmpty();
            assertThat(log.load().snapshot()).isPresent();
        }
    }

    /**
     * Seeded random writes, deletes, reads, scans (any range, any limit), syncs, whole-state replacements and
     * reopens against the same operations on an {@link InMemoryChatStore}: what is held and what RocksDB holds read
     * as one state. Keys share prefixes so that ranges cut through held and written keys alike.
     */
    @Test
    void heldAndWrittenKeysReadAsTheInMemoryStore() {
        long seed = Long.getLong("store.seed", System.nanoTime());
        SplittableRandom random = new SplittableRandom(seed);
        InMemoryChatStore expected = new InMemoryChatStore();
        long index = 0;
        RocksDbChatStore store = RocksDbChatStore.open(dir);
        try {
            store.paxosLog();
            for (int step = 0; step < 4_000; step++) {
                int op = random.nextInt(100);
                String where = "seed " + seed + " step " + step;
                if (op < 25) {
                    byte[] key = randomKey(random);
                    assertThat(store.get(key)).as(where).isEqualTo(expected.get(key));
                } else if (op < 50) {
                    byte[] from = random.nextInt(5) == 0 ? null : randomKey(random);
                    byte[] to = random.nextInt(5) == 0 ? null : randomKey(random);
                    if (from != null && to != null && Arrays.compareUnsigned(from, to) > 0) {
                        byte[] swap = from; // callers scan forward ranges (the in-memory store refuses others)
                        from = to;
                        to = swap;
                    }
                    int limit = random.nextInt(1, 30);
                    assertThat(store.scan(from, to, limit))
                            .as(where)
                            .usingElementComparator(WriteBehindTest::compareEntries)
                            .containsExactlyElementsOf(expected.scan(from, to, limit));
                } else if (op < 92) {
                    StoreBatch batch = new StoreBatch(++index);
                    for (int k = random.nextInt(1, 6); k > 0; k--) {
                        byte[] key = randomKey(random);
                        if (random.nextInt(3) == 0) {
                            batch.delete(key);
                        } else {
                            batch.put(key, b("v" + random.nextInt(1_000)));
                        }
                    }
                    store.write(batch);
                    expected.write(batch);
                } else if (op < 96) {
                    store.sync();
                } else if (op < 98) {
                    store.close();
                    store = RocksDbChatStore.open(dir);
                    store.paxosLog();
                    assertThat(store.appliedIndex()).as(where).isEqualTo(index);
                } else {
                    List<StoreEntry> entries = new ArrayList<>();
                    for (int k = 0; k < 30; k += random.nextInt(1, 6)) {
                        entries.add(new StoreEntry(b("p" + (k % 3) + "/" + k), b("r" + random.nextInt(1_000))));
                    }
                    entries.sort((x, y) -> Arrays.compareUnsigned(x.key(), y.key()));
                    index++;
                    store.replaceAll(entries, index);
                    expected.replaceAll(entries, index);
                }
            }
            assertThat(store.scan(null, null, 1_000))
                    .as("seed %d", seed)
                    .usingElementComparator(WriteBehindTest::compareEntries)
                    .containsExactlyElementsOf(expected.scan(null, null, 1_000));
        } finally {
            store.close();
        }
    }

    private static byte[] randomKey(SplittableRandom random) {
        return b("p" + random.nextInt(3) + "/" + random.nextInt(30));
    }

    private static int compareEntries(StoreEntry x, StoreEntry y) {
        int keys = Arrays.compare(x.key(), y.key());
        return keys != 0 ? keys : Arrays.compare(x.value(), y.value());
    }

    /**
     * A reader on another thread (the search index's rebuild scans the store) never misses a key while the owner
     * writes and syncs: the held keys leave memory only after RocksDB took them.
     */
    @Test
    void aReaderOnAnotherThreadNeverMissesAKeyWhileHeldKeysAreWritten() throws Exception {
        int keys = 50;
        try (RocksDbChatStore store = RocksDbChatStore.open(dir)) {
            store.paxosLog();
            StoreBatch first = new StoreBatch(1);
            for (int k = 0; k < keys; k++) {
                first.put(b("a" + k), b("0"));
            }
            store.write(first);
            AtomicBoolean writing = new AtomicBoolean(true);
            CompletableFuture<Integer> reader = CompletableFuture.supplyAsync(() -> {
                int scans = 0;
                while (writing.get() || scans == 0) {
                    List<StoreEntry> seen = store.scan(b("a"), b("b"), 1_000);
                    assertThat(seen).as("scan %d", scans).hasSize(keys);
                    assertThat(store.get(b("a" + scans % keys))).isNotNull();
                    scans++;
                }
                return scans;
            });
            try {
                for (int i = 2; i < 3_000; i++) {
                    store.write(batch(i, "a" + i % keys, Integer.toString(i)));
                    if (i % 7 == 0) {
                        store.sync();
                    }
                }
            } finally {
                writing.set(false);
            }
            assertThat(reader.get(60, TimeUnit.SECONDS)).isPositive();
        }
    }

    @Test
    void aScanStopsAtTheLastKeyRocksDbReturnedWhenItMayHoldMore() {
        List<StoreEntry> stored = List.of(new StoreEntry(b("b"), b("1")), new StoreEntry(b("d"), b("2")));
        List<StoreEntry> held = List.of(new StoreEntry(b("a"), b("h")), new StoreEntry(b("e"), b("h")));
        assertThat(WriteBehind.merge(stored, false, held, 10))
                .extracting(e -> new String(e.key(), StandardCharsets.UTF_8))
                .as("RocksDB may hold a key between d and e")
                .containsExactly("a", "b", "d");
        assertThat(WriteBehind.merge(stored, true, held, 10))
                .extracting(e -> new String(e.key(), StandardCharsets.UTF_8))
                .containsExactly("a", "b", "d", "e");
        assertThat(WriteBehind.merge(stored, true, held, 2))
                .extracting(e -> new String(e.key(), StandardCharsets.UTF_8))
                .containsExactly("a", "b");
    }
}
