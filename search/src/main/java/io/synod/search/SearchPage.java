package io.synod.search;

import java.util.List;

/**
 * One page of hits in the search's order. {@code nextCursor} asks for the page after it (in a
 * {@link SearchQuery#withCursor}); null when this is the last page.
 */
public record SearchPage(List<SearchHit> hits, String nextCursor) {
    public SearchPage {
        hits = List.copyOf(hits);
    }

    public boolean more() {
        return nextCursor != null;
    }
}
