package io.synod.messaging.zmtp;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * ZeroMQ's subscription filter: who subscribed to which topics (each subscription counted, as a SUB may
 * subscribe to a topic twice), and which subscribers a message matches (a topic matches when it prefixes the
 * message's first frame). The proxy keeps one for its subscribers, a {@link ZmtpClient} PUB one for the proxy
 * at the other end of its connection.
 *
 * <p>Not thread-safe: owned by one loop.
 *
 * @param <S> the subscriber (compared by identity or its own equals)
 */
public final class SubscriptionFilter<S> {
    /** Subscribers by topic, with how many times each subscribed it. */
    private final Map<Topic, Map<S, Integer>> subscribers = new HashMap<>();
    /** Topics of each subscriber, counted. */
    private final Map<S, Map<Topic, Integer>> topicsOf = new HashMap<>();
    /** How many topics of each length are subscribed: only those prefix lengths need a lookup. */
    private final TreeMap<Integer, Integer> topicLengths = new TreeMap<>();

    private final Topic probe = new Topic(new byte[0], 0);
    private final Set<S> matched = new HashSet<>();

    /**
     * Applies one subscription message (its first byte 1 to subscribe, 0 to cancel, then the topic).
     *
     * @return the message to pass on to publishers (the first subscription to a topic, or the cancellation of
     *     its last one), or null if nothing changes upstream or it was not a subscription message
     */
    public byte[] apply(S subscriber, byte[] message) {
        if (message.length == 0 || (message[0] != 0 && message[0] != 1)) {
            return null;
        }
        byte[] topic = Arrays.copyOfRange(message, 1, message.length);
        boolean changed = message[0] == 1 ? subscribe(subscriber, topic) : cancel(subscriber, topic);
        return changed ? message.clone() : null;
    }

    /** Adds one subscription; true if the topic had no subscriber before. */
    private boolean subscribe(S subscriber, byte[] topicBytes) {
        Topic topic = new Topic(topicBytes, topicBytes.length);
        topicsOf.computeIfAbsent(subscriber, s -> new HashMap<>()).merge(topic, 1, Integer::sum);
        Map<S, Integer> counts = subscribers.get(topic);
        boolean first = counts == null;
        if (first) {
            counts = new HashMap<>();
            subscribers.put(topic, counts);
            topicLengths.merge(topic.length, 1, Integer::sum);
        }
        counts.merge(subscriber, 1, Integer::sum);
        return first;
    }

    /** Removes one subscription (if there is one); true if the topic has no subscriber left. */
    private boolean cancel(S subscriber, byte[] topicBytes) {
        Topic topic = new Topic(topicBytes, topicBytes.length);
        Map<Topic, Integer> own = topicsOf.get(subscriber);
        if (own == null || !own.containsKey(topic)) {
            return false;
        }
        own.computeIfPresent(topic, (t, count) -> count == 1 ? null : count - 1);
        if (own.isEmpty()) {
            topicsOf.remove(subscriber);
        }
        Map<S, Integer> counts = subscribers.get(topic);
        counts.computeIfPresent(subscriber, (s, count) -> count == 1 ? null : count - 1);
        if (!counts.isEmpty()) {
            return false;
        }
        subscribers.remove(topic);
        topicLengths.computeIfPresent(topic.length, (length, count) -> count == 1 ? null : count - 1);
        return true;
    }

    /** Removes every subscription of a subscriber that left; returns the topics now without any subscriber. */
    public List<byte[]> removeAll(S subscriber) {
        List<byte[]> gone = new ArrayList<>();
        Map<Topic, Integer> own = topicsOf.get(subscriber);
        if (own == null) {
            return gone;
        }
        for (Map.Entry<Topic, Integer> entry : Map.copyOf(own).entrySet()) {
            for (int i = 0; i < entry.getValue(); i++) {
                if (cancel(subscriber, entry.getKey().copy())) {
                    gone.add(entry.getKey().copy());
                }
            }
        }
        return gone;
    }

    /** Every topic with at least one subscriber. */
    public List<byte[]> topics() {
        return subscribers.keySet().stream().map(Topic::copy).toList();
    }

    /** Whether any subscription prefixes {@code first}. */
    public boolean matchesAny(byte[] first) {
        for (int length : topicLengths.keySet()) {
            if (length > first.length) {
                return false;
            }
            probe.reset(first, length);
            if (subscribers.containsKey(probe)) {
                return true;
            }
        }
        return false;
    }

    /** Calls {@code action} once for each subscriber with a subscription that prefixes {@code first}. */
    public void forEachMatch(byte[] first, Consumer<S> action) {
        // the common case, one subscribed prefix matching (a channel's name): its subscribers, with no set to
        // keep each once
        Map<S, Integer> only = null;
        for (int length : topicLengths.keySet()) {
            if (length > first.length) {
                break;
            }
            probe.reset(first, length);
            Map<S, Integer> counts = subscribers.get(probe);
            if (counts == null) {
                continue;
            }
            if (only != null) {
                forEachOfSeveral(first, action);
                return;
            }
            only = counts;
        }
        if (only != null) {
            for (S subscriber : only.keySet()) {
                action.accept(subscriber);
            }
        }
    }

    /** {@link #forEachMatch} when several subscribed prefixes match: each subscriber once. */
    private void forEachOfSeveral(byte[] first, Consumer<S> action) {
        matched.clear();
        for (int length : topicLengths.keySet()) {
            if (length > first.length) {
                break;
            }
            probe.reset(first, length);
            Map<S, Integer> counts = subscribers.get(probe);
            if (counts == null) {
                continue;
            }
            for (S subscriber : counts.keySet()) {
                if (matched.add(subscriber)) {
                    action.accept(subscriber);
                }
            }
        }
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

        byte[] copy() {
            return Arrays.copyOf(bytes, length);
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
