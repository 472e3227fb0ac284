package io.synod.search;

import java.io.Serial;

/**
 * A search request the index refuses: an empty or over-long query, a page size out of range, a cursor that is not
 * one this index gave for the same search. The message names the field and the rule and is written for the
 * client, so a server sends it back verbatim in an {@code erro} reply; {@link #field()} names the request field.
 *
 * <p>This is an operating error (bad input from outside), never a programmer error: nothing changed.
 */
public final class SearchException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final String field;

    public SearchException(String field, String message) {
        super(message, null, false, false);
        this.field = field;
    }

    /** The request field at fault: {@code query}, {@code cursor}, {@code limit}, {@code sort} or {@code kind}. */
    public String field() {
        return field;
    }
}
