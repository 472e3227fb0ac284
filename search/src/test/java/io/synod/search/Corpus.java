package io.synod.search;

import io.synod.search.SearchDocument.ChannelMessage;
import io.synod.search.SearchDocument.Post;
import io.synod.search.SearchDocument.PrivateMessage;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

/**
 * Seeded random documents over a small Portuguese and English vocabulary, and a model of what a search must return:
 * plain Java string work (split, lower case, strip combining marks), independent of Lucene.
 */
final class Corpus {
    static final List<String> USERS = List.of("ana", "bob", "carl", "dora");
    static final List<String> CHANNELS = List.of("geral", "dev");
    static final List<String> WORDS = List.of(
            "ação", "acao", "coração", "pão", "café", "cafe", "você", "árvore", "sol", "mar", "casa", "chat", "news",
            "hello", "world", "über", "são", "paulo");
    private static final List<String> PUNCTUATION = List.of(" ", " ", " ", ", ", ". ", "! ", " - ");

    private final Random random;
    private long nextIndex = 1024;

    Corpus(long seed) {
        random = new Random(seed);
    }

    /** A random document of a random kind; indexes increase like chat indexes, with gaps. */
    SearchDocument next() {
        nextIndex += 1 + random.nextInt(1500);
        String author = pick(USERS);
        String text = text();
        double timestamp = nextIndex / 1000.0;
        return switch (random.nextInt(3)) {
            case 0 -> new ChannelMessage(nextIndex, pick(CHANNELS), nextIndex / 7, author, text, timestamp);
            case 1 -> new Post(nextIndex, nextIndex / 3 + "-0", author, text, timestamp);
            default -> new PrivateMessage(nextIndex, author, pick(USERS), text, timestamp);
        };
    }

    List<SearchDocument> next(int count) {
        List<SearchDocument> documents = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            documents.add(next());
        }
        return documents;
    }

    /** One to three vocabulary words, each in a random case. */
    String query() {
        StringBuilder query = new StringBuilder();
        int words = 1 + random.nextInt(3);
        for (int i = 0; i < words; i++) {
            query.append(i == 0 ? "" : " ").append(randomCase(pick(WORDS)));
        }
        return query.toString();
    }

    Random random() {
        return random;
    }

    <T> T pick(List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    private String text() {
        StringBuilder text = new StringBuilder();
        int words = 2 + random.nextInt(7);
        for (int i = 0; i < words; i++) {
            text.append(i == 0 ? "" : pick(PUNCTUATION)).append(randomCase(pick(WORDS)));
        }
        return text.toString();
    }

    private String randomCase(String word) {
        return switch (random.nextInt(4)) {
            case 0 -> word.toUpperCase(Locale.ROOT);
            case 1 -> word.substring(0, 1).toUpperCase(Locale.ROOT) + word.substring(1);
            default -> word;
        };
    }

    // ---- the model ----

    static List<String> lowerCaseWords(String text) {
        List<String> words = new ArrayList<>();
        for (String word : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{M}\\p{N}]+")) {
            if (!word.isEmpty()) {
                words.add(Normalizer.normalize(word, Normalizer.Form.NFC));
            }
        }
        return words;
    }

    static String fold(String word) {
        return Normalizer.normalize(word, Normalizer.Form.NFD).replaceAll("\\p{M}", "");
    }

    static List<String> foldedWords(String text) {
        return lowerCaseWords(text).stream().map(Corpus::fold).toList();
    }

    static boolean visible(SearchDocument document, String user) {
        return !(document instanceof PrivateMessage message)
                || (user != null && (message.from().equals(user) || message.to().equals(user)));
    }

    static boolean matches(SearchDocument document, SearchQuery query) {
        return visible(document, query.user())
                && new LinkedHashSet<>(foldedWords(document.text())).containsAll(foldedWords(query.text()))
                && (query.kind() == null || document.kind() == query.kind())
                && (query.channel() == null
                        || (document instanceof ChannelMessage message
                                && message.channel().equals(query.channel())))
                && (query.author() == null || document.author().equals(query.author()));
    }

    /** The points a document earns under {@link SearchSort#BEST}. */
    static int points(SearchDocument document, String queryText) {
        List<String> documentWords = lowerCaseWords(document.text());
        Set<String> accented = new LinkedHashSet<>(lowerCaseWords(queryText));
        accented.removeIf(word -> word.equals(fold(word)));
        int points = 0;
        for (String word : accented) {
            if (documentWords.contains(word)) {
                points++;
            }
        }
        List<String> phrase = foldedWords(queryText);
        List<String> folded = foldedWords(document.text());
        if (phrase.size() > 1) {
            for (int start = 0; start + phrase.size() <= folded.size(); start++) {
                if (folded.subList(start, start + phrase.size()).equals(phrase)) {
                    points += SearchIndex.PHRASE_POINTS;
                    break;
                }
            }
        }
        return points;
    }

    /** Every document that {@code query} must find, in the order it must list them. */
    static List<SearchHit> expected(List<SearchDocument> documents, SearchQuery query) {
        boolean best = query.sort() == SearchSort.BEST;
        return documents.stream()
                .filter(document -> matches(document, query))
                .map(document -> new SearchHit(document, best ? points(document, query.text()) : 0))
                .sorted(order())
                .toList();
    }

    static Comparator<SearchHit> order() {
        return Comparator.comparingInt(SearchHit::points)
                .reversed()
                .thenComparing(Comparator.comparingLong(
                                (SearchHit hit) -> hit.document().index())
                        .reversed());
    }

    /** Every page of {@code query}, following the cursors. */
    static List<SearchHit> allPages(SearchIndex index, SearchQuery query) {
        List<SearchHit> hits = new ArrayList<>();
        SearchPage page = index.search(query);
        hits.addAll(page.hits());
        for (int pages = 1; page.more(); pages++) {
            if (pages > 10_000) {
                throw new AssertionError("the cursors do not end");
            }
            page = index.search(query.withCursor(page.nextCursor()));
            hits.addAll(page.hits());
        }
        return hits;
    }
}
