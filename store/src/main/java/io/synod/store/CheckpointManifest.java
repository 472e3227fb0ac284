package io.synod.store;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What a snapshot is on a replicated server: the description of a RocksDB checkpoint of its state, small enough to
 * ride in the Paxos core's snapshot record and in a catch-up reply. The files themselves are fetched in chunks (see
 * {@link Checkpoints}).
 *
 * <pre>
 *   magic "SYNODCP1" (8 bytes) | name (UTF) | appliedIndex (int64) | digest length (int32) | digest
 *   | fileCount (int32) | fileCount x ( file name (UTF) | size in bytes (int64) )
 * </pre>
 *
 * <p>All integers big-endian; UTF as {@link DataOutputStream#writeUTF}. Immutable; thread-safe.
 *
 * @param name the checkpoint's directory name, {@code cp-<appliedIndex>}
 * @param appliedIndex the chat command index the checkpoint's state has applied
 * @param digest the state digest at that index (checked after an install)
 * @param files every file of the checkpoint directory, by name, in name order
 */
public record CheckpointManifest(String name, long appliedIndex, byte[] digest, List<FileEntry> files) {
    private static final byte[] MAGIC = "SYNODCP1".getBytes(StandardCharsets.US_ASCII);
    /** What a checkpoint or file name may look like: no separators, no dot-only names. */
    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}");
    /** Most files a manifest may list (a checkpoint has a handful of table files per level). */
    public static final int FILES_MAX = 100_000;
    /** Longest digest accepted. */
    private static final int DIGEST_BYTES_MAX = 64;

    /** One file of a checkpoint. */
    public record FileEntry(String name, long sizeBytes) {
        public FileEntry {
            requireSafe(name);
            require(sizeBytes >= 0, "negative file size");
        }
    }

    /**
     * Validates the names, the sizes and the digest. The files must be in name order without repeats (as a
     * checkpoint directory is described) and their sizes must add up within a {@code long}: a manifest a receiver
     * could never complete, or whose total overflows, is refused here rather than half-way through a fetch.
     */
    public CheckpointManifest {
        requireSafe(name);
        require(appliedIndex >= 0, "negative applied index");
        Objects.requireNonNull(digest, "digest");
        require(digest.length <= DIGEST_BYTES_MAX, "digest too long");
        digest = digest.clone();
        files = List.copyOf(files);
        require(files.size() <= FILES_MAX, "too many files");
        long total = 0;
        for (int i = 0; i < files.size(); i++) {
            require(i == 0 || files.get(i - 1).name().compareTo(files.get(i).name()) < 0, "files not in name order");
            require(files.get(i).sizeBytes() <= Long.MAX_VALUE - total, "file sizes add up beyond a long");
            total += files.get(i).sizeBytes();
        }
    }

    /** The directory name of the checkpoint of applied index {@code appliedIndex}. */
    public static String nameFor(long appliedIndex) {
        return "cp-" + appliedIndex;
    }

    /** Whether {@code name} is usable as a checkpoint or file name (no path separators, not "." or ".."). */
    public static boolean isSafeName(String name) {
        return name != null && SAFE_NAME.matcher(name).matches() && !name.equals(".") && !name.equals("..");
    }

    /** The total size of the files. */
    public long totalBytes() {
        long total = 0;
        for (FileEntry f : files) {
            total += f.sizeBytes();
        }
        return total;
    }

    /** The entry of file {@code fileName}, or null. */
    public FileEntry file(String fileName) {
        for (FileEntry f : files) {
            if (f.name().equals(fileName)) {
                return f;
            }
        }
        return null;
    }

    /** True if {@code bytes} start like an encoded manifest (as opposed to another snapshot format). */
    public static boolean isManifest(byte[] bytes) {
        return bytes.length >= MAGIC.length && Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length);
    }

    /** The encoded manifest. */
    public byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + files.size() * 32);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.write(MAGIC);
            out.writeUTF(name);
            out.writeLong(appliedIndex);
            out.writeInt(digest.length);
            out.write(digest);
            out.writeInt(files.size());
            for (FileEntry f : files) {
                out.writeUTF(f.name());
                out.writeLong(f.sizeBytes());
            }
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory cannot fail", e);
        }
        return bytes.toByteArray();
    }

    /**
     * Decodes a manifest.
     *
     * @throws IllegalArgumentException if the bytes are not a well-formed manifest (or name a file unsafely)
     */
    public static CheckpointManifest decode(byte[] bytes) {
        require(isManifest(bytes), "not a checkpoint manifest (bad magic)");
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            in.skipNBytes(MAGIC.length);
            String name = in.readUTF();
            long appliedIndex = in.readLong();
            int digestLength = in.readInt();
            require(digestLength >= 0 && digestLength <= DIGEST_BYTES_MAX, "bad digest length");
            byte[] digest = in.readNBytes(digestLength);
            require(digest.length == digestLength, "truncated digest");
            int count = in.readInt();
            require(count >= 0 && count <= FILES_MAX, "bad file count");
            List<FileEntry> files = new ArrayList<>(Math.min(count, 1_024));
            for (int i = 0; i < count; i++) {
                files.add(new FileEntry(in.readUTF(), in.readLong()));
            }
            require(in.available() == 0, "trailing bytes");
            return new CheckpointManifest(name, appliedIndex, digest, files);
        } catch (IOException e) {
            throw new IllegalArgumentException("truncated checkpoint manifest", e);
        }
    }

    private static void requireSafe(String name) {
        require(isSafeName(name), "unsafe checkpoint or file name '" + name + "'");
    }

    private static void require(boolean condition, String what) {
        if (!condition) {
            throw new IllegalArgumentException("checkpoint manifest: " + what);
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof CheckpointManifest m
                && m.name.equals(name)
                && m.appliedIndex == appliedIndex
                && Arrays.equals(m.digest, digest)
                && m.files.equals(files);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, appliedIndex, Arrays.hashCode(digest), files);
    }

    @Override
    public String toString() {
        return "CheckpointManifest[" + name + ", index " + appliedIndex + ", digest "
                + HexFormat.of().formatHex(digest, 0, Math.min(4, digest.length)) + "..., " + files.size()
                + " files, " + totalBytes() + " B]";
    }
}
