package io.synod.messaging.admin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The admin secret (issue 23, item 5): whoever presents it may change the cluster ({@code synod admin remove-server},
 * the admin endpoints that change anything). It is the trimmed content of a file ({@code --admin-key FILE}), so a
 * file written by {@code ./synod up --secure}, by {@code ./synod keys} or by hand all serve.
 *
 * <p>Comparison is in constant time over SHA-256 digests of both sides ({@link MessageDigest#isEqual}), so neither the
 * position of the first wrong byte nor the secret's length leaks through timing. {@link #toString} never shows it.
 *
 * <p>Thread-safety: immutable.
 */
public final class AdminKey {
    /** Shortest secret accepted: 16 characters (a generated one has 64 hex digits, 256 bits). */
    public static final int SECRET_CHARS_MIN = 16;
    /** Longest key file read: a secret, not a document. */
    public static final int FILE_BYTES_MAX = 4_096;
    /** The field of an operator's request on the replication port ({@code synod admin}) that carries the secret. */
    public static final String ENVELOPE_FIELD = "admin_key";
    /** Random bytes of a generated secret. */
    static final int GENERATED_BYTES = 32;

    private final byte[] digest;

    private AdminKey(String secret) {
        this.digest = sha256(secret);
    }

    /** A key from its secret (tests; processes use {@link #load}). */
    public static AdminKey of(String secret) {
        Objects.requireNonNull(secret, "secret");
        String trimmed = secret.strip();
        if (trimmed.length() < SECRET_CHARS_MIN) {
            throw new IllegalArgumentException(
                    "the admin key must have at least " + SECRET_CHARS_MIN + " characters, had " + trimmed.length());
        }
        return new AdminKey(trimmed);
    }

    /**
     * Reads the key file.
     *
     * @throws IllegalArgumentException naming the file if it cannot be read, is too large or holds too short a secret
     */
    public static AdminKey load(Path file) {
        try {
            if (Files.size(file) > FILE_BYTES_MAX) {
                throw new IllegalArgumentException(
                        "--admin-key " + file + ": larger than " + FILE_BYTES_MAX + " bytes; it holds one secret");
            }
            return of(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalArgumentException("--admin-key " + file + ": cannot read it: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            if (e.getMessage().startsWith("--admin-key")) {
                throw e;
            }
            throw new IllegalArgumentException("--admin-key " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes a new random secret (64 hex digits) to {@code file}, readable by its owner only where the file system
     * has POSIX permissions, and returns it. An existing file is kept and loaded instead: restarting {@code synod up}
     * must not change the key operators hold.
     */
    public static AdminKey generateIfAbsent(Path file) {
        if (Files.exists(file)) {
            return load(file);
        }
        byte[] random = new byte[GENERATED_BYTES];
        new SecureRandom().nextBytes(random);
        String secret = HexFormat.of().formatHex(random);
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, secret + "\n", StandardCharsets.UTF_8);
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: the directory's own protection is all there is
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot write the admin key " + file + ": " + e.getMessage(), e);
        }
        return of(secret);
    }

    /** Whether {@code presented} is the secret (null: no); constant time in the secret's content and length. */
    public boolean matches(String presented) {
        if (presented == null) {
            return false;
        }
        return MessageDigest.isEqual(digest, sha256(presented.strip()));
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return "AdminKey[hidden]";
    }
}
