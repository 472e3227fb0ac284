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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code search} service (docs/protocol.md) over this server's {@link SearchIndex}: derived state, never
 * replicated. The index is rebuilt from the applied state (at start-up, before the server serves, {@link #follow};
 * after every checkpoint install, {@link #stateReplaced}) and told of every command this server applies, leader or
 * not ({@link #applied}), so it holds exactly the messages of the applied state: two servers that applied the same
 * commands answer the same pages. A search is a read like {@code history}: it sees what this server has applied (a
 * client reads its own writes with {@code min_index} or {@code linearizable}).
 *
 * <p>Where a rebuild runs: at start-up on the calling thread (about 2 s of CPU per 100,000 messages; nothing is
 * served yet). After a checkpoint install the server is serving and taking part in replication, so the new index is
 * built aside on a helper thread ({@code search-rebuild}), which reads the store (RocksDB serves concurrent reads)
 * while the loop goes on applying; the loop keeps what it applies meanwhile and re-adds it when it takes the built
 * index over (a message the scan saw too is replaced, not doubled). Until then a search is answered {@code erro}
 * (retry: another server may answer): the old index lacks what the checkpoint brought, and a read must not miss
 * a write its {@code min_index} covers.
 *
 * <p>Thread-safety: not thread-safe; owned by the event loop, like the state machine it reads. The helper thread
 * only reads the store and builds an index of its own, handed over through a {@link CompletableFuture}.
 */
final class SearchService implements ReplicationDriver.AppliedListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SearchService.class);
    /** Messages applied while a rebuild runs aside, kept to re-add; beyond this the rebuild starts again. */
    static final int APPLIED_DURING_REBUILD_MAX = 100_000;
    /** How long {@link #close} waits for a rebuild running aside to notice it is abandoned. */
    private static final long REBUILD_STOP_WAIT_MILLIS = 10_000;

    private final ChatStateMachine machine;
    private final Executor rebuilder;
    private final ExecutorService ownRebuilder;
    private SearchIndex index = SearchIndex.inMemory();
    /** The index being built aside after a checkpoint install; null when none. */
    private CompletableFuture<SearchIndex> aside;
    /** Set to abandon {@link #aside}: its scan stops at the next message. */
    private AtomicBoolean asideAbandoned = new AtomicBoolean();
    /** What was applied since {@link #aside} started, re-added to it when it is taken over. */
    private final List<SearchDocument> appliedAside = new ArrayList<>();

    private long rebuilds;

    /** A service whose rebuilds after a checkpoint install run on a thread of its own. */
    SearchService(ChatStateMachine machine) {
        this.ownRebuilder = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "search-rebuild");
            thread.setDaemon(true); // never keeps a stopped server's JVM alive; close abandons its work first
            return thread;
        });
        this.rebuilder = ownRebuilder;
        this.machine = machine;
    }

    /** A service whose rebuilds after a checkpoint install run on {@code rebuilder} (tests run them by hand). */
    SearchService(ChatStateMachine machine, Executor rebuilder) {
        this.ownRebuilder = null;
        this.rebuilder = rebuilder;
        this.machine = machine;
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
        abandonAside();
        long started = System.nanoTime();
        index.rebuild(documents(machine.social().messages(), new AtomicBoolean()));
        rebuilds++;
        LOG.info(
                "search index rebuilt from the applied state (index {}): {} messages in {} ms",
                machine.appliedIndex(),
                index.documentCount(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    /** How many rebuilds this service completed (start-up and checkpoint installs). */
    long rebuilds() {
        return rebuilds;
    }

    /** Whether a rebuild runs aside (searches are refused until it is taken over). */
    boolean rebuilding() {
        takeOverIfBuilt();
        return aside != null;
    }

    /** How many messages the index holds. */
    int documentCount() {
        return index.documentCount();
    }

    @Override
    public void applied(long commandIndex, List<Publication> publications) {
        for (Publication publication : publications) {
            SearchDocument document = document(publication);
            if (document == null) {
                continue;
            }
            if (aside == null) {
                index.add(document); // its index is the writing command's: a replayed duplicate replaces itself
            } else {
                appliedAside.add(document);
            }
        }
        if (aside != null && appliedAside.size() > APPLIED_DURING_REBUILD_MAX) {
            LOG.warn("{} messages applied during a search index rebuild: starting it again", appliedAside.size());
            stateReplaced();
        }
        takeOverIfBuilt();
    }

    /** Starts building the index of the installed state aside; the loop takes it over once it is built. */
    @Override
    public void stateReplaced() {
        abandonAside();
        AtomicBoolean abandoned = new AtomicBoolean();
        Iterator<SearchDocument> documents = documents(machine.social().messages(), abandoned);
        long appliedIndex = machine.appliedIndex();
        asideAbandoned = abandoned;
        aside = CompletableFuture.supplyAsync(
                () -> {
                    long started = System.nanoTime();
                    SearchIndex fresh = SearchIndex.inMemory();
                    try {
                        fresh.rebuild(documents);
                    } catch (RuntimeException | Error e) {
                        fresh.close();
                        throw e;
                    }
                    LOG.info(
                            "search index of the checkpoint installed at index {} built aside: {} messages in {} ms",
                            appliedIndex,
                            fresh.documentCount(),
                            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
                    return fresh;
                },
                rebuilder);
    }

    /** Takes over the index built aside, if it is, with what was applied meanwhile re-added. */
    private void takeOverIfBuilt() {
        if (aside == null || !aside.isDone()) {
            return;
        }
        CompletableFuture<SearchIndex> built = aside;
        aside = null;
        SearchIndex fresh;
        try {
            fresh = built.join();
        } catch (CompletionException | CancellationException e) {
            LOG.warn("the search index rebuild aside failed; rebuilding on the event loop", e);
            appliedAside.clear();
            rebuild();
            return;
        }
        appliedAside.forEach(fresh::add);
        appliedAside.clear();
        SearchIndex old = index;
        index = fresh;
        old.close();
        rebuilds++;
    }

    /** Stops the rebuild running aside, if any; what it built (or builds) is closed, never used. */
    private void abandonAside() {
        if (aside != null) {
            asideAbandoned.set(true);
            aside.thenAccept(SearchIndex::close);
            aside = null;
            appliedAside.clear();
        }
    }

    /** The reply to {@code request}: a page of hits, or {@code erro} naming the field the index refused. */
    Envelope read(Request.Search request) {
        takeOverIfBuilt();
        if (aside != null) {
            return Replies.error(
                    Services.SEARCH,
                    "this server is rebuilding its search index after installing a checkpoint; retry (another server"
                            + " may answer)");
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

    /**
     * Abandons a rebuild running aside and waits (bounded) for it to stop reading the store, which its owner closes
     * next; then closes the index.
     */
    @Override
    public void close() {
        abandonAside();
        if (ownRebuilder != null) {
            ownRebuilder.shutdown();
            try {
                if (!ownRebuilder.awaitTermination(REBUILD_STOP_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                    LOG.warn("the search index rebuild did not stop within {} ms", REBUILD_STOP_WAIT_MILLIS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        index.close();
    }
}
