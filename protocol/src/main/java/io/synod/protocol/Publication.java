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

    /** The Lamport clock of the write that produced it. */
    long clock();

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
     * A post (extension, social network): topic {@link Social#postsTopic}; payload {@code {user, message, reply_to,
     * timestamp, clock, seq, id, index}}. {@code seq} counts the author's posts (gap-free, from 1), {@code reply_to}
     * is the id of the post it answers or empty, and {@code id} is the post id.
     */
    record SocialPost(
            String user,
            String message,
            String replyTo,
            double timestampSeconds,
            long clock,
            long seq,
            String id,
            long index)
            implements Publication {
        public String topic() {
            return Social.postsTopic(user);
        }

        public Map<String, Object> toPayload() {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("user", user);
            p.put("message", message);
            p.put("reply_to", replyTo);
            p.put("timestamp", timestampSeconds);
            p.put("clock", clock);
            p.put("seq", seq);
            p.put("id", id);
            p.put("index", index);
            return p;
        }
    }

    /**
     * A notification (extension, social network): topic {@link Social#notificationsTopic}; payload {@code {user,
     * kind, actor, ref, channel, message, timestamp, clock, seq, id, index}}. {@code seq} counts the notifications of
     * {@code user} (gap-free, from 1); {@code kind} is {@code follower}, {@code mention} or {@code message}; {@code
     * actor} is who caused it; {@code ref} the id of the post or message concerned (empty for {@code follower});
     * {@code channel} the channel of a mention in a channel message (else empty); {@code message} an excerpt of the
     * text.
     */
    record Notification(
            String user,
            String kind,
            String actor,
            String ref,
            String channel,
            String message,
            double timestampSeconds,
            long clock,
            long seq,
            String id,
            long index)
            implements Publication {
        public String topic() {
            return Social.notificationsTopic(user);
        }

        public Map<String, Object> toPayload() {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("user", user);
            p.put("kind", kind);
            p.put("actor", actor);
            p.put("ref", ref);
            p.put("channel", channel);
            p.put("message", message);
            p.put("timestamp", timestampSeconds);
            p.put("clock", clock);
            p.put("seq", seq);
            p.put("id", id);
            p.put("index", index);
            return p;
        }
    }

    /**
     * A private message or a notification sent on one of its recipient's session topics ({@link SessionTopics}) in
     * secure mode: the payload is {@code delivery}'s, only the topic differs. The state machine makes one per live
     * session of the recipient, next to the {@code delivery} itself; a server publishes one kind or the other
     * according to its mode.
     */
    record SessionDelivery(String topic, Publication delivery) implements Publication {
        public long seq() {
            return delivery.seq();
        }

        public String id() {
            return delivery.id();
        }

        public long clock() {
            return delivery.clock();
        }

        public Map<String, Object> toPayload() {
            return delivery.toPayload();
        }
    }

    /**
     * Reads a payload received on {@code topic}. On a session topic ({@link SessionTopics}) it is a {@link
     * SessionDelivery} of a private message or of a notification (of the payload's {@code user}). On a notification or post topic ({@link Social}) it is that; else a
     * payload with {@code src} is a private message, one with {@code user} a channel post. Foreign servers may omit
     * Synod's extra fields, which then read as 0 or empty.
     */
    static Publication fromPayload(String topic, Map<String, Object> payload, Limits limits) {
        Fields f = new Fields(payload);
        double ts = f.optionalTimestamp("timestamp").orElse(0.0);
        long clock = f.optionalLong("clock", 0);
        long seq = f.optionalLong("seq", 0);
        String id = f.optionalText("id", 128).orElse("");
        long index = f.optionalLong("index", 0);
        if (SessionTopics.isNotificationsTopic(topic)) {
            String user = f.requireText("user", limits.nameCharsMax());
            return new SessionDelivery(topic, fromPayload(Social.notificationsTopic(user), payload, limits));
        }
        if (SessionTopics.isMessagesTopic(topic)) {
            String dst = f.requireText("dst", limits.nameCharsMax());
            f.requireText("src", limits.nameCharsMax()); // a private message, never read as a channel post
            return new SessionDelivery(topic, fromPayload(dst, payload, limits));
        }
        String notified = Social.nameIn(topic, Social.NOTIFICATIONS_TOPIC_PREFIX);
        if (notified != null) {
            return new Notification(
                    notified,
                    f.requireText("kind", limits.nameCharsMax()),
                    f.requireText("actor", limits.nameCharsMax()),
                    f.optionalString("ref", limits.nameCharsMax()),
                    f.optionalString("channel", limits.nameCharsMax()),
                    f.optionalString("message", limits.messageCharsMax()),
                    ts,
                    clock,
                    seq,
                    id,
                    index);
        }
        String message = f.requireText("message", limits.messageCharsMax());
        String author = Social.nameIn(topic, Social.POSTS_TOPIC_PREFIX);
        if (author != null) {
            return new SocialPost(author, message, f.optionalString("reply_to", 128), ts, clock, seq, id, index);
        }
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
