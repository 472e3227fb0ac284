package io.synod.search;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.BoostQuery;
import org.apache.lucene.search.FieldDoc;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.PhraseQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherFactory;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopFieldDocs;
import org.apache.lucene.search.similarities.BooleanSimilarity;
import org.apache.lucene.search.similarities.Similarity;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.apache.lucene.util.IOUtils;

/**
 * The search index of one server: an adapter over Apache Lucene, in memory ({@link ByteBuffersDirectory}). Memory
 * rather than a directory under the data dir because the index is derived state that a server rebuilds from its
 * store anyway (at start-up and after a checkpoint install): a copy on disk would have to be proven to match the
 * store after every crash, and would save only the rebuild (about a second per 100,000 documents, see
 * docs/search.md).
 *
 * <p>Threads: one writer at a time (adds and rebuilds; the server's indexer thread), and searches from another
 * thread (the server's event loop) concurrently with adds, never with a rebuild (the server refuses searches while
 * one runs). Ownership of the writing side may move with a happens-before edge (a lock, a queue). Lucene merges
 * segments on threads of its own ({@code Lucene Merge Thread #n}, ended by {@link #close}). A document added is found
 * by the next search: a search after adds first refreshes the reader (near-real-time, from the writer's memory, no
 * commit). The refresh is the search's, once for everything added since the last one, never one per add or per
 * batch: a refresh writes the adds buffered so far as a new segment, so refreshing while nobody searches would only
 * make small segments for Lucene to merge again.
 *
 * <p>An add that the index knows to be new (its index is above every index added so far, which holds for every
 * command applied in order) is appended; only one at or below that mark pays the delete by id that replacing needs.
 *
 * <p>Determinism: the ranking ({@link SearchSort}) uses only the query and the document itself, never collection
 * statistics (Lucene's default BM25 counts deleted documents until a merge, so two servers with the same documents
 * but different histories would rank differently). Same documents, same query: same pages on every server.
 *
 * <p>Cursor guarantee: the order of a search (points, then index, newest first) is total and a document's place
 * in it never changes, so following {@link SearchPage#nextCursor()} from the first page returns every matching
 * document that existed when the first page was read exactly once, with no duplicates, however many documents are
 * added between pages. A document added meanwhile shows up on a later page only if its place is after the cursor
 * (under {@link SearchSort#NEWEST} never: it is newer than every cursor; a new search shows it first).
 */
public final class SearchIndex implements AutoCloseable {
    /**
     * Lucene warns at its first use in every process that the JDK's incubating Vector API is not enabled. It would
     * only speed up vector search, which Synod does not use, and enabling it makes the JDK print its own incubator
     * warning instead, so that one logger is set to SEVERE. Declared first so that it runs before any Lucene class
     * loads here, and held so the level stays (java.util.logging keeps loggers weakly).
     */
    private static final java.util.logging.Logger LUCENE_VECTOR_NOTICE = quietVectorNotice();

    /** The longest query, in characters (code points), checked before anything is analysed. */
    public static final int QUERY_CHARS_MAX = 256;
    /** The most words a query may have (each word is one term every hit must contain). */
    public static final int QUERY_TERMS_MAX = 16;
    /** The most hits in one page. */
    public static final int PAGE_SIZE_MAX = 100;
    /** The page size a server uses when a request names none. */
    public static final int PAGE_SIZE_DEFAULT = 20;
    /** The points under {@link SearchSort#BEST} of a document with the query's words side by side, in order. */
    public static final int PHRASE_POINTS = 2;
    /** The writer's buffer before it writes a segment (to memory): bounds the indexing garbage per flush. */
    static final double WRITER_BUFFER_MEBIBYTES = 16;

    private static java.util.logging.Logger quietVectorNotice() {
        java.util.logging.Logger logger =
                java.util.logging.Logger.getLogger("org.apache.lucene.internal.vectorization.VectorizationProvider");
        logger.setLevel(java.util.logging.Level.SEVERE);
        return logger;
    }

    private static final int POINTS_MAX = QUERY_TERMS_MAX + PHRASE_POINTS;
    private static final Similarity SIMILARITY = new BooleanSimilarity();
    private static final Sort NEWEST = new Sort(new SortField(SearchFields.INDEX, SortField.Type.LONG, true));
    private static final Sort BEST =
            new Sort(SortField.FIELD_SCORE, new SortField(SearchFields.INDEX, SortField.Type.LONG, true));

    /** Replaced by a rebuild (on the writing thread, while nobody searches); read by searches. */
    private volatile Engine engine;
    /** Set by an add, cleared by the refresh the next search does (which may run on another thread). */
    private final AtomicBoolean addedSinceRefresh = new AtomicBoolean();

    private SearchIndex(Engine engine) {
        this.engine = engine;
    }

    /** An empty index in memory. */
    public static SearchIndex inMemory() {
        return new SearchIndex(Engine.open());
    }

    /**
     * Adds {@code document} (the server calls it as it applies the command that created it), replacing any document
     * with the same index, so a replayed apply leaves one copy.
     */
    public void add(SearchDocument document) {
        engine.add(document);
        addedSinceRefresh.set(true);
    }

    /**
     * Adds {@code documents} in order, as {@link #add} each: one call for a batch the indexer drained, so a search
     * refreshes once for all of them.
     */
    public void addAll(List<? extends SearchDocument> documents) {
        Engine current = engine;
        for (SearchDocument document : documents) {
            current.add(document);
        }
        if (!documents.isEmpty()) {
            addedSinceRefresh.set(true);
        }
    }

    /**
     * Replaces the whole content with {@code documents}, in any order (the server feeds its store at start-up and
     * after installing a checkpoint). The new index is built aside and swapped in when complete, so if the
     * iterator fails the old content stays searchable and the exception goes to the caller.
     */
    public void rebuild(Iterator<? extends SearchDocument> documents) {
        Engine fresh = Engine.open();
        try {
            // A fresh index needs no delete by id, except for an index given earlier in this same rebuild: the
            // later document replaces it, as an add would.
            Set<Long> seen = new HashSet<>();
            while (documents.hasNext()) {
                SearchDocument document = documents.next();
                if (seen.add(document.index())) {
                    fresh.append(document);
                } else {
                    fresh.put(document);
                }
                fresh.highestIndex = Math.max(fresh.highestIndex, document.index());
            }
            fresh.searchers.maybeRefreshBlocking();
        } catch (IOException e) {
            fresh.close();
            throw new UncheckedIOException("refreshing an index in memory", e);
        } catch (RuntimeException | Error e) {
            fresh.close();
            throw e;
        }
        Engine old = engine;
        engine = fresh;
        addedSinceRefresh.set(false);
        old.close();
    }

    /** How many documents the index holds (one per index). */
    public int documentCount() {
        refresh();
        try {
            IndexSearcher searcher = engine.searchers.acquire();
            try {
                return searcher.getIndexReader().numDocs();
            } finally {
                engine.searchers.release(searcher);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading an index in memory", e);
        }
    }

    /** The bytes the index's files take in memory (the searchable segments; not the writer's unflushed buffer). */
    public long indexBytes() {
        try {
            long bytes = 0;
            for (String file : engine.directory.listAll()) {
                bytes += engine.directory.fileLength(file);
            }
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException("reading an index in memory", e);
        }
    }

    /**
     * One page of {@code query}'s hits: documents holding every word of the query (folded: case and accents
     * ignored), public or private to the asking user, passing the filters, in the query's order.
     *
     * @throws SearchException naming the field when the query, the limit or the cursor breaks a rule
     */
    public SearchPage search(SearchQuery query) {
        List<String> words = checkedWords(query.text());
        int limit = query.limit();
        if (limit < 1 || limit > PAGE_SIZE_MAX) {
            throw new SearchException("limit", "field 'limit' must be between 1 and " + PAGE_SIZE_MAX);
        }
        long check = SearchCursor.check(query, words);
        SearchCursor after =
                query.cursor() == null ? null : SearchCursor.decode(query.cursor(), query.sort(), check, POINTS_MAX);
        Query lucene = luceneQuery(query, words);
        Sort sort = query.sort() == SearchSort.BEST ? BEST : NEWEST;
        refresh();
        try {
            IndexSearcher searcher = engine.searchers.acquire();
            try {
                return page(searcher, lucene, sort, after, limit, check, query.sort());
            } finally {
                engine.searchers.release(searcher);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("searching an index in memory", e);
        }
    }

    /** Opens a reader on what was added since the last search (near-real-time: from the writer's memory). */
    private void refresh() {
        if (addedSinceRefresh.getAndSet(false)) {
            try {
                engine.searchers.maybeRefreshBlocking();
            } catch (IOException e) {
                throw new UncheckedIOException("refreshing an index in memory", e);
            }
        }
    }

    @Override
    public void close() {
        engine.close();
    }

    private static List<String> checkedWords(String text) {
        if (text == null) {
            throw new SearchException("query", "field 'query' is required");
        }
        if (text.length() > 2 * QUERY_CHARS_MAX || text.codePointCount(0, text.length()) > QUERY_CHARS_MAX) {
            throw new SearchException("query", "field 'query' is longer than " + QUERY_CHARS_MAX + " characters");
        }
        List<String> words = Analysis.foldedWords(text, QUERY_TERMS_MAX);
        if (words.isEmpty()) {
            throw new SearchException("query", "field 'query' has no words to search for");
        }
        if (words.size() > QUERY_TERMS_MAX) {
            throw new SearchException("query", "field 'query' has more than " + QUERY_TERMS_MAX + " words");
        }
        return words;
    }

    /**
     * Every word and every filter as a FILTER clause (no points); under {@link SearchSort#BEST}, a point per query
     * word typed with accents that the document has as typed, and {@link #PHRASE_POINTS} for the words in order.
     */
    private static Query luceneQuery(SearchQuery query, List<String> words) {
        BooleanQuery.Builder builder = new BooleanQuery.Builder();
        for (String word : new LinkedHashSet<>(words)) {
            builder.add(new TermQuery(new Term(SearchFields.TEXT, word)), Occur.FILTER);
        }
        builder.add(visibleTo(query.user()), Occur.FILTER);
        if (query.kind() != null) {
            builder.add(new TermQuery(new Term(SearchFields.KIND, query.kind().wireName())), Occur.FILTER);
        }
        if (query.channel() != null) {
            builder.add(new TermQuery(new Term(SearchFields.CHANNEL, query.channel())), Occur.FILTER);
        }
        if (query.author() != null) {
            builder.add(new TermQuery(new Term(SearchFields.AUTHOR, query.author())), Occur.FILTER);
        }
        if (query.sort() == SearchSort.BEST) {
            Set<String> accented = new LinkedHashSet<>(Analysis.lowerCaseWords(query.text(), QUERY_TERMS_MAX));
            accented.removeAll(words);
            for (String word : accented) {
                builder.add(new TermQuery(new Term(SearchFields.TEXT, word)), Occur.SHOULD);
            }
            if (words.size() > 1) {
                Query phrase = new PhraseQuery(SearchFields.TEXT, words.toArray(String[]::new));
                builder.add(new BoostQuery(phrase, PHRASE_POINTS), Occur.SHOULD);
            }
        }
        return builder.build();
    }

    /** Channel messages and posts, and the private messages {@code user} sent or received (none when null). */
    private static Query visibleTo(String user) {
        BooleanQuery.Builder visible = new BooleanQuery.Builder();
        visible.add(new TermQuery(new Term(SearchFields.KIND, DocumentKind.CHANNEL.wireName())), Occur.SHOULD);
        visible.add(new TermQuery(new Term(SearchFields.KIND, DocumentKind.POST.wireName())), Occur.SHOULD);
        if (user != null) {
            visible.add(new TermQuery(new Term(SearchFields.PARTY, user)), Occur.SHOULD);
        }
        visible.setMinimumNumberShouldMatch(1);
        return visible.build();
    }

    private static SearchPage page(
            IndexSearcher searcher,
            Query query,
            Sort sort,
            SearchCursor after,
            int limit,
            long check,
            SearchSort searchSort)
            throws IOException {
        IndexReader reader = searcher.getIndexReader();
        if (reader.maxDoc() == 0) {
            return new SearchPage(List.of(), null);
        }
        boolean best = searchSort == SearchSort.BEST;
        FieldDoc afterDoc = null;
        if (after != null) {
            // Places are unique (the index is), so a tie on every sort field is the cursor's own document: a doc
            // id no lower than any in the reader makes Lucene skip it.
            int lastDoc = reader.maxDoc() - 1;
            afterDoc = best
                    ? new FieldDoc(lastDoc, after.points(), new Object[] {(float) after.points(), after.index()})
                    : new FieldDoc(lastDoc, Float.NaN, new Object[] {after.index()});
        }
        TopFieldDocs top = searcher.searchAfter(afterDoc, query, limit + 1, sort, best);
        StoredFields stored = searcher.storedFields();
        List<SearchHit> hits = new ArrayList<>(Math.min(limit, top.scoreDocs.length));
        String next = null;
        for (int i = 0; i < top.scoreDocs.length && i < limit; i++) {
            ScoreDoc hit = top.scoreDocs[i];
            int points = best ? Math.round(hit.score) : 0;
            hits.add(new SearchHit(SearchFields.fromLucene(stored.document(hit.doc)), points));
        }
        if (top.scoreDocs.length > limit) {
            SearchHit last = hits.get(limit - 1);
            next = new SearchCursor(searchSort, last.points(), last.document().index(), check).encode();
        }
        return new SearchPage(hits, next);
    }

    /** A directory, its writer and the searchers over it, replaced together by a rebuild. */
    private static final class Engine {
        final Directory directory;
        final IndexWriter writer;
        final SearcherManager searchers;
        /** The highest index added so far (written by the writing thread only): an add above it is new. */
        long highestIndex = Long.MIN_VALUE;

        private Engine(Directory directory, IndexWriter writer, SearcherManager searchers) {
            this.directory = directory;
            this.writer = writer;
            this.searchers = searchers;
        }

        static Engine open() {
            Directory directory = new ByteBuffersDirectory();
            IndexWriter writer = null;
            try {
                IndexWriterConfig config = new IndexWriterConfig(Analysis.INDEX)
                        .setSimilarity(SIMILARITY)
                        .setRAMBufferSizeMB(WRITER_BUFFER_MEBIBYTES)
                        .setOpenMode(IndexWriterConfig.OpenMode.CREATE)
                        .setCommitOnClose(false);
                writer = new IndexWriter(directory, config);
                SearcherManager searchers = new SearcherManager(writer, new SearcherFactory() {
                    @Override
                    public IndexSearcher newSearcher(IndexReader reader, IndexReader previousReader) {
                        IndexSearcher searcher = new IndexSearcher(reader);
                        searcher.setSimilarity(SIMILARITY);
                        // Lucene's query cache is shared by the JVM; these queries are cheap to run again.
                        searcher.setQueryCache(null);
                        return searcher;
                    }
                });
                return new Engine(directory, writer, searchers);
            } catch (IOException e) {
                IOUtils.closeWhileHandlingException(writer, directory);
                throw new UncheckedIOException("opening an index in memory", e);
            }
        }

        /** Appends a document above every index so far; replaces the one of the same index otherwise. */
        void add(SearchDocument document) {
            if (document.index() > highestIndex) {
                append(document);
                highestIndex = document.index();
            } else {
                put(document);
            }
        }

        void append(SearchDocument document) {
            try {
                writer.addDocument(SearchFields.toLucene(document));
            } catch (IOException e) {
                throw new UncheckedIOException("adding to an index in memory", e);
            }
        }

        void put(SearchDocument document) {
            try {
                writer.updateDocument(SearchFields.idTerm(document.index()), SearchFields.toLucene(document));
            } catch (IOException e) {
                throw new UncheckedIOException("adding to an index in memory", e);
            }
        }

        void close() {
            try {
                IOUtils.close(searchers, writer, directory);
            } catch (IOException e) {
                throw new UncheckedIOException("closing an index in memory", e);
            }
        }
    }
}
