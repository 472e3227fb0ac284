package io.synod.messaging;

import io.synod.messaging.zmtp.SubscriptionFilter;
import io.synod.protocol.SessionTopics;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The proxy's one rule about topics: a publication on a session topic ({@link SessionTopics}: a user's private
 * messages and notifications in secure mode) goes only to subscribers that named the session's whole delivery
 * string, never to one that subscribed to a prefix of every session topic (the empty subscription, {@code \u001F},
 * {@code \u001Fsession\u001F}, or a part of a delivery string). Without it, "subscribe to everything" would read every
 * user's private deliveries. A subscriber that holds such a wildcard gets no session deliveries at all, even of a
 * session it also names. Every other topic is matched by prefix, as XPUB does; in compat mode nothing is published
 * on a session topic, so nothing changes there.
 *
 * <p>Thread-safety: stateless.
 */
final class SessionTopicGuard {
    private static final byte[] PREFIX = SessionTopics.PREFIX.getBytes(StandardCharsets.UTF_8);
    /** The longest subscription that does not name a whole delivery string: a wildcard over session topics. */
    private static final int WILDCARD_BYTES_MAX = PREFIX.length + SessionTopics.DELIVERY_CHARS - 1;

    private SessionTopicGuard() {}

    /** Calls {@code action} once per subscriber that receives a publication whose first frame is {@code topic}. */
    static <S> void forEachMatch(SubscriptionFilter<S> subscriptions, byte[] topic, Consumer<S> action) {
        if (!isSessionTopic(topic)) {
            subscriptions.forEachMatch(topic, action);
            return;
        }
        Set<S> wildcards = new HashSet<>();
        subscriptions.forEachMatch(Arrays.copyOf(topic, WILDCARD_BYTES_MAX), wildcards::add);
        subscriptions.forEachMatch(topic, subscriber -> {
            if (!wildcards.contains(subscriber)) {
                action.accept(subscriber);
            }
        });
    }

    private static boolean isSessionTopic(byte[] topic) {
        return topic.length > WILDCARD_BYTES_MAX && Arrays.equals(topic, 0, PREFIX.length, PREFIX, 0, PREFIX.length);
    }
}
