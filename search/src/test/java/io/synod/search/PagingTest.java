package io.synod.search;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.search.SearchDocument.Post;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The cursor's guarantee: following the cursors returns every document that matched at the first page exactly
 * once, in the search's order, with no duplicates, while documents are added between pages.
 */
class PagingTest {
    private final SearchIndex index = SearchIndex.inMemory();

    @AfterEach
    void close() {
        index.close();
    }

    @Test
    void pagesOfOneWalkTheWholeOrder() {
        for (long i = 1; i <= 7; i++) {
            index.add(new Post(i * 1024, i + "-0", "ana", "mar", i));
        }
        List<Long> seen = new ArrayList<>();
        SearchPage page = index.search(SearchQuery.of("bob", "mar").withLimit(1));
        while (true) {
            seen.addAll(SearchIndexTest.indexes(page));
            if (!page.more()) {
                break;
            }
            page = index.search(SearchQuery.of("bob", "mar").withLimit(1).withCursor(page.nextCursor()));
        }
        assertThat(seen).containsExactly(7168L, 6144L, 5120L, 4096L, 3072L, 2048L, 1024L);
    }

    @Test
    void aFullLastPageHasNoCursorAndAnEmptySearchHasNone() {
        for (long i = 1; i <= 4; i++) {
            index.add(new Post(i * 1024, i + "-0", "ana", "mar", i));
        }
        assertThat(index.search(SearchQuery.of("bob", "mar").withLimit(4)).nextCursor())
                .isNull();
        assertThat(index.search(SearchQuery.of("bob", "mar").withLimit(3)).nextCursor())
                .isNotNull();
        assertThat(index.search(SearchQuery.of("bob", "sol")).more()).isFalse();
    }

    @Test
    void aNewerDocumentAddedBetweenPagesIsNotShownTwiceNorShiftsThePages() {
        for (long i = 1; i <= 4; i++) {
            index.add(new Post(i * 1024, i + "-0", "ana", "mar", i));
        }
        SearchQuery query = SearchQuery.of("bob", "mar").withLimit(2);
        SearchPage first = index.search(query);
        index.add(new Post(5 * 1024, "5-0", "ana", "mar", 5));
        SearchPage second = index.search(query.withCursor(first.nextCursor()));

        assertThat(SearchIndexTest.indexes(first)).containsExactly(4096L, 3072L);
        assertThat(SearchIndexTest.indexes(second)).containsExactly(2048L, 1024L);
        assertThat(second.more()).isFalse();
        assertThat(SearchIndexTest.indexes(index.search(query))).containsExactly(5120L, 4096L);
    }

    @ParameterizedTest
    @ValueSource(longs = {11, 12, 13, 14})
    void noDuplicateAndNoMissAcrossPagesWhileDocumentsAreAdded(long seed) {
        Corpus corpus = new Corpus(seed);
        List<SearchDocument> documents = new ArrayList<>(corpus.next(400));
        documents.forEach(index::add);
        for (int round = 0; round < 15; round++) {
            SearchQuery query = SearchIndexTest.randomQuery(corpus);
            List<SearchHit> atFirstPage = Corpus.expected(documents, query);

            List<SearchHit> walked = new ArrayList<>();
            SearchPage page = index.search(query);
            walked.addAll(page.hits());
            while (page.more()) {
                for (int added = corpus.random().nextInt(4); added > 0; added--) {
                    SearchDocument document = corpus.next();
                    documents.add(document);
                    index.add(document);
                }
                page = index.search(query.withCursor(page.nextCursor()));
                walked.addAll(page.hits());
            }

            String as = "seed " + seed + ", " + query;
            Set<Long> seen = new HashSet<>();
            for (SearchHit hit : walked) {
                assertThat(seen.add(hit.document().index()))
                        .as(as + ": twice %s", hit)
                        .isTrue();
                assertThat(Corpus.matches(hit.document(), query))
                        .as(as + ": %s", hit)
                        .isTrue();
            }
            assertThat(walked).as(as).containsAll(atFirstPage).isSortedAccordingTo(Corpus.order());
            if (query.sort() == SearchSort.NEWEST) {
                assertThat(walked)
                        .as(as + ": newer documents never come after a cursor")
                        .isEqualTo(atFirstPage);
            }
        }
    }
}
