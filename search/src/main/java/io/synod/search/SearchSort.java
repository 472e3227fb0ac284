package io.synod.search;

/** The order of a search's hits; both end in the document's {@code index}, newest first, so the order is total. */
public enum SearchSort {
    /** Newest first: by {@code index}, the order in which the replicated log applied the documents. */
    NEWEST("newest"),
    /**
     * Best match first: by points (a query word found with the accents it was typed with, one point each; the
     * words side by side in the query's order, {@link SearchIndex#PHRASE_POINTS}), then newest first.
     */
    BEST("best");

    private final String wireName;

    SearchSort(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /**
     * The sort named {@code name} on the wire.
     *
     * @throws SearchException naming {@code field} when no sort has that name
     */
    public static SearchSort fromWire(String field, String name) {
        for (SearchSort sort : values()) {
            if (sort.wireName.equals(name)) {
                return sort;
            }
        }
        throw new SearchException(field, "field '" + field + "' must be newest or best");
    }
}
