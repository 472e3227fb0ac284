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
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code search} service (docs/protocol.md) over this server's {@link SearchIndex}: derived state, never
 * replicated. The index is rebuilt from the applied state ({@link #rebuild}: at start-up, before the server serves,
 * and after every checkpoint install, {@link #stateReplaced}) and told of every command this server applies, leader
 * or not ({@link #applied}), so it holds exactly the messages of the applied state: two servers that applied the
 * same commands answer the same pages. A search is a read like {@code history}: it sees what this server has applied
 * (a client reads its own writes with {@code min_index} or {@code linearizable}).
 *
 * <p>A rebuild runs on the calling thread, the event loop: about 2 s of CPU per 100,000 messages, during which the
 * server answers nothing (docs/search.md has the measurement); a server with far more messages would build the new
 * index aside on a helper thread instead.
 *
 * <p>Thread-safety: not thread-safe; owned by the event loop, like the state machine it reads.
 */
final class SearchService implements ReplicationDriver.AppliedListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SearchService.class);

    private final ChatStateMachine machine;
    private final SearchIndex index = SearchIndex.inMemory();
    private long rebuilds;

    SearchService(ChatStateMachine machine) {
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

    /** Replaces the index's content with every message of the applied state, read a page at a time. */
    void rebuild() {
        long started = System.nanoTime();
        index.rebuild(documents(machine.social().messages()));
        rebuilds++;
        LOG.info(
                "search index rebuilt from the applied state (index {}): {} messages in {} ms",
                machine.appliedIndex(),
                index.documentCount(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    /** How many rebuilds this service ran (start-up and checkpoint installs). */
    long rebuilds() {
        return rebuilds;
    }

    /** How many messages the index holds. */
    int documentCount() {
        return index.documentCount();
    }

    @Override
    public void applied(long commandIndex, List<Publication> publications) {
        for (Publication publication : publications) {
            SearchDocument document = document(publication);
            if (document != null) {
                index.add(document); // its index is the writing command's: a replayed duplicate replaces itself
            }
        }
    }

    @Override
    public void stateReplaced() {
        rebuild();
    }

    /** The reply to {@code request}: a page of hits, or {@code erro} naming the field the index refused. */
    Envelope read(Request.Search request) {
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

    private static Iterator<SearchDocument> documents(Iterator<Publication> messages) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
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

    @Override
    public void close() {
        index.close();
    }
}
