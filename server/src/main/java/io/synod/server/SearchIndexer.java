package io.synod.server;

import io.synod.search.SearchDocument;
import io.synod.search.SearchIndex;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds a {@link SearchIndex} off the event loop. The loop only appends the documents of what it applied to a bounded
 * backlog ({@link #add}); the indexer (a daemon thread of its own, {@code search-indexer}, or a test calling {@link
 * #indexBatch} by hand) takes them in batches of at most {@link #SEARCH_BATCH_MAX_DOCUMENTS} and adds each batch to
 * Lucene in one call. A rebuild from the store ({@link #rebuildFromStore}: a checkpoint install, a full backlog) runs
 * on the same thread, in backlog order: the store scan starts on the loop, so what the loop appends after it is
 * added after the rebuild (a message the scan saw too is replaced, not doubled).
 *
 * <p>Read-your-writes: every item handed over gets the next number of a sequence; the indexer publishes the number of
 * the last item it added. A search asks {@link #awaitSearchable} whether the index holds everything the loop handed
 * over so far, i.e. every document of every command this server applied before the search. If not, the loop takes
 * the writing side once the indexer's batch in flight is written and adds the rest itself (bounded by the backlog and
 * by {@link #SEARCH_CATCH_UP_WAIT_MILLIS}); while a rebuild is pending (it can take seconds) the search is not
 * answered from the index: the server parks it until the rebuild is done ({@link SearchService#answerableNow}).
 *
 * <p>Backlog full (the indexer {@link #SEARCH_BACKLOG_MAX_DOCUMENTS} documents behind): the loop neither blocks nor
 * drops a document silently. It drops the whole backlog and hands over a rebuild from the store instead (the store
 * holds every message applied, the dropped ones included); searches wait until the rebuild is done.
 *
 * <p>Threads: {@link #add}, {@link #rebuildFromStore}, {@link #awaitSearchable} and {@link #close} are called by the
 * event loop (one thread); {@link #indexBatch} by the indexer thread, and by the loop when a search catches up;
 * {@link #rebuildHere} by the loop before the server serves. The backlog and the published sequence number are
 * guarded by {@link #lock}; the index's writing side is held by whoever holds {@link #indexing}.
 */
final class SearchIndexer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SearchIndexer.class);
    /** Documents waiting for the indexer; beyond this the backlog is dropped for a rebuild from the store. */
    static final int SEARCH_BACKLOG_MAX_DOCUMENTS = 8_192;
    /** Most documents the indexer adds in one batch (one call into the index). */
    static final int SEARCH_BATCH_MAX_DOCUMENTS = 512;
    /**
     * How long a search may spend on the loop catching the index up (waiting for the indexer's batch in flight, then
     * adding the rest): the loop does nothing else meanwhile, so at most a leader's heartbeat interval (100 ms), far
     * below the shortest election timeout (500 ms). The indexer is normally one batch behind, a few milliseconds.
     */
    static final long SEARCH_CATCH_UP_WAIT_MILLIS = 100;
    /** How long {@link #close} waits for the indexer thread to finish its batch (a rebuild stops at its next message). */
    private static final long INDEXER_STOP_WAIT_MILLIS = 10_000;

    /** What {@link #awaitSearchable} found. */
    enum Readiness {
        /** The index holds every document handed over: a search sees every write applied before it. */
        READY,
        /** A rebuild from the store is pending or running: searches are refused until it is done. */
        REBUILDING,
        /** The indexer did not catch up within the wait. */
        BEHIND
    }

    /** An item of the backlog: one document, or a rebuild from a scan of the store. */
    private sealed interface Item {
        long sequence();
    }

    private record Add(SearchDocument document, long sequence) implements Item {}

    private record Rebuild(Iterator<? extends SearchDocument> scan, AtomicBoolean abandoned, long sequence)
            implements Item {}

    private final SearchIndex index;
    /** A scan of every message in the store, started on the loop; it stops (throwing) once its flag is set. */
    private final Function<AtomicBoolean, Iterator<? extends SearchDocument>> storeScan;

    private final int backlogMaxDocuments;
    /** Whether {@link #awaitSearchable} adds what the indexer has not yet, rather than only wait for it. */
    private final boolean searchesDrain;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final Condition progress = lock.newCondition();
    /** Held while the index is written (a batch, a rebuild): one writer at a time. */
    private final ReentrantLock indexing = new ReentrantLock();

    private final Thread thread;

    // guarded by lock
    private final ArrayDeque<Item> backlog = new ArrayDeque<>();
    private int backlogDocuments;
    /** The sequence number of the last item the indexer finished. */
    private long indexed;
    /** Set by the indexer when a rebuild failed; the loop then hands over another. */
    private boolean rebuildFailed;

    private boolean closed;
    private long rebuilds;
    private long overflows;
    /** The sequence number of the last item handed over. */
    private long handed;
    /** The sequence number of the last rebuild handed over (0: none). */
    private long lastRebuild;
    /** The abandon flag of the last rebuild handed over. */
    private AtomicBoolean lastRebuildAbandoned = new AtomicBoolean();

    private SearchIndexer(
            SearchIndex index,
            Function<AtomicBoolean, Iterator<? extends SearchDocument>> storeScan,
            int backlogMaxDocuments,
            boolean ownThread,
            boolean searchesDrain) {
        if (backlogMaxDocuments < 1) {
            throw new IllegalArgumentException("backlogMaxDocuments must be positive, got " + backlogMaxDocuments);
        }
        this.index = index;
        this.storeScan = storeScan;
        this.backlogMaxDocuments = backlogMaxDocuments;
        this.searchesDrain = searchesDrain;
        if (ownThread) {
            thread = new Thread(this::run, "search-indexer");
            thread.setDaemon(true); // never keeps a stopped server's JVM alive; close stops it first
            thread.start();
        } else {
            thread = null;
        }
    }

    /** An indexer with a thread of its own, whose searches add what it has not yet. */
    static SearchIndexer started(
            SearchIndex index, Function<AtomicBoolean, Iterator<? extends SearchDocument>> storeScan) {
        return new SearchIndexer(index, storeScan, SEARCH_BACKLOG_MAX_DOCUMENTS, true, true);
    }

    /**
     * An indexer without a thread: the caller runs {@link #indexBatch} when it wants (tests); searches drain the
     * backlog themselves only if {@code searchesDrain}.
     */
    static SearchIndexer byHand(
            SearchIndex index,
            Function<AtomicBoolean, Iterator<? extends SearchDocument>> storeScan,
            int backlogMaxDocuments,
            boolean searchesDrain) {
        return new SearchIndexer(index, storeScan, backlogMaxDocuments, false, searchesDrain);
    }

    /** Hands {@code document} to the indexer; a full backlog is replaced by a rebuild from the store (loop). */
    void add(SearchDocument document) {
        lock.lock();
        try {
            // In both cases the store holds this document already (it was applied before we were told), so the
            // rebuild's scan, started now, covers it.
            if (rebuildFailed) {
                handRebuildLocked();
                return;
            }
            if (backlogDocuments >= backlogMaxDocuments) {
                overflows++;
                LOG.warn(
                        "the search indexer is {} documents behind: its backlog is dropped and the index rebuilt"
                                + " from the store (searches are refused meanwhile)",
                        backlogDocuments);
                handRebuildLocked();
                return;
            }
            backlog.addLast(new Add(document, ++handed));
            backlogDocuments++;
            work.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Hands over a rebuild of the whole index from the store, which replaces the backlog (loop). */
    void rebuildFromStore() {
        lock.lock();
        try {
            handRebuildLocked();
        } finally {
            lock.unlock();
        }
    }

    private void handRebuildLocked() {
        lastRebuildAbandoned.set(true); // a rebuild still running would be replaced anyway: stop its scan
        backlog.clear();
        backlogDocuments = 0;
        rebuildFailed = false;
        AtomicBoolean abandoned = new AtomicBoolean();
        Iterator<? extends SearchDocument> scan = storeScan.apply(abandoned);
        lastRebuild = ++handed;
        lastRebuildAbandoned = abandoned;
        backlog.addLast(new Rebuild(scan, abandoned, lastRebuild));
        work.signal();
    }

    /**
     * Rebuilds the index from the store on the calling thread, the backlog dropped (the store covers it): the
     * start-up rebuild, before the server serves (loop). Waits for a batch the indexer is writing; a rebuild it runs
     * is abandoned.
     */
    void rebuildHere() {
        lock.lock();
        try {
            lastRebuildAbandoned.set(true);
            backlog.clear();
            backlogDocuments = 0;
            rebuildFailed = false;
        } finally {
            lock.unlock();
        }
        AtomicBoolean abandoned = new AtomicBoolean();
        long sequence;
        indexing.lock();
        try {
            lock.lock();
            try {
                sequence = ++handed;
                lastRebuild = sequence;
                lastRebuildAbandoned = abandoned;
            } finally {
                lock.unlock();
            }
            index.rebuild(storeScan.apply(abandoned));
        } finally {
            indexing.unlock();
        }
        finished(sequence, true);
    }

    /**
     * Whether the index holds every document handed over so far, getting it there within about {@code waitMillis}
     * (not at all while a rebuild is pending: refused at once). An indexer whose searches drain ({@link #started})
     * takes the writing side as soon as the indexer's batch in flight is written and adds what is left on the calling
     * thread (the loop: a search pays for what it needs, a write never); one without waits for whoever drains it.
     * Loop.
     */
    Readiness awaitSearchable(long waitMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
        Readiness now = readiness();
        if (now != Readiness.BEHIND) {
            return now;
        }
        try {
            if (searchesDrain) {
                if (!indexing.tryLock(waitMillis, TimeUnit.MILLISECONDS)) {
                    return Readiness.BEHIND;
                }
                try {
                    // only documents are behind (a rebuild would be REBUILDING), and at least one batch is added
                    while (readiness() == Readiness.BEHIND && indexBatch() && System.nanoTime() < deadline) {}
                } finally {
                    indexing.unlock();
                }
                return readiness();
            }
            lock.lock();
            try {
                while (readiness() == Readiness.BEHIND) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0 || closed) {
                        return Readiness.BEHIND;
                    }
                    progress.awaitNanos(left);
                }
                return readiness();
            } finally {
                lock.unlock();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Readiness.BEHIND;
        }
    }

    /** Where the index stands now, without waiting; a failed rebuild or write is handed over again here (loop). */
    Readiness readiness() {
        lock.lock();
        try {
            if (rebuildFailed) {
                handRebuildLocked();
            }
            if (indexed >= handed) {
                return Readiness.READY;
            }
            return indexed < lastRebuild ? Readiness.REBUILDING : Readiness.BEHIND;
        } finally {
            lock.unlock();
        }
    }

    /** Whether a rebuild handed over is not done yet. */
    boolean rebuilding() {
        lock.lock();
        try {
            return indexed < lastRebuild || rebuildFailed;
        } finally {
            lock.unlock();
        }
    }

    /** How many rebuilds completed (start-up, checkpoint installs, full backlogs). */
    long rebuilds() {
        lock.lock();
        try {
            return rebuilds;
        } finally {
            lock.unlock();
        }
    }

    /** How many times a full backlog was dropped for a rebuild. */
    long overflows() {
        lock.lock();
        try {
            return overflows;
        } finally {
            lock.unlock();
        }
    }

    /** Whether the indexer's own thread runs (false for one run by hand, and after {@link #close}). */
    boolean threadAlive() {
        return thread != null && thread.isAlive();
    }

    /** How many documents wait in the backlog. */
    int backlogDocuments() {
        lock.lock();
        try {
            return backlogDocuments;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes the next batch from the backlog (a rebuild, or up to {@link #SEARCH_BATCH_MAX_DOCUMENTS} documents) and
     * writes it to the index; returns false if the backlog was empty. The indexer thread's step; a test's by hand.
     */
    boolean indexBatch() {
        indexing.lock();
        try {
            Item first;
            List<SearchDocument> documents = new ArrayList<>();
            long last;
            lock.lock();
            try {
                first = backlog.pollFirst();
                if (first == null) {
                    return false;
                }
                last = first.sequence();
                if (first instanceof Add add) {
                    documents.add(add.document());
                    while (documents.size() < SEARCH_BATCH_MAX_DOCUMENTS && backlog.peekFirst() instanceof Add next) {
                        backlog.pollFirst();
                        documents.add(next.document());
                        last = next.sequence();
                    }
                    backlogDocuments -= documents.size();
                }
            } finally {
                lock.unlock();
            }
            if (first instanceof Rebuild rebuild) {
                rebuild(rebuild);
            } else {
                write(documents, last);
            }
            return true;
        } finally {
            indexing.unlock();
        }
    }

    private void write(List<SearchDocument> documents, long last) {
        try {
            index.addAll(documents);
            finished(last, false);
        } catch (RuntimeException e) {
            LOG.error(
                    "adding {} documents to the search index failed; rebuilding it from the store",
                    documents.size(),
                    e);
            failed();
        }
    }

    private void rebuild(Rebuild rebuild) {
        long started = System.nanoTime();
        try {
            index.rebuild(rebuild.scan());
        } catch (CancellationException e) {
            return; // replaced by a later rebuild, which is next in the backlog (or the service is closing)
        } catch (RuntimeException e) {
            if (!rebuild.abandoned().get()) {
                LOG.error("the search index rebuild from the store failed; the next search or apply starts another", e);
                failed();
            }
            return;
        }
        finished(rebuild.sequence(), true);
        LOG.info(
                "search index rebuilt from the store on the indexer thread: {} messages in {} ms",
                index.documentCount(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    private void finished(long sequence, boolean rebuilt) {
        lock.lock();
        try {
            indexed = Math.max(indexed, sequence);
            if (rebuilt) {
                rebuilds++;
            }
            progress.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void failed() {
        lock.lock();
        try {
            rebuildFailed = true;
            progress.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        while (true) {
            lock.lock();
            try {
                while (backlog.isEmpty() && !closed) {
                    work.awaitUninterruptibly();
                }
                if (closed) {
                    return;
                }
            } finally {
                lock.unlock();
            }
            try {
                indexBatch();
            } catch (RuntimeException | Error e) {
                LOG.error("the search indexer failed; rebuilding the index from the store", e);
                failed();
            }
        }
    }

    /**
     * Stops the indexer: the backlog is dropped, a running rebuild stops at its next message, and the thread is
     * waited for (bounded), so that the caller can close the index and the store next.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            lastRebuildAbandoned.set(true);
            backlog.clear();
            backlogDocuments = 0;
            work.signalAll();
            progress.signalAll();
        } finally {
            lock.unlock();
        }
        if (thread != null) {
            try {
                thread.join(INDEXER_STOP_WAIT_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (thread.isAlive()) {
                LOG.warn("the search indexer did not stop within {} ms", INDEXER_STOP_WAIT_MILLIS);
            }
        }
    }
}
