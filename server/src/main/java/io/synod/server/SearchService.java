package io.synod.server;

import io.synod.core.ChatStateMachine;
import io.synod.protocol.Envelope;
import io.synod.protocol.Publication;
import io.synod.protocol.Replies;
import io.synod.protocol.Request;
import io.synod.protocol.Services;
import io.synod.search.DocumentKind;
import io.synod.search.SearchDocument;
import io.synod.search.SearchException;
import io.synod.search.SearchHit;
import io.synod.search.SearchIndex;
import io.synod.search.SearchPage;
import io.synod.search.SearchQuery;
import io.synod.search.SearchSort;
import io.synod.server.replication.ReplicationDriver;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code search} service (docs/protocol.md) over this server's {@link SearchIndex}: derived state, never
 * replicated. The index is rebuilt from the applied state (at start-up, before the server serves, {@link #follow};
 * after every checkpoint install, {@link #stateReplaced}) and given every document of every command this server
 * applies, leader or not ({@link #applied}), so it holds exactly the messages of the applied state: two servers that
 * applied the same commands answer the same pages.
 *
 * <p>Off the write path: the loop only hands each document to the {@link SearchIndexer}'s bounded backlog; the
 * indexer thread adds them to Lucene in batches, and runs the rebuilds after a checkpoint install (reading the store,
 * which RocksDB serves concurrently, while the loop goes on applying).
 *
 * <p>A search is a read like {@code history}: it sees every write this server applied before it (a client reads its
 * own writes with {@code min_index} or {@code linearizable}). Before answering, the loop makes sure the index holds
 * every document handed over so far: if the indexer is behind, the loop adds the rest itself once the indexer's
 * batch in flight is written, within about {@link SearchIndexer#SEARCH_CATCH_UP_WAIT_MILLIS}; past it, or while a
 * rebuild from the store runs (after a checkpoint install, or when the backlog was full), the search is answered
 * {@code erro} (retry: another server may answer), never from an index that lacks a write its {@code min_index}
 * covers.
 *
 * <p>Thread-safety: not thread-safe; owned by the event loop, like the state machine it reads. The indexer writes the
 * index; the loop searches it (never during a rebuild: refused then).
 */
final class SearchService implements ReplicationDriver.AppliedListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SearchService.class);

    private final ChatStateMachine machine;
    private final SearchIndex index = SearchIndex.inMemory();
    private final SearchIndexer indexer;
    private final long catchUpWaitMillis;

    /** A service whose indexer runs on a thread of its own. */
    SearchService(ChatStateMachine machine) {
        this.machine = machine;
        this.indexer = SearchIndexer.started(index, this::storeScan);
        this.catchUpWaitMillis = SearchIndexer.SEARCH_CATCH_UP_WAIT_MILLIS;
    }

    private SearchService(ChatStateMachine machine, int backlogMaxDocuments) {
        this.machine = machine;
        this.indexer = SearchIndexer.byHand(index, this::storeScan, backlogMaxDocuments, false);
        this.catchUpWaitMillis = 0; // nobody indexes while the caller waits
    }

    /**
     * A service whose indexer has no thread: the test runs {@link #indexBatch} when it wants, and a search the index
     * is behind for is refused at once (it does not add the backlog itself).
     */
    static SearchService indexedByHand(ChatStateMachine machine, int backlogMaxDocuments) {
        return new SearchService(machine, backlogMaxDocuments);
    }

    /**
     * Rebuilds the index from the store (which holds whatever {@code driver}'s opening applied) and from now on
     * follows {@code driver}'s applies and checkpoint installs; returns {@code driver}. Called before the server
     * serves, so no search sees a partial index.
     */
    <T> ReplicationDriver<T> follow(ReplicationDriver<T> driver) {
        try {
            rebuild();
        } catch (RuntimeException e) {
            driver.close(); // the caller never sees it
            throw e;
        }
        driver.listen(this);
        return driver;
    }

    /** Replaces the index's content with every message of the applied state, on the calling thread. */
    void rebuild() {
        long started = System.nanoTime();
        indexer.rebuildHere();
        LOG.info(
                "search index rebuilt from the applied state (index {}): {} messages in {} ms",
                machine.appliedIndex(),
                index.documentCount(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    /** How many rebuilds completed (start-up, checkpoint installs, full backlogs). */
    long rebuilds() {
        return indexer.rebuilds();
    }

    /** Whether a rebuild from the store is pending or running (searches are refused until it is done). */
    boolean rebuilding() {
        return indexer.rebuilding();
    }

    /** The indexer's next step, for a service {@link #indexedByHand}: false when its backlog was empty. */
    boolean indexBatch() {
        return indexer.indexBatch();
    }

    /** How many times the backlog was full and dropped for a rebuild from the store. */
    long backlogOverflows() {
        return indexer.overflows();
    }

    /** How many messages the index holds, once the indexer has caught up (bounded wait); -1 if it has not. */
    int documentCount() {
        if (indexer.awaitSearchable(catchUpWaitMillis) != SearchIndexer.Readiness.READY) {
            return -1;
        }
        return index.documentCount();
    }

    @Override
    public void applied(long commandIndex, List<Publication> publications) {
        for (Publication publication : publications) {
            SearchDocument document = document(publication);
            if (document != null) {
                indexer.add(document); // its index is the writing command's: a replayed duplicate replaces itself
            }
        }
    }

    /** Hands the indexer a rebuild of the installed state; searches are refused until it is done. */
    @Override
    public void stateReplaced() {
        indexer.rebuildFromStore();
    }

    /** A scan of every message in the store, started now (on the loop), read by whoever rebuilds. */
    private Iterator<SearchDocument> storeScan(AtomicBoolean abandoned) {
        return documents(machine.social().messages(), abandoned);
    }

    /** The reply to {@code request}: a page of hits, or {@code erro} naming the field the index refused. */
    Envelope read(Request.Search request) {
        switch (indexer.awaitSearchable(catchUpWaitMillis)) {
            case READY -> {}
            case REBUILDING -> {
                return Replies.error(
                        Services.SEARCH,
                        "this server is rebuilding its search index from its store; retry (another server may"
                                + " answer)");
            }
            case BEHIND -> {
                return Replies.error(
                        Services.SEARCH,
                        "this server's search index is behind the writes it applied after waiting " + catchUpWaitMillis
                                + " ms; retry (another server may answer)");
            }
        }
        SearchSort sort;
        SearchPage page;
        try {
            sort = request.sort() == null ? SearchSort.NEWEST : SearchSort.fromWire("sort", request.sort());
            DocumentKind kind = request.kind() == null ? null : DocumentKind.fromWire("kind", request.kind());
            page = index.search(new SearchQuery(
                    request.user(),
                    request.query(),
                    sort,
                    request.limit(),
                    request.cursor(),
                    kind,
                    request.channel(),
                    request.author()));
        } catch (SearchException e) {
            return Replies.error(Services.SEARCH, e.getMessage());
        }
        List<Object> results = new ArrayList<>(page.hits().size());
        for (SearchHit hit : page.hits()) {
            results.add(result(hit, sort));
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("status", Replies.OK);
        data.put("results", results);
        if (page.nextCursor() != null) {
            data.put("next_cursor", page.nextCursor());
        }
        data.put("more", page.more());
        return new Envelope(Services.SEARCH, data);
    }

    private static Map<String, Object> result(SearchHit hit, SearchSort sort) {
        SearchDocument document = hit.document();
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("kind", document.kind().wireName());
        item.put("index", document.index());
        item.put("author", document.author());
        item.put("message", document.text());
        item.put("timestamp", document.timestampSeconds());
        switch (document) {
            case SearchDocument.ChannelMessage m -> {
                item.put("channel", m.channel());
                item.put("seq", m.seq());
            }
            case SearchDocument.Post p -> item.put("post_id", p.postId());
            case SearchDocument.PrivateMessage m -> {
                item.put("src", m.from());
                item.put("dst", m.to());
            }
        }
        if (sort == SearchSort.BEST) {
            item.put("points", (long) hit.points());
        }
        return item;
    }

    /** The searchable document a publication carries (a channel message, a private message, a post), or null. */
    static SearchDocument document(Publication publication) {
        return switch (publication) {
            case Publication.ChannelPost p ->
                new SearchDocument.ChannelMessage(
                        p.index(), p.channel(), p.seq(), p.user(), p.message(), p.timestampSeconds());
            case Publication.DirectMessage m ->
                new SearchDocument.PrivateMessage(m.index(), m.src(), m.dst(), m.message(), m.timestampSeconds());
            case Publication.SocialPost p ->
                new SearchDocument.Post(p.index(), p.id(), p.user(), p.message(), p.timestampSeconds());
            default -> null; // notifications repeat what a message or a post says, or say who followed whom
        };
    }

    /** The documents of a message scan; it stops (throwing) once {@code abandoned} is set. */
    private static Iterator<SearchDocument> documents(Iterator<Publication> messages, AtomicBoolean abandoned) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                if (abandoned.get()) {
                    throw new CancellationException("search index rebuild abandoned");
                }
                return messages.hasNext();
            }

            @Override
            public SearchDocument next() {
                Publication message = messages.next();
                SearchDocument document = document(message);
                if (document == null) {
                    throw new IllegalStateException("invariant violated: the message scan gave " + message);
                }
                return document;
            }
        };
    }

    /** Stops the indexer (a rebuild stops reading the store, which its owner closes next), then the index. */
    @Override
    public void close() {
        indexer.close();
        index.close();
    }
}
