package io.synod.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.synod.search.SearchDocument.Post;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A rebuilt index answers exactly as one that got the same documents one by one: derived state, deterministic. */
class RebuildTest {

    @ParameterizedTest
    @ValueSource(longs = {21, 22, 23, 24})
    void rebuildInAnyOrderEqualsIncrementalAdds(long seed) {
        Corpus corpus = new Corpus(seed);
        List<SearchDocument> documents = corpus.next(500);
        List<SearchDocument> shuffled = new ArrayList<>(documents);
        Collections.shuffle(shuffled, corpus.random());
        // Replays: the same documents added twice, as a server re-applying after a crash would.
        List<SearchDocument> replayed = new ArrayList<>(shuffled);
        replayed.addAll(shuffled.subList(0, 100));

        try (SearchIndex incremental = SearchIndex.inMemory();
                SearchIndex rebuilt = SearchIndex.inMemory()) {
            for (SearchDocument document : documents) {
                incremental.add(document);
                if (corpus.random().nextInt(50) == 0) {
                    incremental.search(SearchQuery.of("ana", "mar")); // refreshes: more segments
                }
            }
            rebuilt.add(new Post(1, "1-0", "ana", "mar que a rebuild apaga", 0));
            rebuilt.rebuild(replayed.iterator());

            assertThat(rebuilt.documentCount())
                    .isEqualTo(incremental.documentCount())
                    .isEqualTo(500);
            for (int i = 0; i < 60; i++) {
                SearchQuery query = SearchIndexTest.randomQuery(corpus);
                List<SearchHit> expected = Corpus.allPages(incremental, query);
                assertThat(Corpus.allPages(rebuilt, query))
                        .as("seed %d, %s", seed, query)
                        .isEqualTo(expected);
                SearchPage firstPage = incremental.search(query);
                assertThat(rebuilt.search(query)).as("cursors too").isEqualTo(firstPage);
            }
        }
    }

    @Test
    void aFailedRebuildLeavesTheOldContent() {
        try (SearchIndex index = SearchIndex.inMemory()) {
            index.add(new Post(1024, "1-0", "ana", "antigo", 1));
            Iterator<SearchDocument> failing = new Iterator<>() {
                private int given;

                @Override
                public boolean hasNext() {
                    return true;
                }

                @Override
                public SearchDocument next() {
                    if (given++ == 3) {
                        throw new IllegalStateException("the store failed");
                    }
                    return new Post(2048L * given, given + "-0", "ana", "novo", 2);
                }
            };
            assertThatThrownBy(() -> index.rebuild(failing)).hasMessage("the store failed");
            assertThat(index.search(SearchQuery.of("bob", "antigo")).hits()).hasSize(1);
            assertThat(index.search(SearchQuery.of("bob", "novo")).hits()).isEmpty();

            index.rebuild(List.<SearchDocument>of().iterator());
            assertThat(index.documentCount()).isZero();
            assertThat(index.search(SearchQuery.of("bob", "antigo")).hits()).isEmpty();
        }
    }
}
