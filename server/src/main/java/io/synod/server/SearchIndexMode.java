package io.synod.server;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * When a server keeps its search index ({@code --search-index}). Indexing every applied message cost a server most of
 * its CPU (the indexer thread: 57% of a follower's samples, 38% of the leader's, with 64 clients publishing and nobody
 * searching), so by default a server builds its index only once it is searched, and drops it after a while without
 * searches ({@link SearchService}).
 */
public enum SearchIndexMode {
    /**
     * No index until the first search reaches this server; that search waits while the index is rebuilt from the
     * store, and the index is dropped again after {@link SearchService#SEARCH_INDEX_IDLE_DROP_MILLIS} without one.
     */
    ON_DEMAND("on-demand"),
    /** An index from start-up on, fed every apply: no search ever waits for a rebuild (the behaviour before). */
    ALWAYS("always");

    private final String optionValue;

    SearchIndexMode(String optionValue) {
        this.optionValue = optionValue;
    }

    /** The value as {@code --search-index} spells it. */
    public String optionValue() {
        return optionValue;
    }

    /**
     * The mode {@code value} names, as {@code --search-index} spells it.
     *
     * @throws IllegalArgumentException naming {@code option} and the values it takes
     */
    public static SearchIndexMode fromOption(String option, String value) {
        for (SearchIndexMode mode : values()) {
            if (mode.optionValue.equals(value)) {
                return mode;
            }
        }
        throw new IllegalArgumentException(option + " must be one of "
                + Arrays.stream(values()).map(SearchIndexMode::optionValue).collect(Collectors.joining(", "))
                + ", got '" + value + "'");
    }
}
