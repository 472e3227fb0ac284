package io.synod.messaging.zmtp;

import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/**
 * The security mechanism of a ZMTP connection (spec 23, "Security mechanisms"): NULL (the statement's compat mode)
 * or CURVE (rfc.zeromq.org/spec/26, {@link CurveMechanism}), as the server side of the handshake or its client.
 * Given to a connection with {@link ZmtpConnection#secure} before its handshake; both sides must agree, a peer
 * greeting with another mechanism is refused.
 */
public sealed interface ZmtpSecurity {
    /** No security: the statement's sockets, as every course client speaks them. */
    ZmtpSecurity NULL = new Null();

    /** The NULL mechanism. */
    record Null() implements ZmtpSecurity {}

    /**
     * The CURVE server (a socket that binds: the broker, the proxy, a server's peer ROUTER).
     *
     * @param keys the server's long-term key pair (the cluster's server key)
     * @param clientAllowed which client long-term public keys may finish the handshake (ZAP's job in libzmq, done
     *     here): a refused client gets an ERROR and the connection closes before any message passes
     */
    record CurveServer(CurveCrypto.KeyPair keys, Predicate<byte[]> clientAllowed) implements ZmtpSecurity {}

    /**
     * The CURVE client (a connecting socket).
     *
     * @param keys the client's long-term key pair (the server key for a server's own links; any pair for a user)
     * @param serverPublicKey the long-term public key of the server it may talk to; any other server cannot
     *     finish the handshake
     */
    record CurveClient(CurveCrypto.KeyPair keys, byte[] serverPublicKey) implements ZmtpSecurity {
        public CurveClient {
            if (serverPublicKey.length != CurveCrypto.KEY_BYTES) {
                throw new IllegalArgumentException("a CURVE key is " + CurveCrypto.KEY_BYTES + " bytes");
            }
            serverPublicKey = serverPublicKey.clone();
        }

        @Override
        public byte[] serverPublicKey() {
            return serverPublicKey.clone();
        }
    }

    /** A CURVE server that lets every client key in (users: they authenticate by password and token). */
    static ZmtpSecurity curveServerForAnyone(CurveCrypto.KeyPair keys) {
        return new CurveServer(keys, key -> true);
    }

    /** A CURVE server that lets in only clients whose long-term public key is one of {@code allowed}. */
    static ZmtpSecurity curveServerFor(CurveCrypto.KeyPair keys, List<byte[]> allowed) {
        List<byte[]> copies = allowed.stream().map(byte[]::clone).toList();
        return new CurveServer(keys, key -> copies.stream().anyMatch(one -> Arrays.equals(one, key)));
    }

    /**
     * What a server's own links to a cluster socket (broker, proxy, reference, a peer) speak in secure mode: CURVE
     * with the server key as its own long-term key and as the key it expects of the other side.
     */
    static ZmtpSecurity serverLink(CurveCrypto.KeyPair serverKeys) {
        return new CurveClient(serverKeys, serverKeys.publicKey());
    }

    /** Whether this is a CURVE mechanism. */
    default boolean isCurve() {
        return !(this instanceof Null);
    }
}
