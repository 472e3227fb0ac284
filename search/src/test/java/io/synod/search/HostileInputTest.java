package io.synod.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.synod.search.SearchDocument.ChannelMessage;
import io.synod.search.SearchDocument.PrivateMessage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Queries, limits and cursors from a hostile client: plain words only (no query syntax), a {@link SearchException}
 * naming the field for what breaks a rule, never another exception, never another user's private message.
 */
class HostileInputTest {
    private final SearchIndex index = SearchIndex.inMemory();

    @BeforeEach
    void fill() {
        index.add(new ChannelMessage(1024, "geral", 1, "ana", "AND OR NOT field:x a*b \"aspas\" (par) \\barra", 1));
        for (long i = 2; i <= 30; i++) {
            index.add(new ChannelMessage(i * 1024, "geral", i, "ana", "mar número " + i, i));
        }
        index.add(new PrivateMessage(40 * 1024, "ana", "bob", "mar segredo", 40));
    }

    @AfterEach
    void close() {
        index.close();
    }

    @Test
    void querySyntaxIsReadAsPlainWords() {
        assertThat(SearchIndexTest.indexes(index.search(SearchQuery.of("carl", "field:x"))))
                .containsExactly(1024L);
        assertThat(SearchIndexTest.indexes(index.search(SearchQuery.of("carl", "AND"))))
                .containsExactly(1024L);
        assertThat(SearchIndexTest.indexes(index.search(SearchQuery.of("carl", "\"aspas\" (par)"))))
                .containsExactly(1024L);
        assertThat(index.search(SearchQuery.of("carl", "mar*").withLimit(100)).hits())
                .hasSize(29);
        assertThat(index.search(SearchQuery.of("carl", "m*")).hits()).isEmpty();
        assertThat(index.search(SearchQuery.of("carl", "kind:private segredo")).hits())
                .isEmpty();
        assertThat(index.search(SearchQuery.of("carl", "party:bob segredo")).hits())
                .isEmpty();
    }

    @Test
    void queriesWithoutWordsOrTooLongOrWithTooManyWordsAreRefusedNamingQuery() {
        for (String query : List.of("", "   ", "*", "\"", "\\", "!!! ??? ---", "~", "\u0000", "\ud800")) {
            assertRefused(SearchQuery.of("ana", query), "query", "has no words");
        }
        assertRefused(SearchQuery.of("ana", null), "query", "is required");
        assertRefused(SearchQuery.of("ana", "a".repeat(10_000)), "query", "longer than 256");
        assertRefused(SearchQuery.of("ana", "ação ".repeat(52)), "query", "longer than 256");
        assertRefused(SearchQuery.of("ana", "w ".repeat(SearchIndex.QUERY_TERMS_MAX + 1)), "query", "more than 16");

        assertThat(index.search(SearchQuery.of("ana", "w ".repeat(SearchIndex.QUERY_TERMS_MAX)))
                        .hits())
                .isEmpty();
        String longest = "a".repeat(SearchIndex.QUERY_CHARS_MAX - 1) + "😀";
        assertThat(index.search(SearchQuery.of("ana", longest)).hits()).isEmpty();
    }

    @Test
    void hugeOrOddNamesInTheFiltersFindNothingAndBreakNothing() {
        String huge = "ä".repeat(100_000);
        SearchQuery query = SearchQuery.of(huge, "mar").withLimit(100);
        assertThat(index.search(query).hits()).hasSize(29);
        assertThat(index.search(query.withAuthor(huge)).hits()).isEmpty();
        assertThat(index.search(query.withChannel(huge)).hits()).isEmpty();
        assertThat(index.search(query.withChannel("\u0000*\ud800")).hits()).isEmpty();
        String next = index.search(query.withLimit(5)).nextCursor();
        assertThat(index.search(query.withLimit(5).withCursor(next)).hits()).hasSize(5);
    }

    @Test
    void limitsOutOfRangeAreRefusedNamingLimit() {
        for (int limit : new int[] {0, -1, SearchIndex.PAGE_SIZE_MAX + 1, Integer.MAX_VALUE, Integer.MIN_VALUE}) {
            assertRefused(SearchQuery.of("ana", "mar").withLimit(limit), "limit", "between 1 and 100");
        }
        assertThat(index.search(SearchQuery.of("ana", "mar").withLimit(SearchIndex.PAGE_SIZE_MAX))
                        .hits())
                .hasSize(30);
    }

    @Test
    void wireNamesOfKindAndSortAreCheckedNamingTheField() {
        assertThat(DocumentKind.fromWire("kind", "post")).isEqualTo(DocumentKind.POST);
        assertThat(SearchSort.fromWire("sort", "best")).isEqualTo(SearchSort.BEST);
        assertThatThrownBy(() -> DocumentKind.fromWire("kind", "POST"))
                .isInstanceOfSatisfying(
                        SearchException.class, e -> assertThat(e.field()).isEqualTo("kind"));
        assertThatThrownBy(() -> SearchSort.fromWire("sort", "oldest"))
                .isInstanceOfSatisfying(
                        SearchException.class, e -> assertThat(e.field()).isEqualTo("sort"));
    }

    @Test
    void forgedCursorsAreRefusedNamingCursor() {
        SearchQuery query = SearchQuery.of("bob", "mar").withLimit(5);
        String real = index.search(query).nextCursor();
        List<String> forged = new ArrayList<>(List.of(
                "",
                "x",
                "!!!!",
                "====",
                "a".repeat(10_000),
                real + "A",
                real.substring(0, real.length() - 3),
                real.toUpperCase(),
                encode("1.n.0.99999999999999999999.0"),
                encode("1.n.-1.5.0"),
                encode("2.n.0.5.0"),
                encode("1.n.0.5"),
                encode("1.n.0.5.0.0"),
                encode("1.b.999.5.0"),
                encode("1.n.00.5.0"),
                encode("1.n.0.5.ffffffffff"),
                encode("1.n.0.5.zz"),
                encode("1.n.0.5.0\u0000")));
        for (String cursor : forged) {
            assertRefused(query.withCursor(cursor), "cursor", "");
        }
        assertRefused(query.withSort(SearchSort.BEST).withCursor(real), "cursor", "another search");
        assertRefused(SearchQuery.of("bob", "segredo").withLimit(5).withCursor(real), "cursor", "another search");
        assertRefused(SearchQuery.of("carl", "mar").withLimit(5).withCursor(real), "cursor", "another search");
        assertRefused(query.withKind(DocumentKind.PRIVATE).withCursor(real), "cursor", "another search");
        assertThat(index.search(SearchQuery.of("bob", "MAR").withLimit(5).withCursor(real))
                        .hits())
                .as("the same words typed differently are the same search")
                .hasSize(5);
    }

    @Test
    void randomCursorsNeverThrowAnythingElseNorRevealAPrivateMessage() {
        SearchQuery carl = SearchQuery.of("carl", "mar").withLimit(3);
        String real = index.search(carl).nextCursor();
        Random random = new Random(42);
        for (int i = 0; i < 3_000; i++) {
            String cursor = switch (i % 3) {
                case 0 -> mutate(real, random);
                case 1 -> encode(randomText(random));
                default -> randomText(random);
            };
            try {
                SearchPage page = index.search(carl.withCursor(cursor));
                assertThat(page.hits())
                        .as(cursor)
                        .allSatisfy(hit -> assertThat(hit.document().kind()).isEqualTo(DocumentKind.CHANNEL));
            } catch (SearchException e) {
                assertThat(e.field()).isEqualTo("cursor");
                assertThat(e.getMessage()).startsWith("field 'cursor' ");
            }
        }
    }

    @Test
    void aForgedCursorThatPassesTheChecksumIsOnlyAPosition() {
        SearchQuery secret = SearchQuery.of("carl", "segredo").withLimit(3);
        SearchQuery sea = SearchQuery.of("carl", "mar").withLimit(3);
        String real = index.search(sea).nextCursor();
        String plain = new String(Base64.getUrlDecoder().decode(real), StandardCharsets.US_ASCII);
        String[] parts = plain.split("\\.");
        // Point a cursor of carl's past ana and bob's private message (index 40960): still nothing private.
        String past = encode(String.join(".", parts[0], parts[1], parts[2], "99999999", parts[4]));
        assertThat(index.search(sea.withCursor(past)).hits())
                .hasSize(3)
                .allSatisfy(hit -> assertThat(hit.document().kind()).isEqualTo(DocumentKind.CHANNEL));
        assertThat(index.search(secret).hits()).isEmpty();
    }

    private void assertRefused(SearchQuery query, String field, String messagePart) {
        assertThatThrownBy(() -> index.search(query))
                .as("%s", query)
                .isInstanceOfSatisfying(SearchException.class, e -> {
                    assertThat(e.field()).isEqualTo(field);
                    assertThat(e.getMessage())
                            .startsWith("field '" + field + "' ")
                            .contains(messagePart);
                });
    }

    private static String encode(String plain) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
    }

    private static String mutate(String cursor, Random random) {
        char[] chars = cursor.toCharArray();
        int at = random.nextInt(chars.length);
        chars[at] = (char) (random.nextBoolean() ? 32 + random.nextInt(95) : random.nextInt(0x3000));
        return new String(chars);
    }

    private static String randomText(Random random) {
        StringBuilder text = new StringBuilder();
        int length = random.nextInt(60);
        for (int i = 0; i < length; i++) {
            text.append(
                    random.nextInt(4) == 0 ? (char) random.nextInt(0x10000) : "1.nb0-9af".charAt(random.nextInt(9)));
        }
        return text.toString();
    }
}
