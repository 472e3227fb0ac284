package io.synod.messaging.peer;

import io.synod.messaging.zmtp.CurveMechanism;
import io.synod.messaging.zmtp.ZmtpException;
import io.synod.messaging.zmtp.ZmtpSecurity;
import java.util.List;
import java.util.Map;

/**
 * CurveZMQ (rfc.zeromq.org/spec/26) on one replication link of {@link StreamPeerLinks} in secure mode: the same
 * handshake and boxes as the ZMTP CURVE mechanism ({@link CurveMechanism}), each command carried in one of the
 * link's length-prefixed frames instead of a ZMTP frame. The connecting side is the CURVE client, the accepting
 * side the server; both use the cluster's server key as their long-term key, and the server lets in only that key,
 * so a process without the server key's secret cannot finish the handshake and nothing it sends is read.
 *
 * <p>Not thread-safe: owned by its connection.
 */
final class StreamCurve {
    private final CurveMechanism mechanism;

    StreamCurve(ZmtpSecurity security) {
        this.mechanism = new CurveMechanism(security);
    }

    /** The client's first frame (HELLO); null for the server, which speaks second. */
    byte[] start() {
        return mechanism.isServer() ? null : CurveMechanism.body(mechanism.hello());
    }

    /** Whether the handshake is done: frames may be boxed and unboxed. */
    boolean ready() {
        return mechanism.isDone();
    }

    /**
     * Takes one received frame: during the handshake, answers it (into {@code replies}) and returns null; after it,
     * returns the frame's plaintext.
     *
     * @throws ZmtpException if the frame is not the command expected, does not authenticate, or the peer's key is
     *     not allowed
     */
    byte[] receive(byte[] frame, List<byte[]> replies) {
        if (!mechanism.isDone()) {
            CurveMechanism.Step step =
                    mechanism.handshake(io.synod.messaging.zmtp.ZmtpCodec.parseCommand(frame), Map.of());
            if (step.reply() != null) {
                replies.add(CurveMechanism.body(step.reply()));
            }
            return null;
        }
        byte[] plain = mechanism.decode(frame);
        if ((plain[0] & ~CurveMechanism.INNER_MORE) != 0) {
            throw new ZmtpException("a replication frame boxed with unexpected flags " + plain[0]);
        }
        return java.util.Arrays.copyOfRange(plain, 1, plain.length);
    }

    /** {@code plaintext} as a MESSAGE, ready to be framed. */
    byte[] box(byte[] plaintext) {
        return CurveMechanism.body(mechanism.encode(plaintext, 0));
    }
}
