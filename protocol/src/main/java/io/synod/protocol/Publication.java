package io.synod.protocol;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a server publishes on the proxy as the two frames {@code [topic, MessagePack payload]}.
 * The payload has the statement's fields plus Synod's: {@code seq} (per-topic sequence, gap-free,
 * starting at 1), {@code id} (a message id unique in the cluster) and {@code index} (the log index
 * of the write that produced it).
 */
public sealed interface Publication {
    /** The topic frame: the channel name, or the destination user. */
    String topic();

    long seq();

    String id();

    Map<String, Object> toPayload();

    default byte[] encodePayload() {
        return MsgPack.encode(toPayload());
    }

    /** A channel post: topic = channel; payload {@code {user, message, timestamp, clock, channel, seq, id, index}}. */
    record ChannelPost(
            String channel,
            String user,
            String message,
            double timestampSeconds,
            long clock,
            long seq,
            String id,
            long index)
            implements Publication {
        public String topic() {
            return channel;
        }

        public Map<String, Object> toPayload() {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("user", user);
            p.put("message", message);
            p.put("timestamp", timestampSeconds);
            p.put("clock", clock);
            p.put("channel", channel);
            p.put("seq", seq);
            p.put("id", id);
            p.put("index", index);
            return p;
        }
    }

    /**
     * A private message: topic = dst; payload {@code {src, message, timestamp, clock, dst, seq, id,
     * index, conversation_seq}}. {@code seq} counts the messages received by {@code dst}.
     */
    record DirectMessage(
            String src,
            String dst,
            String message,
            double timestampSeconds,
            long clock,
            long seq,
            String id,
            long index,
            long conversationSeq)
            implements Publication {
        public String topic() {
            return dst;
        }

        public Map<String, Object> toPayload() {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("src", src);
            p.put("message", message);
            p.put("timestamp", timestampSeconds);
            p.put("clock", clock);
            p.put("dst", dst);
            p.put("seq", seq);
            p.put("id", id);
            p.put("index", index);
            p.put("conversation_seq", conversationSeq);
            return p;
        }
    }

    /**
     * Reads a payload received on {@code topic}. A payload with {@code src} is a private message,
     * one with {@code user} a channel post; foreign servers may omit Synod's extra fields, which
     * then read as 0 or empty.
     */
    static Publication fromPayload(String topic, Map<String, Object> payload, Limits limits) {
        Fields f = new Fields(payload);
        double ts = f.optionalTimestamp("timestamp").orElse(0.0);
        long clock = f.optionalLong("clock", 0);
        long seq = f.optionalLong("seq", 0);
        String id = f.optionalText("id", 128).orElse("");
        long index = f.optionalLong("index", 0);
        String message = f.requireText("message", limits.messageCharsMax());
        if (f.has("src")) {
            return new DirectMessage(
                    f.requireText("src", limits.nameCharsMax()),
                    f.optionalText("dst", limits.nameCharsMax()).orElse(topic),
                    message,
                    ts,
                    clock,
                    seq,
                    id,
                    index,
                    f.optionalLong("conversation_seq", 0));
        }
        return new ChannelPost(
                f.optionalText("channel", limits.nameCharsMax()).orElse(topic),
                f.requireText("user", limits.nameCharsMax()),
                message,
                ts,
                clock,
                seq,
                id,
                index);
    }
}
