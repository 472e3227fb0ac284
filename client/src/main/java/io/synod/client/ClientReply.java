package io.synod.client;

import io.synod.protocol.Envelope;
import io.synod.protocol.Publication;
import java.util.List;

/**
 * The typed result of one request that got a reply: success, or the server's error text
 * ({@code erro} with {@code description} or {@code message}). Immutable values.
 */
public sealed interface ClientReply permits ClientReply.Status, ClientReply.Names, ClientReply.HistoryPage {

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
}
