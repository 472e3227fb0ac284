package io.synod.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.synod.core.StoreBatch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Coverage-guided fuzzing of what a peer can make a server's checkpoints do: decode a manifest ({@link
 * CheckpointManifest#decode}, from a catch-up reply), serve a chunk ({@link Checkpoints#read}, from a {@code
 * snapshot_get}) and write a received chunk ({@link Checkpoints.Receiving#write}, from a {@code snapshot_chunk}), on
 * a real store and checkpoint in a temporary directory. The input's last byte chooses which. Seeds ({@code
 * CheckpointsFuzzTestInputs/fuzz}): a manifest, a chunk request and chunks. How CI and {@code scripts/fuzz.sh} run
 * it: ARCHITECTURE.md, test kit.
 */
class CheckpointsFuzzTest {
    private static Fixture fixture;

    /** A store with some state, its checkpoint, and an empty directory to receive it into. */
    private record Fixture(Path root, Checkpoints source, CheckpointManifest manifest, Checkpoints target) {}

    /**
     * A manifest decodes to one that encodes back to itself, with safe names only, or is refused with {@link
     * IllegalArgumentException}; a chunk served is within its file and the asked size, and nothing outside a
     * checkpoint is ever read; a received chunk is written only where and as far as the manifest allows, or refused
     * with {@link IllegalArgumentException}.
     */
    @FuzzTest(maxDuration = "10s", maxExecutions = 10_000)
    void fuzz(FuzzedDataProvider data) throws IOException {
        Fixture f = fixture();
        switch (data.consumeInt(0, 2)) {
            case 0 -> manifest(data.consumeRemainingAsBytes());
            case 1 -> read(f, data);
            default -> receive(f, data);
        }
    }

    private static void manifest(byte[] bytes) {
        CheckpointManifest manifest;
        try {
            manifest = CheckpointManifest.decode(bytes);
        } catch (IllegalArgumentException refused) {
            assertThat(refused.getMessage()).contains("checkpoint manifest");
            return;
        }
        assertThat(CheckpointManifest.isSafeName(manifest.name())).isTrue();
        assertThat(manifest.files()).allMatch(file -> CheckpointManifest.isSafeName(file.name()));
        assertThat(CheckpointManifest.decode(manifest.encode())).isEqualTo(manifest);
        assertThat(manifest.totalBytes()).isNotNegative();
    }

    private static void read(Fixture f, FuzzedDataProvider data) {
        boolean real = data.consumeBoolean();
        CheckpointManifest.FileEntry known = data.pickValue(f.manifest().files());
        String name = real ? f.manifest().name() : data.consumeString(24);
        String file = real && data.consumeBoolean() ? known.name() : data.consumeString(24);
        long offset = data.consumeBoolean() ? data.consumeLong(-1, known.sizeBytes() + 1) : data.consumeLong();
        int max = data.consumeInt();
        Optional<Checkpoints.Chunk> chunk = f.source().read(name, file, offset, max);
        if (chunk.isEmpty()) {
            return;
        }
        assertThat(name).isEqualTo(f.manifest().name());
        CheckpointManifest.FileEntry entry = f.manifest().file(file);
        assertThat(entry).as("served %s of %s", file, name).isNotNull();
        assertThat(chunk.get().fileSize()).isEqualTo(entry.sizeBytes());
        assertThat((long) chunk.get().bytes().length).isLessThanOrEqualTo(Math.min(max, entry.sizeBytes() - offset));
    }

    private static void receive(Fixture f, FuzzedDataProvider data) throws IOException {
        Checkpoints.Receiving receiving = f.target().receive(f.manifest());
        try {
            for (int chunks = data.consumeInt(1, 4); chunks > 0; chunks--) {
                CheckpointManifest.FileEntry known = data.pickValue(f.manifest().files());
                String file = data.consumeBoolean() ? known.name() : data.consumeString(24);
                long offset = data.consumeBoolean() ? data.consumeLong(-1, known.sizeBytes() + 1) : data.consumeLong();
                byte[] bytes = data.consumeBytes(data.consumeInt(0, 2_048));
                try {
                    receiving.write(file, offset, bytes);
                } catch (IllegalArgumentException refused) {
                    assertThat(refused.getMessage()).isNotBlank();
                }
            }
            Path incoming = f.target()
                    .directory()
                    .resolve("incoming")
                    .resolve(f.manifest().name());
            long onDisk = 0;
            for (Path path : list(incoming)) {
                CheckpointManifest.FileEntry entry =
                        f.manifest().file(path.getFileName().toString());
                assertThat(entry).as("wrote %s", path).isNotNull();
                assertThat(Files.size(path)).isLessThanOrEqualTo(entry.sizeBytes());
                onDisk += Files.size(path);
            }
            assertThat(receiving.receivedBytes()).isEqualTo(onDisk);
            assertThat(list(f.target().directory()))
                    .allMatch(path -> path.getFileName().toString().equals("incoming"));
        } finally {
            receiving.abandon();
        }
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> listing = Files.list(dir)) {
            return listing.toList();
        }
    }

    private static synchronized Fixture fixture() throws IOException {
        if (fixture == null) {
            Path root = Files.createTempDirectory("synod-checkpoints-fuzz");
            RocksDbChatStore store = RocksDbChatStore.open(root.resolve("state"));
            for (long index = 1; index <= 20; index++) {
                StoreBatch batch = new StoreBatch(index);
                batch.put(("key-" + index).getBytes(StandardCharsets.UTF_8), new byte[(int) (index * 37)]);
                store.write(batch);
            }
            Checkpoints source = Checkpoints.open(root.resolve("snapshots"), store);
            CheckpointManifest manifest = source.create(new byte[32]);
            Checkpoints target = Checkpoints.open(root.resolve("received"), store);
            fixture = new Fixture(root, source, manifest, target);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                store.close();
                try {
                    FileSync.deleteTree(root);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }));
        }
        return fixture;
    }
}
