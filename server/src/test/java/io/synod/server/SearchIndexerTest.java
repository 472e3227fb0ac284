package io.synod.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.search.SearchDocument;
import io.synod.search.SearchHit;
import io.synod.search.SearchIndex;
import io.synod.search.SearchQuery;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The hand-over from the event loop to the indexer: the backlog, the batches, read-your-writes and the full-backlog
 * rebuild. The indexer is run by hand (no thread), so every step happens where the test says; the "store" is a list
 * the test fills as the state machine would.
 */
class SearchIndexerTest {
    private static final long WAIT_NONE = 0;
    private static final long WAIT_BOUNDED_MILLIS = 10_000;

    private final SearchIndex index = SearchIndex.inMemory();
    /** What the store holds: every document applied. */
    private final List<SearchDocument> store = new ArrayList<>();

    private final AtomicInteger scansStarted = new AtomicInteger();
    private final AtomicInteger scansToFail = new AtomicInteger();
    private final List<SearchIndexer> indexers = new ArrayList<>();

    @AfterEach
    void close() {
        indexers.forEach(SearchIndexer::close);
        index.close();
    }

    private SearchIndexer byHand(int backlogMaxDocuments) {
        return byHand(backlogMaxDocuments, false);
    }

    private SearchIndexer byHand(int backlogMaxDocuments, boolean searchesDrain) {
        SearchIndexer indexer = SearchIndexer.byHand(index, this::scan, backlogMaxDocuments, searchesDrain);
        indexers.add(indexer);
        return indexer;
    }

    /** A snapshot of the store, as a scan started now sees it; fails at its first message if told to. */
    private Iterator<SearchDocument> scan(AtomicBoolean abandoned) {
        scansStarted.incrementAndGet();
        boolean fail = scansToFail.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
        Iterator<SearchDocument> documents = List.copyOf(store).iterator();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                if (fail) {
                    throw new IllegalStateException("the store failed a read");
                }
                return documents.hasNext();
            }

            @Override
            public SearchDocument next() {
                return documents.next();
            }
        };
    }

    /** Applies a post (into the store) and hands it to the indexer, as the loop does. */
    private SearchDocument apply(SearchIndexer indexer, String text) {
        long index = 1024L * (store.size() + 1) + 1;
        SearchDocument post = new SearchDocument.Post(index, index + "-0", "ana", text, store.size());
        store.add(post);
        indexer.add(post);
        return post;
    }

    private List<String> found(String words) {
        return index.search(SearchQuery.of("ana", words).withLimit(SearchIndex.PAGE_SIZE_MAX)).hits().stream()
                .map(SearchHit::document)
                .map(SearchDocument::text)
                .toList();
    }

    private static void drain(SearchIndexer indexer) {
        int batches = 0;
        while (indexer.indexBatch()) {
            assertThat(++batches).as("the backlog is bounded").isLessThan(100);
        }
    }

    @Test
    void theLoopOnlyHandsOverAndTheIndexerAddsInBatches() {
        SearchIndexer indexer = byHand(10_000);
        int documents = SearchIndexer.SEARCH_BATCH_MAX_DOCUMENTS + 1;
        for (int i = 0; i < documents; i++) {
            apply(indexer, "onda " + i);
        }

        assertThat(found("onda")).as("nothing is indexed on the loop").isEmpty();
        assertThat(indexer.backlogDocuments()).isEqualTo(documents);
        assertThat(indexer.awaitSearchable(WAIT_NONE)).isEqualTo(SearchIndexer.Readiness.BEHIND);

        assertThat(indexer.indexBatch()).isTrue();
        assertThat(indexer.backlogDocuments())
                .as("one batch is at most the batch limit")
                .isEqualTo(1);
        assertThat(indexer.awaitSearchable(WAIT_NONE)).isEqualTo(SearchIndexer.Readiness.BEHIND);
        assertThat(index.documentCount()).isEqualTo(SearchIndexer.SEARCH_BATCH_MAX_DOCUMENTS);

        assertThat(indexer.indexBatch()).isTrue();
        assertThat(indexer.indexBatch()).as("the backlog is empty").isFalse();
        assertThat(indexer.awaitSearchable(WAIT_NONE)).isEqualTo(SearchIndexer.Readiness.READY);
        assertThat(index.documentCount()).isEqualTo(documents);
        assertThat(found("onda 7")).containsExactly("onda 7");
    }

    @Test
    void aSearchWaitsUntilTheIndexerHasAddedEveryWriteAppliedBeforeIt() throws Exception {
        SearchIndexer indexer = byHand(100);
        apply(indexer, "primeira");
        apply(indexer, "segunda");
        CountDownLatch waiting = new CountDownLatch(1);
        Thread helper = new Thread(
                () -> {
                    try {
                        if (waiting.await(WAIT_BOUNDED_MILLIS, TimeUnit.MILLISECONDS)) {
                            drain(indexer);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "test-indexer");
        helper.start();
        try {
            waiting.countDown(); // the helper indexes while (or before) this thread waits: either way the wait ends
            assertThat(indexer.awaitSearchable(WAIT_BOUNDED_MILLIS)).isEqualTo(SearchIndexer.Readiness.READY);
            assertThat(found("primeira")).containsExactly("primeira");
            assertThat(found("segunda")).containsExactly("segunda");
        } finally {
            helper.join(WAIT_BOUNDED_MILLIS);
        }

        apply(indexer, "terceira");
        assertThat(indexer.awaitSearchable(WAIT_NONE))
                .as("a write handed over after the indexer's last batch")
                .isEqualTo(SearchIndexer.Readiness.BEHIND);
    }

    @Test
    void aSearchThatFindsTheIndexerBehindAddsTheRestItselfButNeverRunsARebuild() {
        SearchIndexer indexer = byHand(10_000, true);
        for (int i = 0; i < 2 * SearchIndexer.SEARCH_BATCH_MAX_DOCUMENTS + 1; i++) {
            apply(indexer, "maré " + i);
        }
        assertThat(indexer.indexBatch()).as("the indexer's share").isTrue();

        assertThat(indexer.awaitSearchable(WAIT_BOUNDED_MILLIS)).isEqualTo(SearchIndexer.Readiness.READY);
        assertThat(indexer.backlogDocuments()).isZero();
        assertThat(found("mare 1024")).containsExactly("maré 1024");

        indexer.rebuildFromStore();
        assertThat(indexer.awaitSearchable(WAIT_BOUNDED_MILLIS))
                .as("a rebuild is the indexer's, never the searching loop's")
                .isEqualTo(SearchIndexer.Readiness.REBUILDING);
        assertThat(indexer.backlogDocuments()).isZero();
        assertThat(indexer.indexBatch())
                .as("the rebuild still waits for the indexer")
                .isTrue();
        assertThat(indexer.awaitSearchable(WAIT_NONE)).isEqualTo(SearchIndexer.Readiness.READY);
    }

    @Test
    void aFullBacklogIsDroppedForARebuildFromTheStoreThatLosesNothing() {
        int backlogMax = 3;
        SearchIndexer indexer = byHand(backlogMax);
        apply(indexer, "antes");
        drain(indexer);
        for (int i = 0; i < backlogMax; i++) {
            apply(indexer, "cheio " + i);
        }
        assertThat(indexer.overflows()).isZero();

        apply(indexer, "cheio " + backlogMax); // the backlog is full: dropped, a rebuild takes its place
        apply(indexer, "depois");

        assertThat(indexer.overflows()).isEqualTo(1);
        assertThat(indexer.backlogDocuments())
                .as("only what came after the rebuild")
                .isEqualTo(1);
        assertThat(indexer.rebuilding()).isTrue();
        assertThat(indexer.awaitSearchable(WAIT_BOUNDED_MILLIS))
                .as("refused at once, not after the wait: a rebuild takes long")
                .isEqualTo(SearchIndexer.Readiness.REBUILDING);

        drain(indexer);

        assertThat(indexer.rebuilding()).isFalse();
        assertThat(indexer.rebuilds()).isEqualTo(1);
        assertThat(indexer.awaitSearchable(WAIT_NONE)).isEqualTo(SearchIndexer.Readiness.READY);
        assertThat(found("cheio")).containsExactly("cheio 3", "cheio 2", "cheio 1", "cheio 0");
        assertThat(index.documentCount()).as("each message once").isEqualTo(store.size());
    }

    @Test
    void aFailedRebuildIsHandedOverAgainByTheNextSearch() {
        SearchIndexer indexer = byHand(100);
        apply(indexer, "guardada");
        scansToFail.set(1);
        indexer.rebuildFromStore();
        drain(indexer);
        assertThat(indexer.rebuilding()).isTrue();

        assertThat(indexer.awaitSearchable(WAIT_NONE)).isEqualTo(SearchIndexer.Readiness.REBUILDING);
        assertThat(scansStarted).hasValue(2);
        drain(indexer);

        assertThat(indexer.awaitSearchable(WAIT_NONE)).isEqualTo(SearchIndexer.Readiness.READY);
        assertThat(found("guardada")).containsExactly("guardada");
    }

    @Test
    void theStartUpRebuildRunsHereAndReplacesTheBacklog() {
        SearchIndexer indexer = byHand(100);
        apply(indexer, "uma");
        apply(indexer, "duas");

        indexer.rebuildHere();

        assertThat(indexer.backlogDocuments()).isZero();
        assertThat(indexer.awaitSearchable(WAIT_NONE)).isEqualTo(SearchIndexer.Readiness.READY);
        assertThat(found("uma")).containsExactly("uma");
        assertThat(found("duas")).containsExactly("duas");
        assertThat(indexer.indexBatch()).isFalse();
    }

    @Test
    void theIndexerThreadFeedsTheIndexAndStopsOnClose() {
        SearchIndexer indexer = SearchIndexer.started(index, this::scan);
        indexers.add(indexer);
        for (int i = 0; i < 100; i++) {
            apply(indexer, "fio " + i);
            assertThat(indexer.awaitSearchable(WAIT_BOUNDED_MILLIS)).isEqualTo(SearchIndexer.Readiness.READY);
            assertThat(found("fio " + i)).as("read your write " + i).contains("fio " + i);
        }
        assertThat(indexer.threadAlive()).isTrue();
        indexer.close();
        assertThat(indexer.threadAlive()).isFalse();
    }
}
