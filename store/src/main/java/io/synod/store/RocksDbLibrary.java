package io.synod.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.jar.JarEntry;
import java.util.zip.CRC32;
import org.rocksdb.RocksDB;
import org.rocksdb.util.Environment;

/**
 * Loads RocksDB's native library from a directory the caller owns. RocksDB's own loader copies the 15 MB library
 * from its jar to a new temporary file in {@code java.io.tmpdir} at every start and deletes it only at a clean exit,
 * so each killed process (a crash, {@code kill -9}, the fault tests) leaves one behind for good. Here the library is
 * copied once into the server's data directory and used from there by every later start: a killed server leaves
 * nothing outside its data directory. Call {@link #load} before any other RocksDB class is used in the process.
 */
public final class RocksDbLibrary {
    /** How {@link #load} went: the file loaded, or why RocksDB's own loader (the temporary copy) was used instead. */
    public record Loaded(Optional<Path> file, String fallbackReason) {
        public Loaded {
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(fallbackReason, "fallbackReason");
        }
    }

    private static final String PARTIAL_INFIX = ".partial-";
    private static Loaded loaded;

    private RocksDbLibrary() {}

    /**
     * Loads the library from {@code directory} (created if missing; the copy from RocksDB's jar is written there
     * first unless an identical one is present). If that cannot be done (a platform the jar has no library for, a
     * directory mounted {@code noexec}) RocksDB's own loader is used and {@link Loaded#fallbackReason} says why.
     * Only the first call in a process loads anything; later calls return its result.
     */
    public static synchronized Loaded load(Path directory) {
        if (loaded != null) {
            return loaded;
        }
        try {
            Path file = extract(directory);
            RocksDB.loadLibrary(List.of(directory.toString()));
            loaded = new Loaded(Optional.of(file), "");
        } catch (IOException | UncheckedIOException | IllegalStateException | UnsatisfiedLinkError e) {
            RocksDB.loadLibrary();
            loaded = new Loaded(Optional.empty(), "cannot load RocksDB's library from " + directory + ": " + e);
        }
        return loaded;
    }

    /** The name of this platform's library in RocksDB's jar ({@code librocksdbjni-linux64.so} on x86-64 Linux). */
    static String resourceName() {
        return Environment.getJniLibraryFileName("rocksdb");
    }

    /**
     * The name of the copy: the one {@link RocksDB#loadLibrary(List)} looks for in each directory it is given
     * ({@code librocksdbjnijni-linux64.so} in RocksDB 9.8: it passes "rocksdbjni" where its own loader passes
     * "rocksdb"). Should a new version of RocksDB change it, {@link #load} falls back and says so, and the process
     * tests that look for the copy fail.
     */
    static String fileName() {
        return Environment.getJniLibraryFileName("rocksdbjni");
    }

    /**
     * Makes {@code directory/}{@link #fileName()} a complete copy of the jar's library and returns it: kept if its
     * size and CRC-32 match the jar's entry, otherwise written to a file of this process's own and renamed over it
     * (so a process never loads a half-written copy). Copies left half-written by a killed process are removed.
     *
     * @throws IllegalStateException if the jar holds no library for this platform
     */
    static Path extract(Path directory) throws IOException {
        URL resource = RocksDB.class.getClassLoader().getResource(resourceName());
        if (resource == null) {
            throw new IllegalStateException("RocksDB's jar holds no " + resourceName() + " for this platform");
        }
        String name = fileName();
        Files.createDirectories(directory);
        Path target = directory.resolve(name);
        removePartials(directory, name);
        URLConnection connection = resource.openConnection();
        if (connection instanceof JarURLConnection jar && matches(target, jar.getJarEntry())) {
            return target;
        }
        Path partial =
                directory.resolve(name + PARTIAL_INFIX + ProcessHandle.current().pid());
        try (InputStream in = connection.getInputStream()) {
            Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(partial);
        }
        return target;
    }

    private static boolean matches(Path file, JarEntry entry) throws IOException {
        if (entry.getSize() < 0
                || entry.getCrc() < 0
                || !Files.isRegularFile(file)
                || Files.size(file) != entry.getSize()) {
            return false;
        }
        CRC32 crc = new CRC32();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                crc.update(buffer, 0, n);
            }
        }
        return crc.getValue() == entry.getCrc();
    }

    /** Removes the half-written copies of processes that are gone (killed while copying). */
    private static void removePartials(Path directory, String name) throws IOException {
        String prefix = name + PARTIAL_INFIX;
        try (var files = Files.list(directory)) {
            for (Path file : files.toList()) {
                String fileName = file.getFileName().toString();
                if (fileName.startsWith(prefix) && !alive(fileName.substring(prefix.length()))) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    private static boolean alive(String pid) {
        try {
            return ProcessHandle.of(Long.parseLong(pid))
                    .map(ProcessHandle::isAlive)
                    .orElse(false);
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
