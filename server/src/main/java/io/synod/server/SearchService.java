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
 * replicated. While the index is kept, it is given every document of every command this server applies, leader or not
 * ({@link #applied}), and rebuilt from the applied state after every checkpoint install ({@link #stateReplaced}), so
 * it holds exactly the messages of the applied state: two servers that applied the same commands answer the same
 * pages.
 *
 * <p>When it is kept ({@link SearchIndexMode}): indexing costs a server more CPU than replicating (the indexer thread
 * took 57% of a follower's samples, 38% of the leader's, with 64 clients publishing and nobody searching), so {@link
 * SearchIndexMode#ON_DEMAND on demand} (the server's default) a server keeps no index, hands nothing to an indexer
 * and holds no Lucene memory until the first search reaches it. That search activates the index: a rebuild from the
 * store is handed to a new indexer thread, the search waits for it (the server parks it: {@link #answerableNow}, at
 * most {@link #SEARCH_INDEX_BUILD_WAIT_MILLIS}), and from then on every apply is indexed. After {@link
 * #SEARCH_INDEX_IDLE_DROP_MILLIS} without a search here ({@link #dropIfIdle}, on the loop's clock) the index and its
 * thread are dropped again. {@link SearchIndexMode#ALWAYS Always}: the index is rebuilt at start-up, before the
 * server serves ({@link #follow}), and kept.
 *
 * <p>Off the write path: the loop only hands each document to the {@link SearchIndexer}'s bounded backlog; the
 * indexer thread adds them to Lucene in batches, and runs the rebuilds (reading the store, which RocksDB serves
 * concurrently, while the loop goes on applying).
 *
 * <p>A search is a read like {@code history}: it sees every write this server applied before it (a client reads its
 * own writes with {@code min_index} or {@code linearizable}). Before answering, the loop makes sure the index holds
 * every document handed over so far: if the indexer is behind, the loop adds the rest itself once the indexer's
 * batch in flight is written, within about {@link SearchIndexer#SEARCH_CATCH_UP_WAIT_MILLIS}; past it, the search is
 * answered {@code erro} (retry: another server may answer), never from an index that lacks a write its {@code
 * min_index} covers. While a rebuild from the store runs (activation, checkpoint install, full backlog) a search
 * waits parked, and is refused with {@link #BUILDING_REFUSAL} if the rebuild takes longer than the wait.
 *
 * <p>Thread-safety: not thread-safe; owned by the event loop, like the state machine it reads. The indexer writes the
 * index; the loop searches it (never during a rebuild: refused then).
 */
final class SearchService implements ReplicationDriver.AppliedListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SearchService.class);
    /**
     * How long an on-demand index is kept without a search on this server: then it is dropped (its memory freed, its
     * indexer thread stopped) until the next search rebuilds it. A user paging through results, or a web page searching
     * as one types, stays well within it.
     */
    static final long SEARCH_INDEX_IDLE_DROP_MILLIS = 10 * 60 * 1_000;
    /**
     * How long a search waits (parked by the server, the loop serving on) for a rebuild of the index from the store
     * before it is refused with {@link #BUILDING_REFUSAL}: a rebuild indexes 6,000 messages with about a quarter of
     * a second of CPU (SearchRebuildCostTest), so a store of some 100,000 fits on a machine that is not starved.
     */
    static final long SEARCH_INDEX_BUILD_WAIT_MILLIS = 5_000;
    /** The {@code erro} description of a search while the index is rebuilt (parked searches: once they waited). */
    static final String BUILDING_REFUSAL =
            "this server is rebuilding its search index from its store; retry (another server may answer)";

    private final ChatStateMachine machine;
    /** The backlog limit of an indexer run by hand (tests), or 0 for one with a thread of its own. */
    private final int byHandBacklogMaxDocuments;

    private final long catchUpWaitMillis;
    private SearchIndexMode mode = SearchIndexMode.ALWAYS;
    /** The index and its indexer while the index is kept; both null while it is not (on demand, dormant). */
    private SearchIndex index;

    private SearchIndexer indexer;
    /** When the last search reached this server ({@link System#nanoTime}, the loop's clock). */
    private long lastSearchNanos;

    private long activations;
    private long documentsHanded;
    /** The counters of the indexers dropped so far, which the current one's add to. */
    private long rebuildsDropped;

    private long overflowsDropped;

    /** A service whose indexer runs on a thread of its own; it indexes from now on until {@link #follow}. */
    SearchService(ChatStateMachine machine) {
        this(machine, 0, SearchIndexer.SEARCH_CATCH_UP_WAIT_MILLIS);
    }

    private SearchService(ChatStateMachine machine, int byHandBacklogMaxDocuments, long catchUpWaitMillis) {
        this.machine = machine;
        this.byHandBacklogMaxDocuments = byHandBacklogMaxDocuments;
        this.catchUpWaitMillis = catchUpWaitMillis;
        open();
    }

    /**
     * A service whose indexer has no thread: the test runs {@link #indexBatch} when it wants, and a search the index
     * is behind for is refused at once (it does not add the backlog itself: nobody indexes while the caller waits).
     */
    static SearchService indexedByHand(ChatStateMachine machine, int backlogMaxDocuments) {
        return new SearchService(machine, backlogMaxDocuments, 0);
    }

    /** Keeps the index as {@code newMode} says from {@link #follow} on; called before it (the owner, configuring). */
    SearchService mode(SearchIndexMode newMode) {
        this.mode = newMode;
        return this;
    }

    /**
     * From now on follows {@code driver}'s applies and checkpoint installs; returns {@code driver}. {@link
     * SearchIndexMode#ALWAYS Always}: first rebuilds the index from the store (which holds whatever {@code driver}'s
     * opening applied), before the server serves, so no search sees a partial index. {@link SearchIndexMode#ON_DEMAND
     * On demand}: drops the index until a search comes.
     */
    <T> ReplicationDriver<T> follow(ReplicationDriver<T> driver) {
        try {
            beforeServing();
        } catch (RuntimeException e) {
            driver.close(); // the caller never sees it
            throw e;
        }
        driver.listen(this);
        return driver;
    }

    /** Rebuilds the index from the store ({@link SearchIndexMode#ALWAYS}) or drops it until a search comes. */
    void beforeServing() {
        if (mode == SearchIndexMode.ON_DEMAND) {
            drop();
        } else {
            rebuild();
        }
    }

    /** Replaces the index's content with every message of the applied state, on the calling thread. */
    void rebuild() {
        long started = System.nanoTime();
        if (indexer == null) {
            open();
        }
        indexer.rebuildHere();
        LOG.info(
                "search index rebuilt from the applied state (index {}): {} messages in {} ms",
                machine.appliedIndex(),
                index.documentCount(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    /**
     * Whether {@code request} can be answered now: any request but a search, and a search unless this server's index
     * is being rebuilt from the store; a search on a server without an index activates it (hands the rebuild to a new
     * indexer) and waits. The server parks a request that cannot, and asks again every turn (loop).
     */
    boolean answerableNow(Request request) {
        if (!(request instanceof Request.Search)) {
            return true;
        }
        searched();
        return indexer.readiness() != SearchIndexer.Readiness.REBUILDING;
    }

    /** A search reached this server: the index is kept from now on for the idle time, and activated if dormant. */
    private void searched() {
        lastSearchNanos = System.nanoTime();
        if (indexer == null) {
            open();
            indexer.rebuildFromStore();
            activations++;
            LOG.info(
                    "search index activated by a search: rebuilding it from the store (applied index {}) on its"
                            + " indexer thread",
                    machine.appliedIndex());
        }
    }

    /**
     * Drops an on-demand index that no search used for {@link #SEARCH_INDEX_IDLE_DROP_MILLIS} before {@code nowNanos}
     * (the loop's {@link System#nanoTime}, every turn): its indexer stops and its memory is freed.
     */
    void dropIfIdle(long nowNanos) {
        if (mode == SearchIndexMode.ON_DEMAND
                && indexer != null
                && nowNanos - lastSearchNanos >= TimeUnit.MILLISECONDS.toNanos(SEARCH_INDEX_IDLE_DROP_MILLIS)) {
            LOG.info(
                    "search index dropped: no search for {} ms (the next one rebuilds it)",
                    SEARCH_INDEX_IDLE_DROP_MILLIS);
            drop();
        }
    }

    /** A new, empty index and its indexer. */
    private void open() {
        index = SearchIndex.inMemory();
        indexer = byHandBacklogMaxDocuments == 0
                ? SearchIndexer.started(index, this::storeScan)
                : SearchIndexer.byHand(index, this::storeScan, byHandBacklogMaxDocuments, false);
    }

    /** Stops the indexer (a rebuild stops reading the store at its next message) and frees the index. */
    private void drop() {
        if (indexer == null) {
            return;
        }
        rebuildsDropped += indexer.rebuilds();
        overflowsDropped += indexer.overflows();
        indexer.close();
        index.close();
        indexer = null;
        index = null;
    }

    /** Whether this server keeps an index now (always, or on demand since a search and until it idled). */
    boolean active() {
        return indexer != null;
    }

    /** How many times a search activated a dormant index. */
    long activations() {
        return activations;
    }

    /** How many documents were handed to an indexer since start-up (none while no index is kept). */
    long documentsHanded() {
        return documentsHanded;
    }

    /** How many rebuilds completed (start-up, activations, checkpoint installs, full backlogs). */
    long rebuilds() {
        return rebuildsDropped + (indexer == null ? 0 : indexer.rebuilds());
    }

    /** Whether a rebuild from the store is pending or running (searches wait, or are refused, until it is done). */
    boolean rebuilding() {
        return indexer != null && indexer.rebuilding();
    }

    /** The indexer's next step, for a service {@link #indexedByHand}: false when its backlog was empty or no index. */
    boolean indexBatch() {
        return indexer != null && indexer.indexBatch();
    }

    /** How many times the backlog was full and dropped for a rebuild from the store. */
    long backlogOverflows() {
        return overflowsDropped + (indexer == null ? 0 : indexer.overflows());
    }

    /**
     * How many messages the index holds, once the indexer has caught up (bounded wait); -1 if it has not; 0 with no
     * index.
     */
    int documentCount() {
        if (indexer == null) {
            return 0;
        }
        if (indexer.awaitSearchable(catchUpWaitMillis) != SearchIndexer.Readiness.READY) {
            return -1;
        }
        return index.documentCount();
    }

    /** Hands the documents of an apply to the indexer; nothing while no index is kept (the store has them). */
    @Override
    public void applied(long commandIndex, List<Publication> publications) {
        if (indexer == null) {
            return;
        }
        for (Publication publication : publications) {
            SearchDocument document = document(publication);
            if (document != null) {
                indexer.add(document); // its index is the writing command's: a replayed duplicate replaces itself
                documentsHanded++;
            }
        }
    }

    /** Hands the indexer a rebuild of the installed state (searches wait until it is done); nothing with no index. */
    @Override
    public void stateReplaced() {
        if (indexer != null) {
            indexer.rebuildFromStore();
        }
    }

    /** A scan of every message in the store, started now (on the loop), read by whoever rebuilds. */
    private Iterator<SearchDocument> storeScan(AtomicBoolean abandoned) {
        return documents(machine.social().messages(), abandoned);
    }

    /** The reply to {@code request}: a page of hits, or {@code erro} naming the field the index refused. */
    Envelope read(Request.Search request) {
        searched();
        switch (indexer.awaitSearchable(catchUpWaitMillis)) {
            case READY -> {}
            case REBUILDING -> {
                return Replies.error(Services.SEARCH, BUILDING_REFUSAL);
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
        drop();
    }
}
