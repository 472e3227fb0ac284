package io.synod.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.synod.search.SearchDocument.ChannelMessage;
import io.synod.search.SearchDocument.Post;
import io.synod.search.SearchDocument.PrivateMessage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Folding, visibility, filters and ranking, on hand-made documents and against {@link Corpus}'s model. */
class SearchIndexTest {
    private final SearchIndex index = SearchIndex.inMemory();

    @AfterEach
    void close() {
        index.close();
    }

    @Test
    void acaoAndAcaoInCapitalsFindAcaoWithAccentsAndBackAgain() {
        index.add(new ChannelMessage(1024, "geral", 1, "ana", "Uma ação rápida", 1.5));
        index.add(new Post(2048, "7-0", "bob", "sem acento: acao", 2.5));
        index.add(new ChannelMessage(3072, "geral", 2, "ana", "nada a ver", 3.5));

        for (String query : List.of("acao", "AÇÃO", "ação", "ACAO", "Ação")) {
            assertThat(indexes(index.search(SearchQuery.of("carl", query))))
                    .as(query)
                    .containsExactly(2048L, 1024L);
        }
        assertThat(indexes(index.search(SearchQuery.of("carl", "RAPIDA")))).containsExactly(1024L);
    }

    @Test
    void decomposedAccentsAreTheSameWordAsPrecomposedOnes() {
        String decomposed = "ac\u0327a\u0303o"; // c + combining cedilla, a + combining tilde
        index.add(new Post(1024, "1-0", "ana", "uma " + decomposed, 1));
        index.add(new Post(2048, "2-0", "ana", "outra ação", 2));

        assertThat(indexes(index.search(SearchQuery.of("bob", "ação")))).containsExactly(2048L, 1024L);
        assertThat(indexes(index.search(SearchQuery.of("bob", decomposed)))).containsExactly(2048L, 1024L);
        assertThat(indexes(index.search(SearchQuery.of("bob", "acao")))).containsExactly(2048L, 1024L);
    }

    @Test
    void otherScriptsAndFoldingsBeyondPortuguese() {
        index.add(new Post(1024, "1-0", "ana", "Straße in Zürich, Ærø and naïve café", 1));
        index.add(new Post(2048, "2-0", "ana", "Привет мир, 東京", 2));

        assertThat(indexes(index.search(SearchQuery.of("bob", "strasse zurich aero naive cafe"))))
                .containsExactly(1024L);
        assertThat(indexes(index.search(SearchQuery.of("bob", "ПРИВЕТ")))).containsExactly(2048L);
    }

    @Test
    void everyWordMustBeThere() {
        index.add(new Post(1024, "1-0", "ana", "pão e café", 1));
        index.add(new Post(2048, "2-0", "ana", "só café", 2));

        assertThat(indexes(index.search(SearchQuery.of("bob", "cafe pao")))).containsExactly(1024L);
        assertThat(indexes(index.search(SearchQuery.of("bob", "cafe")))).containsExactly(2048L, 1024L);
        assertThat(indexes(index.search(SearchQuery.of("bob", "chá")))).isEmpty();
    }

    @Test
    void anotherUsersPrivateMessageNeverAppearsEvenWhenOnlyItMatches() {
        index.add(new PrivateMessage(1024, "ana", "bob", "segredo ação", 1));
        index.add(new ChannelMessage(2048, "geral", 1, "ana", "ação pública", 2));
        index.add(new PrivateMessage(3072, "bob", "dora", "outro segredo", 3));

        for (SearchSort sort : SearchSort.values()) {
            SearchQuery carl = SearchQuery.of("carl", "segredo").withSort(sort);
            assertThat(index.search(carl).hits()).as("carl, %s", sort).isEmpty();
            assertThat(index.search(carl.withKind(DocumentKind.PRIVATE)).hits()).isEmpty();
            assertThat(index.search(carl.withAuthor("ana")).hits()).isEmpty();
            assertThat(index.search(carl.withAuthor("bob")).hits()).isEmpty();
            assertThat(index.search(new SearchQuery(null, "segredo", sort, 10, null, null, null, null))
                            .hits())
                    .as("no user")
                    .isEmpty();
            assertThat(indexes(index.search(SearchQuery.of("ana", "segredo").withSort(sort))))
                    .containsExactly(1024L);
            assertThat(indexes(index.search(SearchQuery.of("bob", "segredo").withSort(sort))))
                    .containsExactly(3072L, 1024L);
            assertThat(indexes(index.search(SearchQuery.of("dora", "segredo").withSort(sort))))
                    .containsExactly(3072L);
        }
        assertThat(indexes(index.search(SearchQuery.of("carl", "acao")))).containsExactly(2048L);
    }

    @Test
    void aNameThatLooksLikeAKindSeesNoPrivateMessages() {
        index.add(new PrivateMessage(1024, "ana", "bob", "segredo", 1));
        for (String user : List.of("channel", "post", "private", "", "*", "ana ", "Ana")) {
            assertThat(index.search(SearchQuery.of(user, "segredo")).hits())
                    .as(user)
                    .isEmpty();
        }
    }

    @Test
    void filtersByKindChannelAndAuthor() {
        index.add(new ChannelMessage(1024, "geral", 1, "ana", "sol", 1));
        index.add(new ChannelMessage(2048, "dev", 1, "bob", "sol", 2));
        index.add(new Post(3072, "1-0", "ana", "sol", 3));
        index.add(new PrivateMessage(4096, "ana", "bob", "sol", 4));

        SearchQuery bob = SearchQuery.of("bob", "sol");
        assertThat(indexes(index.search(bob))).containsExactly(4096L, 3072L, 2048L, 1024L);
        assertThat(indexes(index.search(bob.withKind(DocumentKind.CHANNEL)))).containsExactly(2048L, 1024L);
        assertThat(indexes(index.search(bob.withKind(DocumentKind.POST)))).containsExactly(3072L);
        assertThat(indexes(index.search(bob.withKind(DocumentKind.PRIVATE)))).containsExactly(4096L);
        assertThat(indexes(index.search(bob.withChannel("geral")))).containsExactly(1024L);
        assertThat(indexes(index.search(bob.withAuthor("ana")))).containsExactly(4096L, 3072L, 1024L);
        assertThat(indexes(index.search(bob.withAuthor("ana").withKind(DocumentKind.POST))))
                .containsExactly(3072L);
    }

    @Test
    void hitsCarryTheWholeDocumentBack() {
        List<SearchDocument> documents = List.of(
                new ChannelMessage(1024, "minha sala", 41, "Ana Maria", "Olá, mundo", 1_700_000_000.125),
                new Post(2048, "9-0", "bob", "Olá post", 1_700_000_001.5),
                new PrivateMessage(3072, "bob", "Ana Maria", "olá privado", 1_700_000_002.25));
        documents.forEach(index::add);

        assertThat(index.search(SearchQuery.of("Ana Maria", "OLA")).hits())
                .extracting(SearchHit::document)
                .containsExactly(documents.get(2), documents.get(1), documents.get(0));
    }

    @Test
    void bestMatchRanksAccentsAsTypedAndWordsInOrderFirstThenNewest() {
        index.add(new Post(1024, "1-0", "ana", "são paulo", 1));
        index.add(new Post(2048, "2-0", "ana", "sao paulo", 2));
        index.add(new Post(3072, "3-0", "ana", "paulo ... são", 3));
        index.add(new Post(4096, "4-0", "ana", "paulo sao", 4));

        SearchPage best = index.search(SearchQuery.of("bob", "São Paulo").withSort(SearchSort.BEST));
        // "são" as typed: 1 point; "sao paulo" side by side: 2 points; ties (none here) newest first.
        assertThat(best.hits())
                .extracting(hit -> hit.document().index(), SearchHit::points)
                .containsExactly(tuple(1024L, 3), tuple(2048L, 2), tuple(3072L, 1), tuple(4096L, 0));
        assertThat(indexes(index.search(SearchQuery.of("bob", "São Paulo"))))
                .as("newest first")
                .containsExactly(4096L, 3072L, 2048L, 1024L);
    }

    @Test
    void aDocumentAddedIsFoundByTheNextSearch() {
        SearchQuery query = SearchQuery.of("ana", "mar");
        assertThat(index.search(query).hits()).isEmpty();
        for (long i = 1; i <= 5; i++) {
            index.add(new Post(i * 1024, i + "-0", "bob", "mar " + i, i));
            assertThat(index.search(query).hits()).hasSize((int) i);
        }
        assertThat(index.documentCount()).isEqualTo(5);
    }

    @Test
    void addingTheSameIndexAgainReplacesTheDocument() {
        index.add(new Post(1024, "1-0", "ana", "primeira versão", 1));
        index.add(new Post(1024, "1-0", "ana", "primeira versão", 1));
        assertThat(index.search(SearchQuery.of("bob", "versao")).hits()).hasSize(1);
        index.add(new Post(1024, "1-0", "ana", "outra coisa", 1));
        assertThat(index.search(SearchQuery.of("bob", "versao")).hits()).isEmpty();
        assertThat(index.documentCount()).isEqualTo(1);
    }

    @Test
    void aBatchReplacesAnIndexBelowTheHighestAndAppendsTheRest() {
        index.rebuild(List.<SearchDocument>of(
                        new Post(3072, "3-0", "ana", "terceira", 3), new Post(1024, "1-0", "ana", "primeira", 1))
                .iterator());
        index.addAll(List.of(
                new Post(2048, "2-0", "ana", "segunda", 2),
                new Post(1024, "1-0", "ana", "primeira de novo", 1),
                new Post(4096, "4-0", "ana", "quarta", 4),
                new Post(4096, "4-0", "ana", "quarta de novo", 4)));

        assertThat(index.documentCount()).isEqualTo(4);
        assertThat(indexes(index.search(SearchQuery.of("bob", "novo")))).containsExactly(4096L, 1024L);
        assertThat(index.search(SearchQuery.of("bob", "primeira")).hits()).hasSize(1);
        assertThat(index.search(SearchQuery.of("bob", "quarta")).hits()).hasSize(1);
        assertThat(indexes(index.search(SearchQuery.of("bob", "segunda")))).containsExactly(2048L);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void everySearchReturnsWhatTheModelSaysInItsOrder(long seed) {
        Corpus corpus = new Corpus(seed);
        List<SearchDocument> documents = corpus.next(300);
        documents.forEach(index::add);
        for (int i = 0; i < 40; i++) {
            SearchQuery query = randomQuery(corpus);
            assertThat(Corpus.allPages(index, query))
                    .as("seed %d, %s", seed, query)
                    .containsExactlyElementsOf(Corpus.expected(documents, query));
        }
    }

    static SearchQuery randomQuery(Corpus corpus) {
        var random = corpus.random();
        SearchSort sort = random.nextBoolean() ? SearchSort.NEWEST : SearchSort.BEST;
        String user = random.nextInt(8) == 0 ? null : corpus.pick(Corpus.USERS);
        DocumentKind kind = random.nextInt(4) == 0 ? corpus.pick(List.of(DocumentKind.values())) : null;
        String channel = random.nextInt(6) == 0 ? corpus.pick(Corpus.CHANNELS) : null;
        String author = random.nextInt(6) == 0 ? corpus.pick(Corpus.USERS) : null;
        int limit = 1 + random.nextInt(12);
        return new SearchQuery(user, corpus.query(), sort, limit, null, kind, channel, author);
    }

    static List<Long> indexes(SearchPage page) {
        List<Long> indexes = new ArrayList<>();
        page.hits().forEach(hit -> indexes.add(hit.document().index()));
        return indexes;
    }
}
