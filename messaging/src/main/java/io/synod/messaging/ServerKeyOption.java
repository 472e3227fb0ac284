package io.synod.messaging;

import io.synod.messaging.zmtp.CurveCrypto;
import io.synod.messaging.zmtp.Z85Keys;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The {@code --server-key FILE} option of the processes that hold the cluster's server key in secure mode (broker,
 * proxy, reference, server): the secret certificate {@code ./synod keys} writes ({@code server.key_secret}). Secure
 * mode without it keeps NULL links and warns on standard error ({@code ./synod up --secure} always gives one);
 * compat mode refuses it, so a key never silently goes unused.
 */
public final class ServerKeyOption {
    @Option(
            names = "--server-key",
            paramLabel = "FILE",
            description = "secure mode: the cluster's server key pair (server.key_secret from ./synod keys)")
    Path serverKey;

    /**
     * The server key pair for {@code secure} mode, or null in compat mode (and in secure mode without a file).
     *
     * @throws IllegalArgumentException if compat mode has a key file, or the file is not a key
     */
    public CurveCrypto.KeyPair load(boolean secure) {
        if (!secure) {
            if (serverKey != null) {
                throw new IllegalArgumentException("--server-key is for secure mode; add --secure or drop it");
            }
            return null;
        }
        if (serverKey == null) {
            // accounts and sessions still apply (items 1 and 2); the links stay NULL, and the operator is told
            System.err.println("warning: secure mode without --server-key: links are NOT encrypted or authenticated"
                    + " (give the server.key_secret of ./synod keys)");
            return null;
        }
        return Z85Keys.readPair(serverKey);
    }

    /** Sets the key file (the launcher's in-process wiring). */
    public ServerKeyOption file(Path file) {
        this.serverKey = file;
        return this;
    }
}
