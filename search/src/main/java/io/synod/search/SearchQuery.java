package io.synod.search;

import java.util.Objects;

/**
 * A search as a server hands it over after decoding the request. {@code user} is the asking user (null when the
 * connection has no login: then no private message is visible); {@code text} is plain words, never query syntax;
 * {@code cursor} is null for the first page; {@code kind}, {@code channel} and {@code author} are optional filters
 * (null: any). Nothing is checked here: {@link SearchIndex#search} refuses what breaks a rule with a
 * {@link SearchException} naming the field.
 */
public record SearchQuery(
        String user,
        String text,
        SearchSort sort,
        int limit,
        String cursor,
        DocumentKind kind,
        String channel,
        String author) {

    public SearchQuery {
        Objects.requireNonNull(sort, "sort");
    }

    /** The first page of {@code text} for {@code user}, newest first, {@link SearchIndex#PAGE_SIZE_DEFAULT} hits. */
    public static SearchQuery of(String user, String text) {
        return new SearchQuery(user, text, SearchSort.NEWEST, SearchIndex.PAGE_SIZE_DEFAULT, null, null, null, null);
    }

    public SearchQuery withSort(SearchSort newSort) {
        return new SearchQuery(user, text, newSort, limit, cursor, kind, channel, author);
    }

    public SearchQuery withLimit(int newLimit) {
        return new SearchQuery(user, text, sort, newLimit, cursor, kind, channel, author);
    }

    public SearchQuery withCursor(String newCursor) {
        return new SearchQuery(user, text, sort, limit, newCursor, kind, channel, author);
    }

    public SearchQuery withKind(DocumentKind newKind) {
        return new SearchQuery(user, text, sort, limit, cursor, newKind, channel, author);
    }

    public SearchQuery withChannel(String newChannel) {
        return new SearchQuery(user, text, sort, limit, cursor, kind, newChannel, author);
    }

    public SearchQuery withAuthor(String newAuthor) {
        return new SearchQuery(user, text, sort, limit, cursor, kind, channel, newAuthor);
    }
}
