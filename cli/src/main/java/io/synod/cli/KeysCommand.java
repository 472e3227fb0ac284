package io.synod.cli;

import io.synod.messaging.zmtp.CurveCrypto;
import io.synod.messaging.zmtp.Z85Keys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code synod keys --out DIR}: the key pairs of a secure cluster (docs/security.md), as ZeroMQ CURVE certificates
 * (Z85 text, the format of pyzmq's {@code zmq.auth}): the cluster's server key ({@code server.key},
 * {@code server.key_secret}) and the admin key ({@code admin.key}, {@code admin.key_secret}); secret files are
 * mode 0600, and nothing is ever overwritten. A {@code README} in DIR says which process loads which file.
 */
@Command(
        name = "keys",
        mixinStandardHelpOptions = true,
        description = "Generate a secure cluster's CURVE key pairs (server and admin) into a directory.")
final class KeysCommand implements Callable<Integer> {
    /** The cluster's server key pair's name: server.key, server.key_secret. */
    static final String SERVER = "server";
    /** The admin key pair's name: admin.key, admin.key_secret. */
    static final String ADMIN = "admin";

    @Option(names = "--out", required = true, description = "Directory to write the key files into.")
    Path out;

    @Override
    public Integer call() {
        try {
            generate(out);
        } catch (UncheckedIOException e) {
            System.err.println("synod keys: " + e.getMessage());
            return 1;
        }
        System.out.println("synod keys: wrote " + SERVER + Z85Keys.PUBLIC_SUFFIX + ", " + SERVER
                + Z85Keys.SECRET_SUFFIX + ", " + ADMIN + Z85Keys.PUBLIC_SUFFIX + ", " + ADMIN + Z85Keys.SECRET_SUFFIX
                + " and README into " + out.toAbsolutePath().normalize());
        return 0;
    }

    /**
     * Writes both key pairs and the README into {@code directory}.
     *
     * @throws UncheckedIOException if a key file exists already or a file cannot be written
     */
    static void generate(Path directory) {
        SecureRandom random = new SecureRandom();
        Z85Keys.write(directory, SERVER, CurveCrypto.generate(random));
        Z85Keys.write(directory, ADMIN, CurveCrypto.generate(random));
        try {
            Files.writeString(
                    directory.resolve("README"),
                    README,
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + directory.resolve("README") + ": " + e.getMessage(), e);
        }
    }

    private static final String README = """
            Synod secure-mode keys (ZeroMQ CURVE certificates, Z85; docs/security.md).

            server.key_secret  the cluster's server key pair. SECRET: only on the hosts of the cluster's own
                               processes. Loaded with --secure --server-key FILE by: broker, proxy, reference
                               and every server (its links to the broker, the proxy, the reference and its
                               peers use it as their own key, and only this key may connect on the broker's
                               server side, the proxy's publisher side and a server's peer ports).
            server.key         the server public key. Public: give it to every client (--server-public-key
                               FILE: the terminal client, the web process, foreign CURVE clients), so they
                               know they talk to this cluster; a client with another key cannot connect.
            admin.key_secret   the admin key pair, for synod admin and the HTTP admin endpoints (issue 23
                               item 5). SECRET.
            admin.key          the admin public key, for the servers that check admin calls.

            Rotate the server key with a rolling restart (docs/security.md, "Key rotation").
            """;
}
