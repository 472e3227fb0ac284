package io.synod.messaging;

import io.synod.protocol.Envelope;
import io.synod.protocol.Limits;
import io.synod.protocol.MsgPack;
import io.synod.protocol.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.zeromq.ZMQ;

/**
 * The few ZeroMQ framing rules shared by servers and clients, in one place.
 *
 * <ul>
 *   <li>A request or reply is one frame: the MessagePack {@link Envelope}.
 *   <li>A publication is two frames {@code [topic (UTF-8), MessagePack payload]} (requirement S5);
 *       a receiver compares the topic frame exactly, since SUB filters by prefix.
 *   <li>Through the broker, a DEALER server receives {@code [routing frames..., payload]} where the
 *       routing frames are the identities the ROUTER hops added plus, for REQ clients, the empty
 *       delimiter; the reply must carry the same routing frames back ({@link #splitRouted}).
 * </ul>
 *
 * <p>Thread-safety: stateless, but the sockets passed in belong to one thread each, as always with
 * ZeroMQ.
 */
public final class ZmqMessages {
    private ZmqMessages() {}

    /** Publishes any payload map as {@code [topic, MessagePack payload]} (e.g. on topic {@code servers}). */
    public static boolean sendPublication(ZMQ.Socket pub, String topic, Map<String, Object> payload) {
        List<byte[]> frames = publicationFrames(topic, payload);
        return pub.send(frames.get(0), ZMQ.SNDMORE) && pub.send(frames.get(1), 0);
    }

    /** A publication's two frames: the topic in UTF-8, the payload in MessagePack. */
    public static List<byte[]> publicationFrames(String topic, Map<String, Object> payload) {
        return List.of(topic.getBytes(StandardCharsets.UTF_8), MsgPack.encode(payload));
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

    /**
     * A message received by a DEALER (or ROUTER) server behind the broker, split into the routing
     * frames to echo back and the body.
     *
     * @param routing the frames up to and including the first empty delimiter; with no delimiter
     *     (a DEALER client), every frame but the last
     * @param body the frames after the routing frames: exactly one for a well-formed request
     */
    public record Routed(List<byte[]> routing, List<byte[]> body) {
        /** The reply message: the routing frames followed by {@code payload}. */
        public List<byte[]> reply(byte[] payload) {
            List<byte[]> frames = new ArrayList<>(routing.size() + 1);
            frames.addAll(routing);
            frames.add(payload);
            return frames;
        }

        /** The client's identity as the broker's ROUTER assigned it (hex), for logs. */
        public String peer() {
            return routing.isEmpty() ? "?" : java.util.HexFormat.of().formatHex(routing.get(0));
        }
    }

    /** Splits a message as documented on {@link Routed}. */
    public static Routed splitRouted(List<byte[]> frames) {
        for (int i = 0; i < frames.size(); i++) {
            if (frames.get(i).length == 0) {
                return new Routed(
                        List.copyOf(frames.subList(0, i + 1)), List.copyOf(frames.subList(i + 1, frames.size())));
            }
        }
        int last = frames.size() - 1;
        return new Routed(
                List.copyOf(frames.subList(0, Math.max(0, last))),
                List.copyOf(frames.subList(Math.max(0, last), frames.size())));
    }
}
