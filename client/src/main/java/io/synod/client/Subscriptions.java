package io.synod.client;

import io.synod.protocol.Envelope;
import io.synod.protocol.Publication;
import io.synod.protocol.Services;
import io.synod.protocol.Social;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The topics a client listens to: one {@link TopicSequencer} per subscribed channel, one for
 * the logged-in user's inbox (topic = own name, requirement S10), one for that user's
 * notifications and one per author whose posts are followed live (the social topics,
 * docs/protocol.md section 5). Executes the sequencers' steps: deliveries to the
 * {@link Deliverer}, history fetches through the {@link ClientLoop} ({@code history} for a
 * channel, {@code private_history} without a peer for the inbox, {@code notifications} by
 * {@code after_seq} for the notifications, {@code profile} pages for an author's posts).
 *
 * <p>Notifications start from the user's {@code last_seq} (one {@code notifications} read at
 * login), so a notification lost while the subscription propagates is fetched when a later one
 * shows the gap; nothing older is delivered. An author's posts start from the first one that
 * arrives live (no read per author: a user may follow 1,000); a jump after it is filled from
 * {@code profile}, newest first, walking back at most {@link #POST_GAP_PAGES_MAX} pages (older
 * posts of a longer gap are reported as a skipped gap; {@code feed} has them).
 *
 * <p>A channel and a user may share a name, hence a topic: posts go to the channel's sequencer,
 * private messages to the inbox's, each with its own sequence numbers.
 *
 * <p>Not thread-safe: owned by the I/O thread.
 */
final class Subscriptions {
    /** Pages of {@code profile} one post gap fill may read, newest first, before it gives up on older ones. */
    static final int POST_GAP_PAGES_MAX = 10;

    private final ClientLoop loop;
    private final ClientConfig config;
    private final Map<String, TopicSequencer> channels = new HashMap<>();
    private final Map<String, Integer> zmqTopicUses = new HashMap<>();
    private TopicSequencer inbox;
    /** The logged-in user whose inbox {@link #inbox} is (its topic is the user's name, or a session topic). */
    private String inboxUser;

    private TopicSequencer notifications;
    /** The logged-in user's notification sequencer's owner (the {@code user} of its fetches). */
    private String notifiedUser;
    /** Post sequencers by author. */
    private final Map<String, TopicSequencer> posts = new HashMap<>();
    /** Authors by post topic, for the exact topic match of live publications. */
    private final Map<String, String> postTopics = new HashMap<>();

    Subscriptions(ClientLoop loop, ClientConfig config) {
        this.loop = loop;
        this.config = config;
    }

    /** Whether a publication on exactly {@code topic} is wanted (ZeroMQ filters by prefix only). */
    boolean wants(String topic) {
        return channels.containsKey(topic)
                || (inbox != null && inbox.topic().equals(topic))
                || (notifications != null && notifications.topic().equals(topic))
                || postTopics.containsKey(topic);
    }

    /** The authors whose posts are listened to. */
    Set<String> postAuthors() {
        return new TreeSet<>(posts.keySet());
    }

    Set<String> channels() {
        return new TreeSet<>(channels.keySet());
    }

    /** Subscribes to a channel; with {@code replayHistory}, first fetches its recent messages. */
    void subscribeChannel(String channel, boolean replayHistory) {
        if (channels.containsKey(channel)) {
            return;
        }
        TopicSequencer sequencer = newSequencer(channel, config.joinHistoryDeliverMax());
        channels.put(channel, sequencer);
        useTopic(channel);
        if (replayHistory) {
            apply(sequencer, sequencer.startJoinReplay());
        }
    }

    /** Subscribes to a channel and delivers every message after {@code afterSeq}, then live ones. */
    void subscribeChannelFrom(String channel, long afterSeq) {
        if (channels.containsKey(channel)) {
            return;
        }
        TopicSequencer sequencer = newSequencer(channel, config.joinHistoryDeliverMax());
        channels.put(channel, sequencer);
        useTopic(channel);
        apply(sequencer, sequencer.startFrom(afterSeq));
    }

    void unsubscribeChannel(String channel) {
        if (channels.remove(channel) != null) {
            releaseTopic(channel);
        }
    }

    /**
     * Listens to {@code user}'s private messages, replacing a previous user's inbox. The inbox's
     * history is fetched silently (nothing old is delivered) to learn its last {@code seq}, so that
     * a message lost while the subscription propagates (ZeroMQ's slow joiner) is fetched as soon as
     * a later one arrives.
     */
    void subscribeInbox(String user) {
        subscribeInbox(user, user);
    }

    /**
     * As {@link #subscribeInbox(String)}, listening on {@code topic}: the user's name, or in secure mode the messages
     * topic of the user's session (docs/protocol.md section 5), where the server sends them instead.
     */
    void subscribeInbox(String user, String topic) {
        if (inbox != null && inbox.topic().equals(topic)) {
            return;
        }
        if (inbox != null) {
            releaseTopic(inbox.topic());
        }
        inbox = newSequencer(topic, 0);
        inboxUser = user;
        useTopic(topic);
        apply(inbox, inbox.startJoinReplay());
    }

    /**
     * Listens to {@code user}'s notifications, replacing a previous user's. Reads {@code last_seq} first and
     * delivers only what comes after it; if that read fails (a server without the service), the first live
     * notification sets the start instead.
     */
    void subscribeNotifications(String user) {
        subscribeNotifications(user, Social.notificationsTopic(user));
    }

    /** As {@link #subscribeNotifications(String)}, listening on {@code topic} (a session's, in secure mode). */
    void subscribeNotifications(String user, String topic) {
        if (notifications != null && notifications.topic().equals(topic)) {
            return;
        }
        if (notifications != null) {
            releaseTopic(notifications.topic());
        }
        TopicSequencer sequencer = newSequencer(topic, 0);
        notifications = sequencer;
        notifiedUser = user;
        useTopic(topic);
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("user", user);
        fields.put("limit", 1);
        loop.submit(Services.NOTIFICATIONS, fields, (reply, failure) -> {
            if (sequencer != notifications || reply == null || !ReplyParser.ok(reply)) {
                return;
            }
            if (sequencer.lastDeliveredSeq() > 0 || sequencer.fetching()) {
                return; // a live notification came first and set the start; its gaps are being filled
            }
            long lastSeq = reply.data().get("last_seq") instanceof Long last ? Math.max(0, last) : 0;
            apply(sequencer, sequencer.startFrom(lastSeq));
        });
    }

    /** Listens to {@code author}'s posts from the next one on (see the class comment). */
    void subscribePosts(String author) {
        if (posts.containsKey(author)) {
            return;
        }
        String topic = Social.postsTopic(author);
        posts.put(author, newSequencer(topic, 0));
        postTopics.put(topic, author);
        useTopic(topic);
    }

    void unsubscribePosts(String author) {
        TopicSequencer removed = posts.remove(author);
        if (removed != null) {
            postTopics.remove(removed.topic());
            releaseTopic(removed.topic());
        }
    }

    void onLive(String topic, Publication received) {
        // a session topic carries the recipient's own private messages and notifications: routed by its topic
        Publication publication =
                received instanceof Publication.SessionDelivery delivery ? delivery.delivery() : received;
        TopicSequencer sequencer = switch (publication) {
            case Publication.DirectMessage dm -> inbox != null && inbox.topic().equals(topic) ? inbox : null;
            case Publication.ChannelPost post -> channels.get(topic);
            case Publication.SocialPost post -> {
                String author = postTopics.get(topic);
                yield author == null ? null : posts.get(author);
            }
            case Publication.Notification notification ->
                notifications != null && notifications.topic().equals(topic) ? notifications : null;
            case Publication.SessionDelivery nested -> null; // never nested by a server
        };
        if (sequencer != null) {
            apply(sequencer, sequencer.onLive(publication));
        }
    }

    private TopicSequencer newSequencer(String topic, int joinDeliverMax) {
        return new TopicSequencer(
                topic, config.bufferedDeliveriesPerTopicMax(), joinDeliverMax, config.gapFillAttemptsMax());
    }

    private void apply(TopicSequencer sequencer, TopicSequencer.Step step) {
        for (TopicSequencer.Gap gap : step.skippedGaps()) {
            loop.logEvent(
                    "gap-skipped",
                    Map.of("topic", sequencer.topic(), "from_seq", gap.fromSeq(), "to_seq", gap.toSeq()));
            loop.deliverer().gapSkipped(sequencer.topic(), gap.fromSeq(), gap.toSeq());
        }
        long unconfirmed = sequencer.takeUnconfirmedDropped();
        if (unconfirmed > 0) {
            loop.logEvent(
                    "unconfirmed-dropped",
                    Map.of(
                            "topic",
                            sequencer.topic(),
                            "count",
                            unconfirmed,
                            "after_seq",
                            sequencer.lastDeliveredSeq()));
        }
        loop.deliverer().deliver(step.deliveries());
        switch (step.fetch().kind()) {
            case NONE -> {}
            case NOW -> fetch(sequencer, step.fetch().afterSeq());
            case LATER ->
                loop.schedule(config.gapRetryDelayMillis(), () -> fetch(sequencer, sequencer.fetchAfterSeq()));
        }
    }

    private void fetch(TopicSequencer sequencer, long afterSeq) {
        if (!current(sequencer)) {
            return;
        }
        if (sequencer == notifications) {
            fetchNotifications(sequencer, afterSeq);
            return;
        }
        String author = postTopics.get(sequencer.topic());
        if (author != null && posts.get(author) == sequencer) {
            fetchPosts(sequencer, author, afterSeq, 0, new ArrayList<>(), 0);
            return;
        }
        boolean isInbox = sequencer == inbox;
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put(isInbox ? "user" : "channel", isInbox ? inboxUser : sequencer.topic());
        fields.put("after_seq", afterSeq);
        fields.put("limit", config.historyPageSize());
        String service = isInbox ? Services.PRIVATE_HISTORY : Services.HISTORY;
        loop.submit(service, fields, (reply, failure) -> onFetched(sequencer, isInbox, reply));
    }

    private void onFetched(TopicSequencer sequencer, boolean isInbox, Envelope reply) {
        if (!current(sequencer)) {
            return;
        }
        if (reply == null || !ReplyParser.ok(reply)) {
            apply(sequencer, sequencer.onFetchFailed());
            return;
        }
        ClientReply.HistoryPage page =
                ReplyParser.historyPage(reply, isInbox ? inboxUser : sequencer.topic(), config.limits());
        List<Publication> mine = page.messages().stream()
                .filter(p -> isInbox
                        ? p instanceof Publication.DirectMessage dm && dm.dst().equals(inboxUser)
                        : p instanceof Publication.ChannelPost post
                                && post.channel().equals(sequencer.topic()))
                .toList();
        apply(sequencer, sequencer.onHistory(mine, page.more()));
    }

    private boolean current(TopicSequencer sequencer) {
        return sequencer == inbox
                || sequencer == notifications
                || channels.get(sequencer.topic()) == sequencer
                || (postTopics.containsKey(sequencer.topic())
                        && posts.get(postTopics.get(sequencer.topic())) == sequencer);
    }

    private void fetchNotifications(TopicSequencer sequencer, long afterSeq) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("user", notifiedUser);
        fields.put("after_seq", afterSeq);
        fields.put("limit", Math.min(config.historyPageSize(), Social.PAGE_ITEMS_MAX));
        loop.submit(Services.NOTIFICATIONS, fields, (reply, failure) -> {
            if (!current(sequencer)) {
                return;
            }
            if (reply == null || !ReplyParser.ok(reply)) {
                apply(sequencer, sequencer.onFetchFailed());
                return;
            }
            ClientReply.SocialPage page = ReplyParser.socialPage(
                    reply, "notifications", item -> Social.notificationsTopic(notifiedUser), config.limits());
            apply(sequencer, sequencer.onHistory(page.items(), page.more()));
        });
    }

    /**
     * Fills a gap in {@code author}'s posts: {@code profile} pages, newest first, until one reaches {@code afterSeq}
     * (or {@link #POST_GAP_PAGES_MAX} pages), then hands every post after {@code afterSeq} to the sequencer.
     */
    private void fetchPosts(
            TopicSequencer sequencer, String author, long afterSeq, long before, List<Publication> found, int page) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("user", author);
        if (before > 0) {
            fields.put("before", before);
        }
        fields.put("limit", Social.PAGE_ITEMS_MAX);
        loop.submit(Services.PROFILE, fields, (reply, failure) -> {
            if (!current(sequencer)) {
                return;
            }
            if (reply == null || !ReplyParser.ok(reply)) {
                apply(sequencer, sequencer.onFetchFailed());
                return;
            }
            ClientReply.SocialPage profile =
                    ReplyParser.socialPage(reply, "posts", item -> sequencer.topic(), config.limits());
            long oldest = Long.MAX_VALUE;
            for (Publication post : profile.items()) {
                oldest = Math.min(oldest, post.seq());
                if (post.seq() > afterSeq) {
                    found.add(post);
                }
            }
            long next = profile.number("next_before");
            boolean reached = profile.items().isEmpty() || oldest <= afterSeq + 1 || !profile.more() || next <= 0;
            if (!reached && page + 1 < POST_GAP_PAGES_MAX) {
                fetchPosts(sequencer, author, afterSeq, next, found, page + 1);
            } else {
                apply(sequencer, sequencer.onHistory(found, false));
            }
        });
    }

    private void useTopic(String topic) {
        if (zmqTopicUses.merge(topic, 1, Integer::sum) == 1) {
            loop.zmqSubscribe(topic);
        }
    }

    private void releaseTopic(String topic) {
        Integer uses = zmqTopicUses.computeIfPresent(topic, (t, n) -> n == 1 ? null : n - 1);
        if (uses == null) {
            loop.zmqUnsubscribe(topic);
        }
    }
}
