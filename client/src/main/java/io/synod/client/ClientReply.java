package io.synod.client;

import io.synod.protocol.Envelope;
import io.synod.protocol.Publication;
import java.util.List;
import java.util.Map;

/**
 * The typed result of one request that got a reply: success, or the server's error text
 * ({@code erro} with {@code description} or {@code message}). Immutable values.
 */
public sealed interface ClientReply
        permits ClientReply.Status, ClientReply.Names, ClientReply.HistoryPage, ClientReply.SocialPage {

    /** Whether the server reported success. */
    boolean ok();

    /** The server's error text when {@link #ok()} is false, else null. */
    String errorText();

    /** The decoded reply as received. */
    Envelope envelope();

    /** The reply of {@code login}, {@code channel}, {@code publish} or {@code message}. */
    record Status(boolean ok, String errorText, Envelope envelope) implements ClientReply {}

    /** The reply of {@code users} or {@code channels}: the names listed (empty on error). */
    record Names(boolean ok, List<String> names, String errorText, Envelope envelope) implements ClientReply {
        public Names {
            names = List.copyOf(names);
        }
    }

    /**
     * A page of {@code history} or {@code private_history}: the messages in sequence order,
     * {@code nextSeq} (the {@code after_seq} of the next page) and whether {@code more} exist.
     */
    record HistoryPage(
            boolean ok, List<Publication> messages, long nextSeq, boolean more, String errorText, Envelope envelope)
            implements ClientReply {
        public HistoryPage {
            messages = List.copyOf(messages);
        }
    }

    /**
     * The reply of a social service (docs/protocol.md, "The social network"; and {@code search}): its decoded
     * {@code items} ({@link Publication.SocialPost}s for {@code profile}, {@code timeline} and {@code feed};
     * {@link Publication.Notification}s for {@code notifications}; empty for the others, whose lists are maps read
     * with {@link #maps}) and every field of the reply as sent ({@code data}), for the counts and cursors. A
     * foreign or older server may omit a field: the accessors then answer 0, false or empty.
     */
    record SocialPage(
            boolean ok, List<Publication> items, Map<String, Object> data, String errorText, Envelope envelope)
            implements ClientReply {
        public SocialPage {
            items = List.copyOf(items);
            data = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(data));
        }

        /** An integer field ({@code last_seq}, {@code unread_total}, {@code next_before}...), or 0. */
        public long number(String key) {
            return data.get(key) instanceof Long value ? value : 0;
        }

        /** A text field ({@code id}, {@code next_cursor}...), or null. */
        public String text(String key) {
            return data.get(key) instanceof String value ? value : null;
        }

        /** Whether the server has more after this page. */
        public boolean more() {
            return Boolean.TRUE.equals(data.get("more"));
        }

        /** A list of names ({@code users} of {@code followers} / {@code following}). */
        public List<String> names(String key) {
            return data.get(key) instanceof List<?> list
                    ? list.stream()
                            .filter(String.class::isInstance)
                            .map(String.class::cast)
                            .toList()
                    : List.of();
        }

        /** A list of maps ({@code conversations}, {@code results} of {@code search}); other items are skipped. */
        @SuppressWarnings("unchecked")
        public List<Map<String, Object>> maps(String key) {
            return data.get(key) instanceof List<?> list
                    ? list.stream()
                            .filter(Map.class::isInstance)
                            .map(m -> (Map<String, Object>) m)
                            .toList()
                    : List.of();
        }
    }
}
