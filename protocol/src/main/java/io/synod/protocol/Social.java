package io.synod.protocol;

/**
 * The social network's wire rules (posts, follows, notifications; docs/protocol.md section on the social services):
 * its limits, shared by the request parser and the state machine so both refuse the same input, and its two topic
 * families.
 *
 * <p>Topics. ZeroMQ subscriptions match by prefix and a course client subscribes to its user name for private
 * messages, so a social topic must start with something no name starts with, and must end with something no name
 * contains (else the topic of {@code ana} would prefix that of {@code ana b}). Names never contain control
 * characters ({@link Names}), so both marks are U+001F (unit separator): {@code \u001Fnotifications\u001F<user>\u001F}
 * and {@code \u001Fposts\u001F<author>\u001F}; subscribing to {@link #POSTS_TOPIC_PREFIX} alone receives every post.
 *
 * <p>Thread-safety: stateless.
 */
public final class Social {
    /** Longest post text, in characters (code points). */
    public static final int POST_CHARS_MAX = 1_000;
    /** Most items one social read ({@code feed}, {@code notifications}...) returns. */
    public static final int PAGE_ITEMS_MAX = 100;
    /** Items a social read returns when it gives no {@code limit}. */
    public static final int PAGE_ITEMS_DEFAULT = 20;
    /** Most users one user may follow: bounds the merge a {@code feed} page or an unread count does. */
    public static final int FOLLOWING_MAX = 1_000;
    /** Most distinct users one text notifies by {@code @name}; later mentions in the same text notify nobody. */
    public static final int MENTIONS_PER_TEXT_MAX = 8;
    /** Longest excerpt of the text a notification carries, in characters. */
    public static final int EXCERPT_CHARS_MAX = 140;

    /** Starts and ends the name part of every social topic; no name contains it. */
    public static final String TOPIC_MARK = "\u001F";
    /** The prefix of every notification topic. */
    public static final String NOTIFICATIONS_TOPIC_PREFIX = TOPIC_MARK + "notifications" + TOPIC_MARK;
    /** The prefix of every post topic (subscribe to it alone for every post: the live timeline). */
    public static final String POSTS_TOPIC_PREFIX = TOPIC_MARK + "posts" + TOPIC_MARK;

    private Social() {}

    /** The topic on which {@code user}'s notifications are published. */
    public static String notificationsTopic(String user) {
        return NOTIFICATIONS_TOPIC_PREFIX + user + TOPIC_MARK;
    }

    /** The topic on which {@code author}'s posts are published. */
    public static String postsTopic(String author) {
        return POSTS_TOPIC_PREFIX + author + TOPIC_MARK;
    }

    /** The name inside a topic built by {@link #notificationsTopic} or {@link #postsTopic}, or null. */
    static String nameIn(String topic, String prefix) {
        if (!topic.startsWith(prefix) || !topic.endsWith(TOPIC_MARK) || topic.length() <= prefix.length() + 1) {
            return null;
        }
        return topic.substring(prefix.length(), topic.length() - 1);
    }
}
