package io.synod.messaging;

import io.synod.messaging.zmtp.CurveCrypto;
import java.util.function.Function;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The {@code --secure} and {@code --server-key} options of the broker and the proxy: one copy for both processes,
 * which differ only in which of their sides the servers connect to ({@link ForwarderSecurity#broker},
 * {@link ForwarderSecurity#proxy}).
 */
public final class ForwarderSecurityOptions {
    @Option(
            names = "--secure",
            description = "secure mode: CURVE on both sides with --server-key; only the server key may connect"
                    + " on the servers' side (docs/security.md)")
    boolean secure;

    @Mixin
    ServerKeyOption serverKey = new ServerKeyOption();

    /**
     * The mechanism of each side: NULL, or {@code curveSides} of the server key.
     *
     * @throws IllegalArgumentException if compat mode has a key file, or the file is not a key
     */
    ForwarderSecurity security(Function<CurveCrypto.KeyPair, ForwarderSecurity> curveSides) {
        CurveCrypto.KeyPair keys = serverKey.load(secure);
        return keys == null ? ForwarderSecurity.NONE : curveSides.apply(keys);
    }
}
