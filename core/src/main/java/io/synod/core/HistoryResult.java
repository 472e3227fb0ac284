package io.synod.core;

import io.synod.protocol.Publication;
import java.util.List;

/**
 * The answer to a history query: a page of messages, or the reason there is none.
 *
 * <p>Thread-safety: immutable.
 */
public sealed interface HistoryResult permits HistoryResult.Page, HistoryResult.Rejected {

    /**
     * Messages in sequence order.
     *
     * @param messages the page, at most the requested limit
     * @param nextSeq the {@code after_seq} that asks for the following page (the sequence of the
     *     last message, or the requested {@code after_seq} when the page is empty)
     * @param more whether messages exist after this page
     */
    record Page(List<Publication> messages, long nextSeq, boolean more) implements HistoryResult {
        public Page {
            messages = List.copyOf(messages);
        }
    }

    /** The query cannot be answered (unknown channel or user); the text is for the client. */
    record Rejected(String errorText) implements HistoryResult {}
}
