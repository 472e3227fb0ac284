package io.synod.messaging;

import io.synod.messaging.zmtp.CurveCrypto;
import io.synod.messaging.zmtp.Z85Keys;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The {@code --server-key FILE} option of the processes that hold the cluster's server key in secure mode (broker,
 * proxy, server): the secret certificate {@code ./synod keys} writes ({@code server.key_secret}). Secure mode needs
 * it; compat mode refuses it, so a key never silently goes unused.
 */
public final class ServerKeyOption {
    @Option(
            names = "--server-key",
            paramLabel = "FILE",
            description = "secure mode: the cluster's server key pair (server.key_secret from ./synod keys)")
    Path serverKey;

    /**
     * The server key pair for {@code secure} mode, or null in compat mode.
     *
     * @throws IllegalArgumentException if secure mode has no key file, compat mode has one, or the file is not a key
     */
    public CurveCrypto.KeyPair load(boolean secure) {
        if (!secure) {
            if (serverKey != null) {
                throw new IllegalArgumentException("--server-key is for secure mode; add --secure or drop it");
            }
            return null;
        }
        if (serverKey == null) {
            throw new IllegalArgumentException(
                    "secure mode needs --server-key FILE (the server.key_secret that ./synod keys writes)");
        }
        return Z85Keys.readPair(serverKey);
    }

    /** Sets the key file (the launcher's in-process wiring). */
    public ServerKeyOption file(Path file) {
        this.serverKey = file;
        return this;
    }
}
