package io.synod.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.synod.consensus.Ballot;
import io.synod.consensus.DurableRecord;
import io.synod.core.StoreBatch;
import io.synod.core.StoreEntry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointsTest {
    private static final byte[] DIGEST = new byte[32];

    @TempDir
    Path dir;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Writes {@code commands} batches of random keys (seeded), some deleting earlier keys. */
    private static void fill(RocksDbChatStore store, long firstIndex, int commands, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < commands; i++) {
            StoreBatch batch = new StoreBatch(firstIndex + i);
            for (int k = 0; k < 20; k++) {
                byte[] key = b("k" + random.nextInt(5_000));
                if (random.nextInt(10) == 0) {
                    batch.delete(key);
                } else {
                    byte[] value = new byte[random.nextInt(300)];
                    random.nextBytes(value);
                    batch.put(key, value);
                }
            }
            store.write(batch);
        }
    }

    private static List<StoreEntry> all(RocksDbChatStore store) {
        return store.scan(null, null, 1_000_000);
    }

    /** Copies a checkpoint the way the replication driver does: chunk by chunk through {@link Checkpoints#read}. */
    private static void transfer(Checkpoints from, Checkpoints to, CheckpointManifest manifest, int chunkBytes) {
        Checkpoints.Receiving receiving = to.receive(CheckpointManifest.decode(manifest.encode()));
        for (CheckpointManifest.FileEntry file : manifest.files()) {
            long offset = 0;
            while (offset < file.sizeBytes()) {
                byte[] chunk = from.read(manifest.name(), file.name(), offset, chunkBytes)
                        .orElseThrow()
                        .bytes();
                receiving.write(file.name(), offset, chunk);
                offset += chunk.length;
            }
        }
        receiving.complete();
    }

    @Test
    void aCheckpointMovedChunkByChunkInstallsTheSameStateAndKeepsTheReceiversPaxosLog() {
        try (RocksDbChatStore source = RocksDbChatStore.open(dir.resolve("a/state"));
                RocksDbChatStore target = RocksDbChatStore.open(dir.resolve("b/state"))) {
            source.paxosLog().persist(List.of(new DurableRecord.PromisedBallot(new Ballot(9, 1))));
            fill(source, 1, 400, 42);
            target.paxosLog().persist(List.of(new DurableRecord.PromisedBallot(new Ballot(3, 2))));
            fill(target, 1, 50, 7); // a stale state with keys the source does not have
            Checkpoints a = Checkpoints.open(dir.resolve("a/snapshots"), source);
            Checkpoints b = Checkpoints.open(dir.resolve("b/snapshots"), target);

            CheckpointManifest manifest = a.create(DIGEST);
            assertThat(manifest.name()).isEqualTo("cp-400");
            assertThat(manifest.appliedIndex()).isEqualTo(400);
            assertThat(manifest.totalBytes()).isPositive();
            assertThat(a.isComplete(manifest)).isTrue();
            assertThat(b.isComplete(manifest)).isFalse();
            fill(source, 401, 10, 43); // later writes do not change the checkpoint
            List<StoreEntry> atCheckpoint;
            try (RocksDbChatStore copy = RocksDbChatStore.open(dir.resolve("copy"))) {
                copy.replaceFromCheckpoint(a.directory().resolve(manifest.name()));
                atCheckpoint = all(copy);
            }

            transfer(a, b, manifest, 1_000); // small chunks: many per file
            assertThat(b.isComplete(manifest)).isTrue();
            assertThat(b.install(manifest)).isEqualTo(400);

            assertThat(target.appliedIndex()).isEqualTo(400);
            assertThat(all(target))
                    .usingRecursiveFieldByFieldElementComparator()
                    .isEqualTo(atCheckpoint);
            assertThat(target.paxosLog().load().promised()).isEqualTo(new Ballot(3, 2));
            assertThat(b.isComplete(manifest))
                    .as("installing leaves the checkpoint servable")
                    .isTrue();
        }
        try (RocksDbChatStore reopened = RocksDbChatStore.open(dir.resolve("b/state"))) {
            assertThat(reopened.appliedIndex()).isEqualTo(400);
        }
    }

    @Test
    void anInstallCutShortLeavesAppliedIndexZeroUntilInstalledAgain() throws Exception {
        Path checkpoint;
        try (RocksDbChatStore source = RocksDbChatStore.open(dir.resolve("a/state"))) {
            fill(source, 1, 30, 1);
            checkpoint = dir.resolve("a/snapshots")
                    .resolve(Checkpoints.open(dir.resolve("a/snapshots"), source)
                            .create(DIGEST)
                            .name());
        }
        try (RocksDbChatStore target = RocksDbChatStore.open(dir.resolve("b/state"))) {
            fill(target, 1, 5, 2);
            target.markInstalling(30); // the crash comes right after the marker
            assertThat(target.appliedIndex()).isZero();
        }
        try (RocksDbChatStore target = RocksDbChatStore.open(dir.resolve("b/state"))) {
            assertThat(target.appliedIndex())
                    .as("a partial state is not trusted")
                    .isZero();
            assertThat(target.replaceFromCheckpoint(checkpoint)).isEqualTo(30);
        }
        try (RocksDbChatStore target = RocksDbChatStore.open(dir.resolve("b/state"))) {
            assertThat(target.appliedIndex()).isEqualTo(30);
        }
    }

    @Test
    void hostileNamesAndChunksAreRefused() {
        try (RocksDbChatStore store = RocksDbChatStore.open(dir.resolve("a/state"))) {
            fill(store, 1, 3, 3);
            Checkpoints checkpoints = Checkpoints.open(dir.resolve("a/snapshots"), store);
            CheckpointManifest manifest = checkpoints.create(DIGEST);
            Files.writeString(dir.resolve("a/secret"), "not yours");

            assertThat(checkpoints.read("..", "secret", 0, 10)).isEmpty();
            assertThat(checkpoints.read(manifest.name(), "../../secret", 0, 10)).isEmpty();
            assertThat(checkpoints.read(manifest.name(), "CURRENT", -1, 10)).isEmpty();
            assertThat(checkpoints.read("cp-999", "CURRENT", 0, 10)).isEmpty();
            assertThat(checkpoints.read(manifest.name(), "CURRENT", 0, 10)).isPresent();
            assertThat(checkpoints.read(manifest.name(), "CURRENT", 1 << 20, 10))
                    .isEmpty();

            byte[] evil = new CheckpointManifest("cp-1", 1, DIGEST, List.of()).encode();
            String encoded = new String(evil, StandardCharsets.ISO_8859_1).replace("cp-1", "../x");
            assertThatThrownBy(() -> CheckpointManifest.decode(encoded.getBytes(StandardCharsets.ISO_8859_1)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("unsafe");
            assertThatThrownBy(() -> CheckpointManifest.decode(b("SYNODCP1")))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> CheckpointManifest.decode(b("garbage")))
                    .isInstanceOf(IllegalArgumentException.class);

            Checkpoints other = Checkpoints.open(dir.resolve("b/snapshots"), store);
            Checkpoints.Receiving receiving = other.receive(manifest);
            assertThatThrownBy(() -> receiving.write("not-listed", 0, new byte[1]))
                    .isInstanceOf(IllegalArgumentException.class);
            CheckpointManifest.FileEntry current = manifest.file("CURRENT");
            assertThatThrownBy(() -> receiving.write("CURRENT", 0, new byte[(int) current.sizeBytes() + 1]))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> receiving.write("CURRENT", 5, new byte[1]))
                    .as("chunks come in order")
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(receiving::complete).as("files are missing").isInstanceOf(IllegalStateException.class);
            receiving.abandon();
            assertThatThrownBy(() -> other.install(manifest)).isInstanceOf(StoreException.class);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void theManifestRoundTripsAndOldCheckpointsAndLeftoversAreDeleted() {
        try (RocksDbChatStore store = RocksDbChatStore.open(dir.resolve("a/state"))) {
            Checkpoints checkpoints = Checkpoints.open(dir.resolve("a/snapshots"), store);
            fill(store, 1, 5, 4);
            CheckpointManifest first = checkpoints.create(new byte[] {1, 2, 3});
            assertThat(checkpoints.create(new byte[] {1, 2, 3}))
                    .as("the same index again: the checkpoint there is kept, not replaced under a peer fetching it")
                    .isEqualTo(first);
            fill(store, 6, 5, 5);
            CheckpointManifest second = checkpoints.create(DIGEST);
            assertThat(CheckpointManifest.decode(first.encode())).isEqualTo(first);
            assertThat(CheckpointManifest.isManifest(first.encode())).isTrue();
            assertThat(checkpoints.names()).containsExactly("cp-5", "cp-10");

            checkpoints.retainOnly(Set.of(second.name()));
            assertThat(checkpoints.names()).containsExactly("cp-10");
            assertThat(checkpoints.isComplete(first)).isFalse();

            Checkpoints.Receiving partial = checkpoints.receive(first);
            Optional<Checkpoints.Chunk> chunk = checkpoints.read(second.name(), "CURRENT", 0, 100);
            assertThat(chunk).isPresent();
            assertThat(Files.isDirectory(checkpoints.directory().resolve("incoming/cp-5")))
                    .isTrue();
            Checkpoints reopened = Checkpoints.open(checkpoints.directory(), store);
            assertThat(Files.exists(reopened.directory().resolve("incoming"))).isFalse();
            assertThat(reopened.names()).containsExactly("cp-10");
            assertThat(partial.receivedBytes()).isZero();
        }
    }

    /** Found by CheckpointsFuzzTest (seed regression-file-sizes-overflow): sizes whose sum overflows a long. */
    @Test
    void aManifestWhoseFileSizesOverflowIsRefused() {
        List<CheckpointManifest.FileEntry> files = List.of(
                new CheckpointManifest.FileEntry("000008.sst", Long.MAX_VALUE - 10),
                new CheckpointManifest.FileEntry("CURRENT", 16));
        assertThatThrownBy(() -> new CheckpointManifest("cp-20", 20, DIGEST, files))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("add up beyond a long");
        CheckpointManifest largest = new CheckpointManifest(
                "cp-20", 20, DIGEST, List.of(files.get(0), new CheckpointManifest.FileEntry("CURRENT", 10)));
        assertThat(largest.totalBytes()).isEqualTo(Long.MAX_VALUE);
    }

    /** A receiver builds the checkpoint's files in name order, once each: any other list could never complete. */
    @Test
    void aManifestWithFilesOutOfOrderOrRepeatedIsRefused() {
        CheckpointManifest.FileEntry a = new CheckpointManifest.FileEntry("000008.sst", 5);
        CheckpointManifest.FileEntry b = new CheckpointManifest.FileEntry("CURRENT", 16);
        assertThatThrownBy(() -> new CheckpointManifest("cp-20", 20, DIGEST, List.of(b, a)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("name order");
        assertThatThrownBy(() -> new CheckpointManifest("cp-20", 20, DIGEST, List.of(a, a)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("name order");
    }

    @Test
    void aChunkAtAnOffsetThatWouldOverflowIsRefused() {
        try (RocksDbChatStore store = RocksDbChatStore.open(dir.resolve("a/state"))) {
            Checkpoints checkpoints = Checkpoints.open(dir.resolve("a/snapshots"), store);
            CheckpointManifest manifest =
                    new CheckpointManifest("cp-1", 1, DIGEST, List.of(new CheckpointManifest.FileEntry("CURRENT", 16)));
            Checkpoints.Receiving receiving = checkpoints.receive(manifest);
            assertThatThrownBy(() -> receiving.write("CURRENT", Long.MAX_VALUE - 2, new byte[8]))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("past the end");
            receiving.write("CURRENT", 0, new byte[16]);
            assertThat(receiving.receivedBytes()).isEqualTo(16);
        }
    }
}
