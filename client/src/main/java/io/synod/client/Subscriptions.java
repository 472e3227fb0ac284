package io.synod.client;

import io.synod.protocol.Envelope;
import io.synod.protocol.Publication;
import io.synod.protocol.Services;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The topics a client listens to: one {@link TopicSequencer} per subscribed channel and one for
 * the logged-in user's inbox (topic = own name, requirement S10). Executes the sequencers'
 * steps: deliveries to the {@link Deliverer}, history fetches through the {@link ClientLoop}
 * ({@code history} for a channel, {@code private_history} without a peer for the inbox).
 *
 * <p>A channel and a user may share a name, hence a topic: posts go to the channel's sequencer,
 * private messages to the inbox's, each with its own sequence numbers.
 *
 * <p>Not thread-safe: owned by the I/O thread.
 */
final class Subscriptions {
    private final ClientLoop loop;
    private final ClientConfig config;
    private final Map<String, TopicSequencer> channels = new HashMap<>();
    private final Map<String, Integer> zmqTopicUses = new HashMap<>();
    private TopicSequencer inbox;

    Subscriptions(ClientLoop loop, ClientConfig config) {
        this.loop = loop;
        this.config = config;
    }

    /** Whether a publication on exactly {@code topic} is wanted (ZeroMQ filters by prefix only). */
    boolean wants(String topic) {
        return channels.containsKey(topic) || (inbox != null && inbox.topic().equals(topic));
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
        if (inbox != null && inbox.topic().equals(user)) {
            return;
        }
        if (inbox != null) {
            releaseTopic(inbox.topic());
        }
        inbox = newSequencer(user, 0);
        useTopic(user);
        apply(inbox, inbox.startJoinReplay());
    }

    void onLive(String topic, Publication publication) {
        TopicSequencer sequencer = switch (publication) {
            case Publication.DirectMessage dm -> inbox != null && inbox.topic().equals(topic) ? inbox : null;
            case Publication.ChannelPost post -> channels.get(topic);
            case Publication.SocialPost post -> null; // social topics are not sequenced here (yet)
            case Publication.Notification notification -> null;
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
                    Map.of("topic", sequencer.topic(), "count", unconfirmed, "after_seq", sequencer.lastDeliveredSeq()));
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
        boolean isInbox = sequencer == inbox;
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put(isInbox ? "user" : "channel", sequencer.topic());
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
        ClientReply.HistoryPage page = ReplyParser.historyPage(reply, sequencer.topic(), config.limits());
        List<Publication> mine = page.messages().stream()
                .filter(p -> isInbox
                        ? p instanceof Publication.DirectMessage dm && dm.dst().equals(sequencer.topic())
                        : p instanceof Publication.ChannelPost post
                                && post.channel().equals(sequencer.topic()))
                .toList();
        apply(sequencer, sequencer.onHistory(mine, page.more()));
    }

    private boolean current(TopicSequencer sequencer) {
        return sequencer == inbox || channels.get(sequencer.topic()) == sequencer;
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
