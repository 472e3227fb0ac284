package io.synod.messaging;

import io.synod.messaging.zmtp.CurveCrypto;
import io.synod.messaging.zmtp.ZmtpSecurity;
import java.util.List;

/**
 * The mechanism each side of a {@link Forwarder} speaks. Compat mode: NULL on both, the statement's sockets. Secure
 * mode (docs/security.md): CURVE on both with the cluster's server key, so every link is encrypted; the side the
 * servers connect to (the broker's DEALER side, the proxy's XSUB side) lets in only the server key itself, so only a
 * holder of its secret can serve requests or publish deliveries; the side for users takes any client key (users prove
 * who they are with a password and a session token, not a key).
 *
 * @param frontend the mechanism of the frontend's connections (ROUTER, or XSUB)
 * @param backend the mechanism of the backend's connections (DEALER, or XPUB)
 */
public record ForwarderSecurity(ZmtpSecurity frontend, ZmtpSecurity backend) {
    /** Compat mode: NULL on both sides. */
    public static final ForwarderSecurity NONE = new ForwarderSecurity(ZmtpSecurity.NULL, ZmtpSecurity.NULL);

    /** A secure broker: clients on the ROUTER with any key, servers on the DEALER with the server key only. */
    public static ForwarderSecurity broker(CurveCrypto.KeyPair serverKeys) {
        return new ForwarderSecurity(ZmtpSecurity.curveServerForAnyone(serverKeys), serversOnly(serverKeys));
    }

    /** A secure proxy: publishers on the XSUB with the server key only, subscribers on the XPUB with any key. */
    public static ForwarderSecurity proxy(CurveCrypto.KeyPair serverKeys) {
        return new ForwarderSecurity(serversOnly(serverKeys), ZmtpSecurity.curveServerForAnyone(serverKeys));
    }

    private static ZmtpSecurity serversOnly(CurveCrypto.KeyPair serverKeys) {
        return ZmtpSecurity.curveServerFor(serverKeys, List.of(serverKeys.publicKey()));
    }
}
