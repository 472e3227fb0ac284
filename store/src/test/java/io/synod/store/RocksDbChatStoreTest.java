package io.synod.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.synod.consensus.AcceptedEntry;
import io.synod.consensus.Ballot;
import io.synod.consensus.Batch;
import io.synod.consensus.ConfigEntry;
import io.synod.consensus.DurableRecord;
import io.synod.consensus.DurableState;
import io.synod.consensus.LogCommand;
import io.synod.consensus.Membership;
import io.synod.consensus.Snapshot;
import io.synod.consensus.SnapshotMeta;
import io.synod.core.ChatCommand;
import io.synod.core.ChatConfig;
import io.synod.core.ChatStateMachine;
import io.synod.core.Command;
import io.synod.core.HistoryResult;
import io.synod.core.InMemoryChatStore;
import io.synod.core.StoreBatch;
import io.synod.core.StoreEntry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.TableProperties;

class RocksDbChatStoreTest {
    @TempDir
    Path dir;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The store's two chat column families, as a raw RocksDB opens them: the chat keys, and {@code meta}. */
    private static List<ColumnFamilyDescriptor> chatFamilies(ColumnFamilyOptions options) {
        return List.of(
                new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, options),
                new ColumnFamilyDescriptor(b("meta"), options));
    }

    /**
     * A database an earlier version wrote with RocksDB's default compression (Snappy) opens, reads and takes writes
     * now that the store writes LZ4: each table file records its own compression.
     */
    @Test
    void aDatabaseWrittenWithSnappyTableFilesOpensAndReads() throws Exception {
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try (DBOptions options = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true);
                ColumnFamilyOptions snappy =
                        new ColumnFamilyOptions().setCompressionType(CompressionType.SNAPPY_COMPRESSION);
                RocksDB db = RocksDB.open(options, dir.toString(), chatFamilies(snappy), handles);
                FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
            for (int i = 0; i < 1_000; i++) {
                db.put(handles.get(0), b("key-" + i), b("value " + i + " ".repeat(100)));
            }
            db.put(
                    handles.get(1),
                    b("applied_index"),
                    ByteBuffer.allocate(Long.BYTES).putLong(1_000).array());
            db.flush(flush, handles);
            assertThat(db.getProperty(handles.get(0), "rocksdb.num-files-at-level0"))
                    .isEqualTo("1");
        } finally {
            handles.forEach(ColumnFamilyHandle::close);
            handles.clear();
        }
        try (RocksDbChatStore store = RocksDbChatStore.open(dir)) {
            assertThat(store.appliedIndex()).isEqualTo(1_000);
            assertThat(store.get(b("key-7"))).isEqualTo(b("value 7" + " ".repeat(100)));
            assertThat(store.scan(b("key-"), null, 2_000)).hasSize(1_000);
            StoreBatch next = new StoreBatch(1_001);
            next.put(b("key-7"), b("seven"));
            store.write(next);
            store.memtableFlush().run();
            assertThat(store.get(b("key-7"))).isEqualTo(b("seven"));
        }
        try (RocksDbChatStore store = RocksDbChatStore.open(dir)) {
            assertThat(store.appliedIndex()).isEqualTo(1_001);
            assertThat(store.get(b("key-7"))).isEqualTo(b("seven"));
            assertThat(store.get(b("key-8"))).isEqualTo(b("value 8" + " ".repeat(100)));
        }
        try (DBOptions options = new DBOptions();
                ColumnFamilyOptions families = new ColumnFamilyOptions();
                RocksDB db = RocksDB.openReadOnly(options, dir.toString(), chatFamilies(families), handles)) {
            assertThat(db.getPropertiesOfAllTables(handles.get(0)).values())
                    .extracting(TableProperties::getCompressionName)
                    .as("the old table file, and the one the store flushed")
                    .containsExactlyInAnyOrder("Snappy", "LZ4");
        } finally {
            handles.forEach(ColumnFamilyHandle::close);
        }
    }

    @Test
    void writesAndTheAppliedIndexSurviveReopen() {
        try (RocksDbChatStore store = RocksDbChatStore.open(dir)) {
            assertThat(store.appliedIndex()).isZero();
            StoreBatch first = new StoreBatch(1);
            first.put(b("a"), b("1"));
            first.put(b("b"), b("2"));
            first.put(b("c"), b("3"));
            store.write(first);
            StoreBatch second = new StoreBatch(2);
            second.delete(b("b"));
            second.put(b("d"), b("4"));
            store.write(second);
        }
        try (RocksDbChatStore store = RocksDbChatStore.open(dir)) {
            assertThat(store.appliedIndex()).isEqualTo(2);
            assertThat(store.get(b("a"))).isEqualTo(b("1"));
            assertThat(store.get(b("b"))).isNull();
            assertThat(store.scan(null, null, 10))
                    .extracting(e -> new String(e.key(), StandardCharsets.UTF_8))
                    .containsExactly("a", "c", "d");
            assertThat(store.scan(b("b"), b("d"), 10)).hasSize(1);
            assertThat(store.scan(b("a"), null, 2)).hasSize(2);
            assertThatThrownBy(() -> store.write(new StoreBatch(2))).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void replaceAllSwapsTheWholeContent() {
        try (RocksDbChatStore store = RocksDbChatStore.open(dir)) {
            StoreBatch batch = new StoreBatch(5);
            batch.put(b("old"), b("x"));
            store.write(batch);
            store.replaceAll(List.of(new StoreEntry(b("new"), b("y"))), 42);
        }
        try (RocksDbChatStore store = RocksDbChatStore.open(dir)) {
            assertThat(store.appliedIndex()).isEqualTo(42);
            assertThat(store.scan(null, null, 10)).containsExactly(new StoreEntry(b("new"), b("y")));
        }
    }

    @Test
    void theChatStateComesBackAfterReopen() {
        String digest;
        try (RocksDbChatStore store = RocksDbChatStore.open(dir)) {
            ChatStateMachine machine = new ChatStateMachine(store, ChatConfig.DEFAULT);
            machine.apply(Command.of(1, 1.0, 1, new ChatCommand.Login("ana")));
            machine.apply(Command.of(2, 2.0, 2, new ChatCommand.CreateChannel("geral")));
            machine.apply(Command.of(3, 3.0, 3, new ChatCommand.Publish("ana", "geral", "oi")));
            digest = machine.stateDigestHex();
        }
        try (RocksDbChatStore store = RocksDbChatStore.open(dir)) {
            ChatStateMachine machine = new ChatStateMachine(store, ChatConfig.DEFAULT);
            assertThat(machine.appliedIndex()).isEqualTo(3);
            assertThat(machine.stateDigestHex()).isEqualTo(digest);
            assertThat(machine.users()).containsExactly("ana");
            assertThat(machine.channels()).containsExactly("geral");
            HistoryResult.Page page = (HistoryResult.Page) machine.channelHistory("geral", 0, 10);
            assertThat(page.messages()).hasSize(1);
            assertThat(machine.apply(Command.of(4, 4.0, 4, new ChatCommand.Publish("ana", "geral", "2")))
                            .publications()
                            .get(0)
                            .seq())
                    .isEqualTo(2);
        }
    }

    @Test
    void aSnapshotOfTheRocksDbStateInstallsIntoAnotherStore() {
        byte[] snapshot;
        String digest;
        try (RocksDbChatStore store = RocksDbChatStore.open(dir.resolve("a"))) {
            ChatStateMachine machine = new ChatStateMachine(store, new ChatConfig(100, 100, 2));
            machine.apply(Command.of(1, 1.0, 1, new ChatCommand.Login("ana")));
            machine.apply(Command.of(2, 2.0, 2, new ChatCommand.Login("bob")));
            machine.apply(Command.of(3, 3.0, 3, new ChatCommand.SendMessage("ana", "bob", "oi")));
            snapshot = machine.exportSnapshot();
            digest = machine.stateDigestHex();
        }
        try (RocksDbChatStore other = RocksDbChatStore.open(dir.resolve("b"))) {
            ChatStateMachine machine = new ChatStateMachine(other, ChatConfig.DEFAULT);
            machine.apply(Command.of(1, 1.0, 1, new ChatCommand.Login("stale")));
            machine.importSnapshot(snapshot);
            assertThat(machine.appliedIndex()).isEqualTo(3);
            assertThat(machine.stateDigestHex()).isEqualTo(digest);
            assertThat(machine.users()).containsExactly("ana", "bob");
            assertThat(((HistoryResult.Page) machine.privateHistory("bob", null, 0, 10)).messages())
                    .hasSize(1);
        }
        try (RocksDbChatStore reopened = RocksDbChatStore.open(dir.resolve("b"))) {
            assertThat(new ChatStateMachine(reopened, ChatConfig.DEFAULT).stateDigestHex())
                    .isEqualTo(digest);
        }
    }

    @Test
    void aSecondOpenOfTheSameDirectoryFailsClearly() {
        try (RocksDbChatStore store = RocksDbChatStore.open(dir)) {
            assertThatThrownBy(() -> RocksDbChatStore.open(dir))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("cannot open the store");
            assertThat(store.appliedIndex()).isZero();
        }
    }

    @Test
    void closeTwiceIsHarmless() {
        RocksDbChatStore store = RocksDbChatStore.open(dir);
        store.close();
        store.close();
    }

    @Test
    void theOutboxKeepsEntriesAcrossAReopenUntilDeletedAndIsNotPartOfTheChatState() {
        try (RocksDbChatStore store = RocksDbChatStore.open(dir)) {
            assertThat(store.readOutbox()).isEmpty();
            store.deleteOutboxThrough(10); // nothing yet: no column family, no error
            store.putOutbox(List.of(new RocksDbChatStore.OutboxEntry(3_073, b("c"))));
            store.putOutbox(List.of(
                    new RocksDbChatStore.OutboxEntry(1_025, b("a")), new RocksDbChatStore.OutboxEntry(2_049, b("b"))));
            store.putOutbox(List.of()); // nothing: no error
            store.sync();
        }
        try (RocksDbChatStore store = RocksDbChatStore.open(dir)) {
            assertThat(store.readOutbox())
                    .extracting(RocksDbChatStore.OutboxEntry::index)
                    .containsExactly(1_025L, 2_049L, 3_073L);
            assertThat(store.scan(null, null, 10)).as("not chat keys").isEmpty();
            store.deleteOutboxThrough(2_049);
            assertThat(store.readOutbox())
                    .extracting(RocksDbChatStore.OutboxEntry::index)
                    .containsExactly(3_073L);
            assertThat(store.readOutbox().get(0).value()).isEqualTo(b("c"));
        }
    }

    @Test
    void outboxEntriesHandedForTheNextWriteGoInThatWriteOnly() {
        try (RocksDbChatStore store = RocksDbChatStore.open(dir)) {
            store.putOutboxWithNextWrite(1_025, () -> b("a"));
            store.putOutboxWithNextWrite(1_026, () -> b("b"));
            assertThat(store.readOutbox()).as("held for the write").hasSize(2);
            StoreBatch batch = new StoreBatch(1_026);
            batch.put(b("k"), b("v"));
            store.write(batch);
            store.sync();
        }
        try (RocksDbChatStore store = RocksDbChatStore.open(dir)) {
            assertThat(store.appliedIndex()).isEqualTo(1_026);
            assertThat(store.get(b("k"))).isEqualTo(b("v"));
            assertThat(store.readOutbox())
                    .extracting(RocksDbChatStore.OutboxEntry::index)
                    .as("written with the chat write")
                    .containsExactly(1_025L, 1_026L);
            store.deleteOutboxThrough(1_026);
            store.write(new StoreBatch(1_027));
            assertThat(store.readOutbox()).as("handed once, written once").isEmpty();
        }
    }

    /**
     * A held outbox entry is encoded only when a write finds it still held: one deleted before the write (the
     * leader's note retires most of a follower's entries within 100 ms, before the 200 ms sync) never is.
     */
    @Test
    void anOutboxEntryDeletedBeforeTheWriteIsNeverEncoded() {
        AtomicInteger retiredEncodings = new AtomicInteger();
        AtomicInteger keptEncodings = new AtomicInteger();
        try (RocksDbChatStore store = RocksDbChatStore.open(dir)) {
            store.putOutbox(List.of(new RocksDbChatStore.OutboxEntry(1, b("written before")))); // the family exists
            store.putOutboxWithNextWrite(1_025, () -> {
                retiredEncodings.incrementAndGet();
                return b("retired");
            });
            store.putOutboxWithNextWrite(1_026, () -> {
                keptEncodings.incrementAndGet();
                return b("kept");
            });
            store.deleteOutboxThrough(1_025);
            store.write(new StoreBatch(1_026));
            store.sync();
            assertThat(keptEncodings)
                    .as("the entry still held, encoded for the write")
                    .hasValue(1);
        }
        assertThat(retiredEncodings).as("deleted before the write").hasValue(0);
        try (RocksDbChatStore store = RocksDbChatStore.open(dir)) {
            assertThat(store.readOutbox())
                    .extracting(e -> new String(e.value(), StandardCharsets.UTF_8))
                    .containsExactly("kept");
        }
    }

    /**
     * The Paxos records that decide an apply wait for the apply's store write, which writes them (synced) before it
     * holds the state they decide. Before that write (a crash there: the store closed without it) the log holds none
     * of them and the state is not applied; after it, the log holds the vote and the decision and the state the apply.
     */
    @Test
    void paxosRecordsDeferredToTheNextWriteAreWrittenWithItOnly() {
        AcceptedEntry vote = new AcceptedEntry(1, new Ballot(1, 1), Batch.of(new LogCommand.Client(1, 1, b("c"))));
        List<DurableRecord> records = List.of(
                new DurableRecord.PromisedBallot(new Ballot(1, 1)),
                new DurableRecord.AcceptedValue(vote),
                new DurableRecord.DecidedAccepted(1, new Ballot(1, 1)));
        try (RocksDbChatStore store = RocksDbChatStore.open(dir)) {
            RocksDbDurableLog log = store.paxosLog();
            log.persistWithNextStoreWrite(records);
            assertThat(log.hasDeferred()).isTrue();
            assertThat(log.load().accepted())
                    .as("not written before the store's write")
                    .isEmpty();
        } // a crash here: neither the records nor the apply
        try (RocksDbChatStore store = RocksDbChatStore.open(dir)) {
            assertThat(store.appliedIndex()).isZero();
            RocksDbDurableLog log = store.paxosLog();
            assertThat(log.load()).isEqualTo(DurableState.empty());
            log.persistWithNextStoreWrite(records);
            StoreBatch apply = new StoreBatch(1_025);
            apply.put(b("k"), b("v"));
            store.write(apply);
            assertThat(log.hasDeferred()).as("written once").isFalse();
            store.write(new StoreBatch(1_026));
        }
        try (RocksDbChatStore store = RocksDbChatStore.open(dir)) {
            assertThat(store.appliedIndex()).isEqualTo(1_026);
            assertThat(store.get(b("k"))).isEqualTo(b("v"));
            DurableState state = store.paxosLog().load();
            assertThat(state.promised()).isEqualTo(new Ballot(1, 1));
            assertThat(state.accepted()).containsEntry(1L, vote);
            assertThat(state.decided()).containsEntry(1L, vote.value());
        }
    }

    /**
     * Decisions only may wait for the apply's store write too, which then needs no sync for them (a decision is
     * never a promise to anyone): the log says so, and the decisions are held with the applied state they decide and
     * written with it. Votes among them make it a write to sync.
     */
    @Test
    void deferredDecisionsOnlyNeedNoSyncAndAreWrittenWithTheStoreWrite() {
        AcceptedEntry vote = new AcceptedEntry(1, new Ballot(1, 1), Batch.of(new LogCommand.Client(1, 1, b("c"))));
        try (RocksDbChatStore store = RocksDbChatStore.open(dir)) {
            RocksDbDurableLog log = store.paxosLog();
            log.persist(List.of(new DurableRecord.AcceptedValue(vote)));
            log.persistWithNextStoreWrite(List.of(new DurableRecord.DecidedAccepted(1, new Ballot(1, 1))));
            assertThat(log.deferredNeedsSync()).as("decisions only").isFalse();
            assertThat(log.load().decided())
                    .as("not written before the store's write")
                    .isEmpty();
            StoreBatch apply = new StoreBatch(1_025);
            apply.put(b("k"), b("v"));
            store.write(apply);
            assertThat(log.hasDeferred()).as("held with it").isFalse();
            assertThat(log.load().decided()).as("written with it, at the sync").isEmpty();
            store.sync();
            assertThat(log.load().decided()).containsEntry(1L, vote.value());
            log.persistWithNextStoreWrite(List.of(
                    new DurableRecord.DecidedAccepted(1, new Ballot(1, 1)),
                    new DurableRecord.PromisedBallot(new Ballot(2, 1))));
            assertThat(log.deferredNeedsSync()).as("a promise among them").isTrue();
            log.persistDeferred();
        }
        try (RocksDbChatStore store = RocksDbChatStore.open(dir)) {
            assertThat(store.appliedIndex()).isEqualTo(1_025);
            DurableState state = store.paxosLog().load();
            assertThat(state.decided()).containsEntry(1L, vote.value());
            assertThat(state.promised()).isEqualTo(new Ballot(2, 1));
        }
    }

    /** Records with no store write to carry them are written alone; a snapshot is never deferred. */
    @Test
    void deferredPaxosRecordsCanBeWrittenAloneAndASnapshotIsNotDeferred() {
        try (RocksDbChatStore store = RocksDbChatStore.open(dir)) {
            RocksDbDurableLog log = store.paxosLog();
            log.persistWithNextStoreWrite(List.of(new DurableRecord.PromisedBallot(new Ballot(3, 1))));
            log.persistDeferred();
            assertThat(log.hasDeferred()).isFalse();
            Snapshot snapshot = new Snapshot(
                    new SnapshotMeta(5, List.of(new ConfigEntry(6, Membership.ofVoters(List.of(1))))), new byte[] {1});
            assertThatThrownBy(() -> log.persistWithNextStoreWrite(List.of(new DurableRecord.SnapshotSaved(snapshot))))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("snapshot");
        }
        try (RocksDbChatStore store = RocksDbChatStore.open(dir)) {
            assertThat(store.paxosLog().load().promised()).isEqualTo(new Ballot(3, 1));
            assertThat(store.appliedIndex()).isZero();
        }
    }

    /**
     * The read cache never shows a stale value: seeded random reads, writes, deletes and whole-state replacements
     * against the same operations on an {@link InMemoryChatStore}, with a small key space so that most reads hit
     * keys the cache holds and most writes change them.
     */
    @Test
    void readsThroughTheCacheAlwaysMatchTheInMemoryStore() {
        long seed = Long.getLong("store.seed", System.nanoTime());
        SplittableRandom random = new SplittableRandom(seed);
        InMemoryChatStore expected = new InMemoryChatStore();
        long index = 0;
        try (RocksDbChatStore store = RocksDbChatStore.open(dir)) {
            for (int step = 0; step < 3_000; step++) {
                int op = random.nextInt(100);
                if (op < 60) {
                    byte[] key = b("k" + random.nextInt(40));
                    assertThat(store.get(key))
                            .as("seed %d step %d key %s", seed, step, new String(key, StandardCharsets.UTF_8))
                            .isEqualTo(expected.get(key));
                } else if (op < 98) {
                    StoreBatch batch = new StoreBatch(++index);
                    for (int k = random.nextInt(1, 5); k > 0; k--) {
                        byte[] key = b("k" + random.nextInt(40));
                        if (random.nextInt(4) == 0) {
                            batch.delete(key);
                        } else {
                            batch.put(key, b("v" + random.nextInt(1_000)));
                        }
                    }
                    store.write(batch);
                    expected.write(batch);
                } else {
                    List<StoreEntry> entries = new ArrayList<>();
                    for (int k = 0; k < 40; k += random.nextInt(1, 6)) {
                        entries.add(new StoreEntry(b("k" + k), b("r" + random.nextInt(1_000))));
                    }
                    entries.sort((x, y) -> Arrays.compareUnsigned(x.key(), y.key()));
                    index++;
                    store.replaceAll(entries, index);
                    expected.replaceAll(entries, index);
                }
            }
            assertThat(store.scan(null, null, 100)).as("seed %d", seed).isEqualTo(expected.scan(null, null, 100));
            assertThat(store.readCacheStats().hits())
                    .as("seed %d: the reads were served by the cache", seed)
                    .isPositive();
        }
    }

    @Test
    void aReadAfterACheckpointInstallSeesTheInstalledState() {
        Path checkpoint = dir.resolve("checkpoint");
        try (RocksDbChatStore source = RocksDbChatStore.open(dir.resolve("source"))) {
            StoreBatch batch = new StoreBatch(7);
            batch.put(b("channel"), b("installed"));
            batch.put(b("user"), b("new"));
            source.write(batch);
            source.createCheckpoint(checkpoint);
        }
        try (RocksDbChatStore store = RocksDbChatStore.open(dir.resolve("target"))) {
            StoreBatch batch = new StoreBatch(3);
            batch.put(b("channel"), b("local"));
            batch.put(b("gone"), b("soon"));
            store.write(batch);
            assertThat(store.get(b("channel"))).isEqualTo(b("local"));
            assertThat(store.get(b("gone"))).isEqualTo(b("soon"));
            assertThat(store.get(b("user"))).isNull();

            assertThat(store.replaceFromCheckpoint(checkpoint)).isEqualTo(7);

            assertThat(store.get(b("channel"))).isEqualTo(b("installed"));
            assertThat(store.get(b("gone"))).isNull();
            assertThat(store.get(b("user"))).isEqualTo(b("new"));
        }
    }
}
