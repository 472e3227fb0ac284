package io.synod.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /api/search} against a real server: a user finds channel messages and its own private
 * messages but never another user's, pages by {@code next_cursor} return each hit once, and
 * hostile queries and cursors are refused with the field named while the session goes on serving.
 */
class WebSearchTest {
    private static final int CHANNEL_HITS = 5;

    @TempDir
    static Path root;

    static LocalCluster cluster;
    static ApiClient gil;
    static ApiClient hana;
    static ApiClient ivo;

    @BeforeAll
    static void start() throws Exception {
        cluster = new LocalCluster(root);
        gil = login("gil");
        hana = login("hana");
        ivo = login("ivo");
        assertThat(gil.post("/api/channel", Map.of("channel", "busca")).status())
                .isEqualTo(200);
        for (int i = 1; i <= CHANNEL_HITS; i++) {
            assertThat(gil.post("/api/publish", Map.of("channel", "busca", "message", "Ação número " + i))
                            .status())
                    .isEqualTo(200);
        }
        assertThat(gil.post("/api/message", Map.of("dst", "hana", "message", "acao secreta <b>x</b>"))
                        .status())
                .isEqualTo(200);
    }

    @AfterAll
    static void stop() {
        for (ApiClient client : new ApiClient[] {gil, hana, ivo}) {
            if (client != null) {
                client.close();
            }
        }
        cluster.close();
    }

    private static ApiClient login(String user) throws Exception {
        ApiClient client = new ApiClient(cluster.web.url());
        assertThat(client.post("/api/login", Map.of("user", user)).status()).isEqualTo(200);
        return client;
    }

    /** Every hit of {@code query}, following {@code next_cursor} pages of {@code limit}. */
    private static List<JsonNode> allPages(ApiClient client, String query, String sort, int limit) throws Exception {
        List<JsonNode> hits = new ArrayList<>();
        String cursor = null;
        for (int page = 0; page < 20; page++) {
            Map<String, Object> params = new LinkedHashMap<>();
            params.put("query", query);
            params.put("sort", sort);
            params.put("limit", limit);
            if (cursor != null) {
                params.put("cursor", cursor);
            }
            ApiClient.Reply reply = client.get("/api/search", params);
            assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
            reply.body().path("results").forEach(hits::add);
            if (!reply.body().path("more").asBoolean()) {
                assertThat(reply.body().has("next_cursor")).isFalse();
                return hits;
            }
            cursor = reply.body().path("next_cursor").asText();
        }
        throw new AssertionError("more than 20 pages");
    }

    private static List<Long> indexes(List<JsonNode> hits) {
        return hits.stream().map(h -> h.path("index").asLong()).toList();
    }

    @Test
    void a_user_finds_channel_messages_and_only_its_own_private_messages() throws Exception {
        List<JsonNode> ivoHits = allPages(ivo, "acao", "newest", 2);
        assertThat(ivoHits)
                .hasSize(CHANNEL_HITS)
                .allSatisfy(h -> assertThat(h.path("kind").asText()).isEqualTo("channel"));
        assertThat(indexes(ivoHits)).doesNotHaveDuplicates().isSortedAccordingTo((a, b) -> Long.compare(b, a));
        assertThat(ivoHits.get(0).path("message").asText()).isEqualTo("Ação número " + CHANNEL_HITS);

        List<JsonNode> hanaHits = allPages(hana, "AÇÃO", "newest", 4);
        assertThat(hanaHits).hasSize(CHANNEL_HITS + 1);
        JsonNode secret = hanaHits.get(0);
        assertThat(secret.path("kind").asText()).isEqualTo("private");
        assertThat(secret.path("message").asText()).isEqualTo("acao secreta <b>x</b>");
        assertThat(secret.path("src").asText()).isEqualTo("gil");
        assertThat(allPages(gil, "secreta", "newest", 20)).hasSize(1);
        assertThat(allPages(ivo, "secreta", "newest", 20)).isEmpty();
    }

    @Test
    void best_pages_return_every_hit_once_and_filters_narrow() throws Exception {
        List<JsonNode> best = allPages(hana, "ação número", "best", 2);
        assertThat(best).hasSize(CHANNEL_HITS);
        assertThat(indexes(best)).doesNotHaveDuplicates();
        assertThat(best).allSatisfy(h -> assertThat(h.has("points")).isTrue());
        JsonNode onlyPrivate = hana.get("/api/search", Map.of("query", "acao", "kind", "private"))
                .body();
        assertThat(onlyPrivate.path("results")).hasSize(1);
        JsonNode byChannel = hana.get("/api/search", Map.of("query", "acao", "channel", "busca", "limit", 100))
                .body();
        assertThat(byChannel.path("results")).hasSize(CHANNEL_HITS);
    }

    private static void refused(ApiClient.Reply reply, int status, String text) throws Exception {
        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(status);
        assertThat(reply.body().path("error").asText()).contains(text);
        assertThat(ivo.get("/api/search", Map.of("query", "acao")).body().path("results"))
                .as("the process goes on serving")
                .hasSize(CHANNEL_HITS);
    }

    @Test
    void hostile_queries_are_refused_naming_the_field() throws Exception {
        refused(ivo.get("/api/search", Map.of()), 400, "'query' is required");
        refused(ivo.get("/api/search", Map.of("query", "x".repeat(SearchRoutes.QUERY_CHARS_MAX + 1))), 400, "'query'");
        refused(ivo.get("/api/search", Map.of("query", "a\u0000b")), 400, "'query'");
        refused(ivo.get("/api/search", Map.of("query", "acao", "sort", "worst")), 400, "'sort'");
        refused(ivo.get("/api/search", Map.of("query", "acao", "kind", "secret")), 400, "'kind'");
        refused(ivo.get("/api/search", Map.of("query", "acao", "author", "bad\nname")), 400, "'author'");
        refused(ivo.get("/api/search", Map.of("query", "acao", "limit", 101)), 400, "'limit'");
        refused(ivo.get("/api/search", Map.of("query", "acao", "limit", -1)), 400, "'limit'");
        // what only the server can judge comes back as its refusal, naming the field
        refused(ivo.get("/api/search", Map.of("query", "*** \" \\")), 422, "query");
        refused(ivo.get("/api/search", Map.of("query", "w ".repeat(17))), 422, "query");
        // query syntax is plain words: it lifts no rule and finds nothing it should not
        assertThat(ivo.get("/api/search", Map.of("query", "src:gil OR secreta*"))
                        .body()
                        .path("results"))
                .isEmpty();
    }

    @Test
    void hostile_cursors_are_refused_naming_the_cursor() throws Exception {
        refused(
                ivo.get(
                        "/api/search",
                        Map.of("query", "acao", "cursor", "c".repeat(SearchRoutes.CURSOR_CHARS_MAX + 1))),
                400,
                "'cursor'");
        refused(ivo.get("/api/search", Map.of("query", "acao", "cursor", "not-a-cursor")), 422, "cursor");
        JsonNode first =
                hana.get("/api/search", Map.of("query", "acao", "limit", 1)).body();
        String hanaCursor = first.path("next_cursor").asText();
        assertThat(hanaCursor).isNotEmpty();
        refused(ivo.get("/api/search", Map.of("query", "acao", "limit", 1, "cursor", hanaCursor)), 422, "cursor");
        refused(hana.get("/api/search", Map.of("query", "numero", "limit", 1, "cursor", hanaCursor)), 422, "cursor");
    }
}
