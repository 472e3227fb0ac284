package io.synod.server;

import io.synod.messaging.ZmqTestSockets;
import io.synod.protocol.Envelope;
import io.synod.protocol.Limits;
import java.util.List;
import java.util.Map;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * A plain REQ client, as a foreign client of the course would use, for the integration tests.
 *
 * <p>While waiting for a reply it nudges its context's I/O thread ({@link ZmqTestSockets#receiveNudging}: JeroMQ
 * 0.6.0's connect race), never resending.
 */
final class RawReq {
    static final int REPLY_TIMEOUT_MILLIS = 10_000;

    private final ZContext context;
    private final String endpoint;
    private final ZMQ.Socket socket;

    RawReq(ZContext context, String endpoint) {
        this.context = context;
        this.endpoint = endpoint;
        this.socket = context.createSocket(SocketType.REQ);
        socket.setLinger(0);
        socket.connect(endpoint);
    }

    Envelope call(String service, Map<String, Object> data) {
        return callRaw(new Envelope(service, data).encode());
    }

    Envelope callRaw(byte[] frame) {
        return callFrames(List.of(frame));
    }

    /** Sends one message of several frames and returns the decoded reply. */
    Envelope callFrames(List<byte[]> frames) {
        for (int i = 0; i < frames.size(); i++) {
            if (!socket.send(frames.get(i), i < frames.size() - 1 ? ZMQ.SNDMORE : 0)) {
                throw new AssertionError("send failed");
            }
        }
        byte[] reply = ZmqTestSockets.receiveNudging(context, socket, REPLY_TIMEOUT_MILLIS);
        if (reply != null) {
            return Envelope.decode(reply, Limits.DEFAULT);
        }
        throw new AssertionError("no reply from " + endpoint + " within " + REPLY_TIMEOUT_MILLIS + " ms");
    }
}
