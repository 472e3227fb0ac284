package io.synod.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The snapshots of a replicated server as RocksDB checkpoints, in {@code <data-dir>/snapshots}: {@code cp-<index>}
 * directories made by {@link #create} (hard links to the store's table files: cheap, whatever the state's size),
 * served to peers chunk by chunk ({@link #read}), fetched from a peer into {@code incoming/} ({@link #receive}) and
 * moved into place whole, and installed into the store ({@link #install}).
 *
 * <p>Durability: a checkpoint directory appears under its final name only once every file in it is synced (it is
 * built under a temporary name, synced, renamed, and the parent synced), so a name in a manifest that the Paxos log
 * holds always denotes a complete checkpoint. Temporary and incoming directories are deleted on {@link #open}.
 *
 * <p>Thread-safety: owned by the server's event-loop thread.
 */
public final class Checkpoints {
    private static final String INCOMING = "incoming";
    private static final String TEMPORARY_SUFFIX = ".tmp";

    private final Path directory;
    private final RocksDbChatStore store;

    private Checkpoints(Path directory, RocksDbChatStore store) {
        this.directory = directory;
        this.store = store;
    }

    /**
     * Opens (creating it if needed) the checkpoint directory of {@code store}, deleting leftovers of interrupted
     * work (temporary and incoming directories).
     *
     * @throws StoreException if the directory cannot be created or cleaned
     */
    public static Checkpoints open(Path directory, RocksDbChatStore store) {
        try {
            Files.createDirectories(directory);
            FileSync.deleteTree(directory.resolve(INCOMING));
            for (Path leftover : list(directory)) {
                if (leftover.getFileName().toString().endsWith(TEMPORARY_SUFFIX)) {
                    FileSync.deleteTree(leftover);
                }
            }
        } catch (IOException e) {
            throw new StoreException("cannot prepare the snapshot directory " + directory + ": " + e.getMessage(), e);
        }
        return new Checkpoints(directory, store);
    }

    public Path directory() {
        return directory;
    }

    /**
     * Checkpoints the store as it is now (every write synced first) and describes it.
     *
     * @param digest the state digest at the store's applied index (recorded, checked by whoever installs it)
     * @throws StoreException if RocksDB or the file system fails
     */
    public CheckpointManifest create(byte[] digest) {
        long index = store.appliedIndex();
        String name = CheckpointManifest.nameFor(index);
        Path target = directory.resolve(name);
        Path temporary = directory.resolve(name + TEMPORARY_SUFFIX);
        try {
            if (Files.isDirectory(target)) {
                // The same index is the same chat state (slots of no-ops or membership changes apply no command):
                // keep the checkpoint there, which a peer may be fetching, rather than replace it under the peer.
                store.sync();
                return new CheckpointManifest(name, index, digest, describe(target));
            }
            FileSync.deleteTree(temporary);
            store.createCheckpoint(temporary);
            List<CheckpointManifest.FileEntry> files = describe(temporary);
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
            FileSync.sync(directory);
            return new CheckpointManifest(name, index, digest, files);
        } catch (IOException e) {
            throw new StoreException("cannot write the checkpoint " + target + ": " + e.getMessage(), e);
        }
    }

    /** True if the checkpoint {@code manifest} describes is here, complete: every file listed, with its size. */
    public boolean isComplete(CheckpointManifest manifest) {
        Path dir = directory.resolve(manifest.name());
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try {
            return describe(dir).equals(manifest.files());
        } catch (IOException e) {
            return false;
        }
    }

    /** A chunk of a checkpoint file, and the whole file's size. */
    public record Chunk(byte[] bytes, long fileSize) {}

    /**
     * Up to {@code maxBytes} of file {@code file} of checkpoint {@code name} from {@code offset}, with the file's size;
     * empty if there is no such checkpoint or file here (any more), or the offset is past the end.
     */
    public Optional<Chunk> read(String name, String file, long offset, int maxBytes) {
        if (!CheckpointManifest.isSafeName(name)
                || !CheckpointManifest.isSafeName(file)
                || offset < 0
                || maxBytes < 1) {
            return Optional.empty();
        }
        Path path = directory.resolve(name).resolve(file);
        if (name.endsWith(TEMPORARY_SUFFIX) || !Files.isRegularFile(path)) {
            return Optional.empty();
        }
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            if (offset > size) {
                return Optional.empty();
            }
            ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(maxBytes, size - offset));
            while (buffer.hasRemaining()) {
                if (channel.read(buffer, offset + buffer.position()) < 0) {
                    return Optional.empty(); // shrank under us: not a checkpoint file
                }
            }
            return Optional.of(new Chunk(buffer.array(), size));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * Starts receiving the checkpoint {@code manifest} describes into {@code incoming/<name>} (any earlier partial
     * copy is discarded).
     *
     * @throws StoreException if the directory cannot be prepared
     */
    public Receiving receive(CheckpointManifest manifest) {
        Path dir = directory.resolve(INCOMING).resolve(manifest.name());
        try {
            FileSync.deleteTree(dir);
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new StoreException("cannot prepare " + dir + ": " + e.getMessage(), e);
        }
        return new Receiving(manifest, dir);
    }

    /**
     * Replaces the store's chat state with the checkpoint {@code manifest} describes, which must be here and
     * complete. Returns the applied index installed.
     *
     * @throws StoreException if the checkpoint is missing here or cannot be installed
     */
    public long install(CheckpointManifest manifest) {
        if (!isComplete(manifest)) {
            throw new StoreException(
                    "the snapshot " + manifest + " is not complete in " + directory
                            + "; remove this server's data directory and let it join again",
                    null);
        }
        return store.replaceFromCheckpoint(directory.resolve(manifest.name()));
    }

    /** Deletes every checkpoint here except those named in {@code keep}. */
    public void retainOnly(Set<String> keep) {
        try {
            for (Path dir : list(directory)) {
                String name = dir.getFileName().toString();
                if (Files.isDirectory(dir) && !name.equals(INCOMING) && !keep.contains(name)) {
                    FileSync.deleteTree(dir);
                }
            }
        } catch (IOException e) {
            throw new StoreException("cannot delete old checkpoints in " + directory + ": " + e.getMessage(), e);
        }
    }

    /** The checkpoint names here, oldest (lowest index) first. */
    public List<String> names() {
        List<String> names = new ArrayList<>();
        try {
            for (Path dir : list(directory)) {
                String name = dir.getFileName().toString();
                if (Files.isDirectory(dir) && name.startsWith("cp-") && !name.endsWith(TEMPORARY_SUFFIX)) {
                    names.add(name);
                }
            }
        } catch (IOException e) {
            throw new StoreException("cannot list " + directory + ": " + e.getMessage(), e);
        }
        names.sort(Comparator.comparingLong(Checkpoints::indexOf));
        return names;
    }

    private static long indexOf(String name) {
        try {
            return Long.parseLong(name.substring("cp-".length()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static List<CheckpointManifest.FileEntry> describe(Path dir) throws IOException {
        List<CheckpointManifest.FileEntry> files = new ArrayList<>();
        for (Path file : list(dir)) {
            if (Files.isRegularFile(file) && !isLocalOnly(file.getFileName().toString())) {
                files.add(new CheckpointManifest.FileEntry(file.getFileName().toString(), Files.size(file)));
            }
        }
        files.sort(Comparator.comparing(CheckpointManifest.FileEntry::name));
        return files;
    }

    /** RocksDB's own info log and lock file, created by opening a checkpoint here: not part of it. */
    private static boolean isLocalOnly(String fileName) {
        return fileName.equals("LOCK") || fileName.startsWith("LOG");
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> listing = Files.list(dir)) {
            return listing.toList();
        }
    }

    /**
     * A checkpoint being received, file by file and in order within each file. {@link #complete} syncs it and moves
     * it into place; {@link #abandon} deletes it.
     */
    public final class Receiving {
        private final CheckpointManifest manifest;
        private final Path dir;
        private long receivedBytes;

        private Receiving(CheckpointManifest manifest, Path dir) {
            this.manifest = manifest;
            this.dir = dir;
        }

        public CheckpointManifest manifest() {
            return manifest;
        }

        /** Bytes written so far. */
        public long receivedBytes() {
            return receivedBytes;
        }

        /**
         * Appends {@code bytes} at {@code offset} of file {@code file}, which must be the file's current length and
         * must stay within the size the manifest gives.
         *
         * @throws IllegalArgumentException if the file is not in the manifest or the chunk does not fit
         * @throws StoreException if the write fails
         */
        public void write(String file, long offset, byte[] bytes) {
            CheckpointManifest.FileEntry entry = manifest.file(file);
            if (entry == null) {
                throw new IllegalArgumentException("file '" + file + "' is not in " + manifest);
            }
            if (offset < 0 || offset > entry.sizeBytes() - bytes.length) { // no overflow, whatever the offset
                throw new IllegalArgumentException("chunk past the end of " + file);
            }
            Path path = dir.resolve(file);
            try (FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                if (channel.size() != offset) {
                    throw new IllegalArgumentException(
                            "chunk of " + file + " at " + offset + " but " + channel.size() + " bytes are here");
                }
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    channel.write(buffer, offset + buffer.position());
                }
            } catch (IOException e) {
                throw new StoreException("cannot write " + path + ": " + e.getMessage(), e);
            }
            receivedBytes += bytes.length;
        }

        /**
         * Checks every file is whole, syncs them and moves the checkpoint to its final name (replacing a local one of
         * the same name).
         *
         * @throws IllegalStateException if a file is missing or short
         * @throws StoreException if the file system fails
         */
        public void complete() {
            try {
                for (CheckpointManifest.FileEntry f : manifest.files()) {
                    Path path = dir.resolve(f.name());
                    if (!Files.exists(path) && f.sizeBytes() == 0) {
                        Files.createFile(path);
                    }
                }
                if (!describe(dir).equals(manifest.files())) {
                    throw new IllegalStateException("received files do not match " + manifest + ": " + describe(dir));
                }
                FileSync.syncTree(dir);
                Path target = directory.resolve(manifest.name());
                FileSync.deleteTree(target);
                Files.move(dir, target, StandardCopyOption.ATOMIC_MOVE);
                FileSync.sync(directory);
            } catch (IOException e) {
                throw new StoreException(
                        "cannot complete the checkpoint " + manifest.name() + ": " + e.getMessage(), e);
            }
        }

        /** Deletes what was received. */
        public void abandon() {
            try {
                FileSync.deleteTree(dir);
            } catch (IOException e) {
                throw new StoreException("cannot delete " + dir + ": " + e.getMessage(), e);
            }
        }
    }
}
