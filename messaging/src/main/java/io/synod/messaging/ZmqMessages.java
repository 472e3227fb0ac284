package io.synod.messaging;

import io.synod.protocol.Envelope;
import io.synod.protocol.MsgPack;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
 * <p>Thread-safety: stateless.
 */
public final class ZmqMessages {
    private ZmqMessages() {}

    /** A publication's two frames: the topic in UTF-8, the payload in MessagePack. */
    public static List<byte[]> publicationFrames(String topic, Map<String, Object> payload) {
        return List.of(topic.getBytes(StandardCharsets.UTF_8), MsgPack.encode(payload));
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
