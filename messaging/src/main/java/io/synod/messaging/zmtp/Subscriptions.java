package io.synod.messaging.zmtp;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * ZeroMQ's subscription filter on a publisher's side: the topics the other side subscribed to (each subscription
 * counted, as a subscriber may subscribe to a topic twice and cancel once), and whether a message matches (a
 * topic matches when it prefixes the message's first frame). A {@link ZmtpClient} PUB keeps one for what the proxy
 * subscribed to.
 *
 * <p>Not thread-safe: owned by one loop.
 */
final class Subscriptions {
    /** Subscribed topics, with how many times each was subscribed. */
    private final Map<Topic, Integer> counts = new HashMap<>();
    /** How many topics of each length are subscribed: only those prefix lengths need a lookup. */
    private final TreeMap<Integer, Integer> topicLengths = new TreeMap<>();
    private final Topic probe = new Topic(new byte[0], 0);

    /** Applies one subscription message (its first byte 1 to subscribe, 0 to cancel, then the topic); ignores others. */
    void apply(byte[] message) {
        if (message.length == 0 || (message[0] != 0 && message[0] != 1)) {
            return;
        }
        Topic topic = new Topic(Arrays.copyOfRange(message, 1, message.length), message.length - 1);
        if (message[0] == 1) {
            if (counts.merge(topic, 1, Integer::sum) == 1) {
                topicLengths.merge(topic.length, 1, Integer::sum);
            }
        } else if (counts.containsKey(topic)
                && counts.computeIfPresent(topic, (t, count) -> count == 1 ? null : count - 1) == null) {
            topicLengths.computeIfPresent(topic.length, (length, count) -> count == 1 ? null : count - 1);
        }
    }

    /** Forgets every subscription (the other side left). */
    void clear() {
        counts.clear();
        topicLengths.clear();
    }

    /** Whether any subscription prefixes {@code first}. */
    boolean matchesAny(byte[] first) {
        for (int length : topicLengths.keySet()) {
            if (length > first.length) {
                return false;
            }
            probe.reset(first, length);
            if (counts.containsKey(probe)) {
                return true;
            }
        }
        return false;
    }

    /**
     * A topic: the first {@code length} bytes of {@code bytes}. Mutable only for the one lookup probe, which is
     * reset to each prefix of a message's first frame instead of copying it.
     */
    private static final class Topic {
        private byte[] bytes;
        private int length;
        private int hash;

        Topic(byte[] bytes, int length) {
            reset(bytes, length);
        }

        void reset(byte[] newBytes, int newLength) {
            bytes = newBytes;
            length = newLength;
            int h = 1;
            for (int i = 0; i < newLength; i++) {
                h = 31 * h + newBytes[i];
            }
            hash = h;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Topic topic && Arrays.equals(bytes, 0, length, topic.bytes, 0, topic.length);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
