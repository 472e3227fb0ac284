package io.synod.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile input to the web API gets a clear 4xx naming the field or the rule, nothing reaches the
 * cluster, and the process goes on serving: after every refusal the same session still publishes.
 */
class WebHostileInputTest {
    @TempDir
    static Path root;

    static LocalCluster cluster;
    static ApiClient ana;

    @BeforeAll
    static void start() throws Exception {
        cluster = new LocalCluster(root);
        ana = new ApiClient(cluster.web.url());
        assertThat(ana.post("/api/login", Map.of("user", "ana")).status()).isEqualTo(200);
        assertThat(ana.post("/api/channel", Map.of("channel", "sala")).status()).isEqualTo(200);
    }

    @AfterAll
    static void stop() {
        ana.close();
        cluster.close();
    }

    private static void refused(ApiClient.Reply reply, int status, String text) throws Exception {
        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(status);
        assertThat(reply.body().path("error").asText()).contains(text);
        assertThat(ana.post("/api/publish", Map.of("channel", "sala", "message", "still here"))
                        .status())
                .as("the process goes on serving")
                .isEqualTo(200);
    }

    @Test
    void an_oversized_body_is_413() throws Exception {
        byte[] big = ("{\"channel\":\"sala\",\"message\":\"" + "x".repeat(ApiInput.BODY_BYTES_MAX) + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        ApiClient.Reply reply = ana.postRaw("/api/publish", "application/json", big);
        assertThat(reply.status()).isEqualTo(413);
        refused(ana.post("/api/publish", Map.of("channel", "sala", "message", "y".repeat(5_000))), 400, "'message'");
    }

    @Test
    void bad_json_and_non_objects_are_400() throws Exception {
        refused(
                ana.postRaw("/api/publish", "application/json", "{\"channel\":".getBytes(StandardCharsets.UTF_8)),
                400,
                "not valid JSON");
        refused(
                ana.postRaw("/api/publish", "application/json", "[1,2]".getBytes(StandardCharsets.UTF_8)),
                400,
                "JSON object");
        refused(ana.post("/api/publish", Map.of("channel", 7, "message", "x")), 400, "'channel' must be a string");
        refused(ana.post("/api/publish", Map.of("channel", "sala")), 400, "'message' is required");
    }

    @Test
    void control_characters_are_refused_by_field() throws Exception {
        refused(ana.post("/api/channel", Map.of("channel", "bad\u0000name")), 400, "'channel'");
        refused(ana.post("/api/publish", Map.of("channel", "sala", "message", "bell\u0007")), 400, "U+0007");
        refused(ana.post("/api/login", Map.of("user", "line\nbreak")), 400, "'user'");
        refused(ana.post("/api/message", Map.of("dst", "\u001Fposts\u001F", "message", "x")), 400, "'dst'");
    }

    @Test
    void a_body_that_is_not_json_typed_is_415_and_bad_queries_are_400() throws Exception {
        refused(
                ana.postRaw("/api/publish", "text/plain", "{}".getBytes(StandardCharsets.UTF_8)),
                415,
                "application/json");
        refused(ana.get("/api/history", Map.of("channel", "sala", "limit", 0)), 400, "'limit'");
        refused(ana.get("/api/history", Map.of("channel", "sala", "after_seq", "abc")), 400, "'after_seq'");
        refused(ana.get("/api/history", Map.of("channel", "sala", "after_seq", -1)), 400, "'after_seq'");
        refused(ana.get("/api/nothing-here", Map.of()), 404, "no such route");
    }

    @Test
    void a_message_with_markup_is_stored_as_text() throws Exception {
        String markup = "<img src=x onerror=alert(1)>";
        assertThat(ana.post("/api/publish", Map.of("channel", "sala", "message", markup))
                        .status())
                .isEqualTo(200);
        var messages = ana.get("/api/history", Map.of("channel", "sala")).body().path("messages");
        assertThat(ApiClient.texts(messages, "message")).contains(markup);
    }
}
