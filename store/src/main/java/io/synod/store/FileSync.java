package io.synod.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;

/**
 * fsync for files and directories (a renamed or linked file is durable only once its directory is synced).
 *
 * <p>Thread-safety: stateless.
 */
final class FileSync {
    private FileSync() {}

    /** Syncs a file or a directory. */
    static void sync(Path path) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    /** Syncs every regular file directly in {@code directory}, then the directory itself. */
    static void syncTree(Path directory) throws IOException {
        List<Path> files;
        try (Stream<Path> listing = Files.list(directory)) {
            files = listing.filter(Files::isRegularFile).toList();
        }
        for (Path file : files) {
            sync(file);
        }
        sync(directory);
    }

    /** Deletes {@code path} and everything under it, if it exists. */
    static void deleteTree(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        List<Path> all;
        try (Stream<Path> walk = Files.walk(path)) {
            all = walk.sorted(java.util.Comparator.reverseOrder()).toList();
        }
        for (Path p : all) {
            Files.deleteIfExists(p);
        }
    }
}
