package io.synod.cli;

import io.synod.messaging.zmtp.Z85Keys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;

/**
 * The secrets {@code ./synod up --secure} hands to its bots: a secure cluster lets nobody write without a password
 * and a session token, and its links speak CURVE, so each bot gets an account of its own (a fixed name, {@code
 * bot-N}, with a random password in {@code data/bot-N.password}, mode 0600) and the server public key. The file is
 * generated once and kept across restarts: the first login sets the password, so a new one on a later start would
 * lock the bot out of its own account.
 */
final class UpSecrets {
    /** Suffix of a bot's password file in the run's data directory. */
    static final String BOT_PASSWORD_SUFFIX = ".password";
    /** Random bytes of a generated password (written as 64 hex digits, under the protocol's 256 characters). */
    static final int BOT_PASSWORD_BYTES = 32;

    private UpSecrets() {}

    /**
     * The extra arguments of bot {@code name} in secure mode (its name, password file and the server public key from
     * {@code keys}), generating its password file under {@code data} on the first start.
     *
     * @throws IOException if the password file cannot be written
     */
    static List<String> botArguments(String name, Path data, Path keys) throws IOException {
        Path passwordFile = data.resolve(name + BOT_PASSWORD_SUFFIX);
        if (!Files.exists(passwordFile)) {
            writeOwnerOnly(passwordFile, randomPassword());
        }
        return List.of(
                "--name",
                name,
                "--password-file",
                passwordFile.toString(),
                "--server-public-key",
                keys.resolve(KeysCommand.SERVER + Z85Keys.PUBLIC_SUFFIX).toString());
    }

    private static String randomPassword() {
        byte[] random = new byte[BOT_PASSWORD_BYTES];
        new SecureRandom().nextBytes(random);
        return HexFormat.of().formatHex(random);
    }

    /** Creates {@code file} already owner-only, so that no other user can open it between creation and chmod. */
    private static void writeOwnerOnly(Path file, String secret) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } else {
            Files.createFile(file);
        }
        Files.writeString(file, secret + "\n", StandardCharsets.UTF_8);
    }
}
