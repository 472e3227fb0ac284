package io.synod.client;

import io.synod.protocol.Envelope;
import io.synod.protocol.Limits;
import io.synod.protocol.ProtocolException;
import io.synod.protocol.Publication;
import io.synod.protocol.Replies;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns reply envelopes into {@link ClientReply} values, leniently: replies from foreign servers
 * may use {@code users} for the channel list, omit {@code status} on listings, or carry list
 * items that are maps with a {@code name}. Stateless and thread-safe.
 */
final class ReplyParser {
    private ReplyParser() {}

    static boolean ok(Envelope reply) {
        return !Replies.ERRO.equals(reply.data().get("status")) && !Replies.ERRO.equals(reply.service());
    }

    static ClientReply.Status status(Envelope reply) {
        boolean ok = ok(reply);
        return new ClientReply.Status(ok, ok ? null : Replies.errorText(reply), reply);
    }

    /** A listing under {@code key}, or under {@code alternativeKey} if {@code key} is absent. */
    static ClientReply.Names names(Envelope reply, String key, String alternativeKey) {
        if (!ok(reply)) {
            return new ClientReply.Names(false, List.of(), Replies.errorText(reply), reply);
        }
        Object value = reply.data().get(key);
        if (!(value instanceof List<?>)) {
            value = reply.data().get(alternativeKey);
        }
        List<String> names = new ArrayList<>();
        if (value instanceof List<?> items) {
            for (Object item : items) {
                String name = nameOf(item);
                if (name != null) {
                    names.add(name);
                }
            }
        }
        return new ClientReply.Names(true, names, null, reply);
    }

    /** A history page; {@code topic} names the channel, or the user for private history. */
    static ClientReply.HistoryPage historyPage(Envelope reply, String topic, Limits limits) {
        if (!ok(reply)) {
            return new ClientReply.HistoryPage(false, List.of(), 0, false, Replies.errorText(reply), reply);
        }
        List<Publication> messages = new ArrayList<>();
        if (reply.data().get("messages") instanceof List<?> items) {
            for (Object item : items) {
                Publication publication = publicationOf(topic, item, limits);
                if (publication != null) {
                    messages.add(publication);
                }
            }
        }
        long lastSeq = messages.stream().mapToLong(Publication::seq).max().orElse(0);
        long nextSeq = reply.data().get("next_seq") instanceof Long next ? next : lastSeq;
        boolean more = Boolean.TRUE.equals(reply.data().get("more"));
        return new ClientReply.HistoryPage(true, messages, nextSeq, more, null, reply);
    }

    /**
     * The reply of a social service. {@code itemsKey} names its list of publication payloads ({@code posts} or
     * {@code notifications}; null for none); {@code topicOf} gives the topic an item is read on (a post's from its
     * {@code user}, a notification's from the asking user), so it decodes as that kind. Items that do not decode
     * are skipped.
     */
    static ClientReply.SocialPage socialPage(
            Envelope reply, String itemsKey, java.util.function.Function<Map<?, ?>, String> topicOf, Limits limits) {
        if (!ok(reply)) {
            return new ClientReply.SocialPage(false, List.of(), reply.data(), Replies.errorText(reply), reply);
        }
        List<Publication> items = new ArrayList<>();
        if (itemsKey != null && reply.data().get(itemsKey) instanceof List<?> list) {
            for (Object item : list) {
                String topic = item instanceof Map<?, ?> map ? topicOf.apply(map) : null;
                Publication publication = topic == null ? null : publicationOf(topic, item, limits);
                if (publication != null) {
                    items.add(publication);
                }
            }
        }
        return new ClientReply.SocialPage(true, items, reply.data(), null, reply);
    }

    /** A publication payload, or null if it does not decode. */
    static Publication publicationOf(String topic, Object payload, Limits limits) {
        if (!(payload instanceof Map<?, ?> map)) {
            return null;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> typed = (Map<String, Object>) map;
        try {
            return Publication.fromPayload(topic, typed, limits);
        } catch (ProtocolException e) {
            return null;
        }
    }

    private static String nameOf(Object item) {
        return switch (item) {
            case String s -> s;
            case Map<?, ?> m when m.get("name") instanceof String s -> s;
            case null -> null;
            default -> String.valueOf(item);
        };
    }
}
