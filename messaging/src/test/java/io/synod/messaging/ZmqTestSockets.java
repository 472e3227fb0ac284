package io.synod.messaging;

import io.synod.protocol.Envelope;
import io.synod.protocol.Limits;
import io.synod.protocol.MsgPack;
import io.synod.protocol.ProtocolException;
import io.synod.protocol.Publication;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.zeromq.SocketType;
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

    /** How long {@link #connect}'s sockets wait for a message before {@code recv} gives null (a loaded CI machine took over 5 s to hand a held request to a new REP). */
    public static final int RECEIVE_TIMEOUT_MILLIS = 10_000;

    /** A socket of {@code type} connected to {@code endpoint}: no linger, receives bounded by {@link #RECEIVE_TIMEOUT_MILLIS}. */
    public static ZMQ.Socket connect(ZContext context, SocketType type, String endpoint) {
        ZMQ.Socket socket = context.createSocket(type);
        socket.setLinger(0);
        socket.setReceiveTimeOut(RECEIVE_TIMEOUT_MILLIS);
        socket.connect(endpoint);
        return socket;
    }

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
        List<byte[]> frames = ZmqMessages.publicationFrames(publication.topic(), publication.toPayload());
        return pub.send(frames.get(0), ZMQ.SNDMORE) && pub.send(frames.get(1), 0);
    }

    /** A publication as received: the exact topic and the decoded payload. */
    public record ReceivedPublication(String topic, Map<String, Object> payload) {}

    /**
     * Receives one {@code [topic, payload]} message; null if nothing arrived.
     *
     * @throws ProtocolException if the message does not have two frames or the payload is not a map
     */
    public static ReceivedPublication receivePublication(ZMQ.Socket sub, Limits limits) {
        List<byte[]> frames = receiveMultipart(sub, 0);
        if (frames == null) {
            return null;
        }
        if (frames.size() != 2) {
            throw new ProtocolException("a publication has 2 frames [topic, payload], got " + frames.size());
        }
        Object payload = MsgPack.decode(frames.get(1), limits);
        if (!(payload instanceof Map<?, ?> map)) {
            throw new ProtocolException("a publication payload must be a MessagePack map");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> typed = (Map<String, Object>) map;
        return new ReceivedPublication(new String(frames.get(0), StandardCharsets.UTF_8), typed);
    }

    /** Receives every frame of one message; null if nothing arrived. */
    public static List<byte[]> receiveMultipart(ZMQ.Socket socket, int flags) {
        byte[] first = socket.recv(flags);
        if (first == null) {
            return null;
        }
        List<byte[]> frames = new ArrayList<>(4);
        frames.add(first);
        while (socket.hasReceiveMore()) {
            frames.add(socket.recv(0));
        }
        return frames;
    }

    /** Sends every frame of one message (blocking if the socket blocks). */
    public static boolean sendMultipart(ZMQ.Socket socket, List<byte[]> frames) {
        for (int i = 0; i < frames.size(); i++) {
            if (!socket.send(frames.get(i), i < frames.size() - 1 ? ZMQ.SNDMORE : 0)) {
                return false;
            }
        }
        return true;
    }
}
