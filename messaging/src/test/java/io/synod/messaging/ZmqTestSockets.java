package io.synod.messaging;

import io.synod.protocol.Envelope;
import io.synod.protocol.Limits;
import io.synod.protocol.Publication;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * Blocking socket helpers for tests that talk to a process the way a foreign client does: one socket, one thread,
 * a bounded wait. Production code never blocks on a socket (its event loops poll), so these live in the tests;
 * server and system-tests reach them through this module's test-jar.
 *
 * <p>Thread-safety: stateless; call from the thread that owns the socket.
 */
public final class ZmqTestSockets {
    private ZmqTestSockets() {}

    /**
     * Receives one frame from {@code socket} within {@code timeoutMillis}, {@linkplain ZmqOptions#nudge nudging} its
     * context every {@link ZmqOptions#NUDGE_INTERVAL_MILLIS} while nothing arrives (JeroMQ's connect race, see
     * {@link ZmqOptions}); null if nothing did. The socket's receive timeout is left at the last slice's.
     */
    public static byte[] receiveNudging(ZContext context, ZMQ.Socket socket, int timeoutMillis) {
        for (int waited = 0; waited < timeoutMillis; waited += ZmqOptions.NUDGE_INTERVAL_MILLIS) {
            socket.setReceiveTimeOut(Math.min(ZmqOptions.NUDGE_INTERVAL_MILLIS, timeoutMillis - waited));
            byte[] frame = socket.recv();
            if (frame != null) {
                return frame;
            }
            ZmqOptions.nudge(context);
        }
        return null;
    }

    /** Sends {@code envelope} as one frame; false if the socket would block or is closed. */
    public static boolean sendEnvelope(ZMQ.Socket socket, Envelope envelope) {
        return socket.send(envelope.encode(), 0);
    }

    /**
     * Receives one frame and decodes it; null if nothing arrived (timeout or non-blocking). Extra frames are
     * dropped, as a well-formed peer sends one.
     */
    public static Envelope receiveEnvelope(ZMQ.Socket socket, Limits limits) {
        byte[] frame = socket.recv(0);
        if (frame == null) {
            return null;
        }
        while (socket.hasReceiveMore()) {
            socket.recv(0);
        }
        return Envelope.decode(frame, limits);
    }

    /** Publishes {@code publication} as {@code [topic, payload]}. */
    public static boolean sendPublication(ZMQ.Socket pub, Publication publication) {
        return ZmqMessages.sendPublication(pub, publication.topic(), publication.toPayload());
    }
}
