package io.synod.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web app's own protections (docs/security.md, "Web app") against a real cluster in compat mode: CSRF tokens,
 * cookie attributes, security headers, the WebSocket's origin check; and the live posts of followed users, which ride
 * on the same per-session client.
 */
class WebSecurityTest {
    @TempDir
    static Path root;

    static LocalCluster cluster;

    @BeforeAll
    static void start() {
        cluster = new LocalCluster(root);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    private static ApiClient client() {
        return new ApiClient(cluster.web.url());
    }

    private static byte[] json(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void a_post_without_the_csrf_token_is_refused_and_changes_nothing() throws Exception {
        try (ApiClient ana = client()) {
            assertThat(ana.post("/api/login", Map.of("user", "csrf-ana")).status())
                    .isEqualTo(200);
            assertThat(ana.csrf()).hasSize(43);
            assertThat(ana.post("/api/channel", Map.of("channel", "csrf-room")).status())
                    .isEqualTo(200);
            byte[] body = json("{\"channel\":\"csrf-room\",\"message\":\"forged\"}");

            ApiClient.Reply missing = ana.postRaw("/api/publish", "application/json", body, Map.of());
            assertThat(missing.status()).isEqualTo(403);
            assertThat(missing.body().path("error").asText()).contains("missing header X-Synod-CSRF");
            ApiClient.Reply wrong =
                    ana.postRaw("/api/publish", "application/json", body, Map.of(WebServer.CSRF_HEADER, "login"));
            assertThat(wrong.status()).isEqualTo(403);
            assertThat(wrong.body().path("error").asText()).contains("does not match");
            ApiClient.Reply follow =
                    ana.postRaw("/api/follow", "application/json", json("{\"target\":\"csrf-bob\"}"), Map.of());
            assertThat(follow.status()).isEqualTo(403);
            ApiClient.Reply logout = ana.postRaw("/api/logout", "application/json", json("{}"), Map.of());
            assertThat(logout.status()).isEqualTo(403);

            assertThat(ana.get("/api/history", Map.of("channel", "csrf-room"))
                            .body()
                            .path("messages"))
                    .as("nothing was published")
                    .isEmpty();
            assertThat(ana.get("/api/following", Map.of()).body().path("users")).isEmpty();
            assertThat(ana.get("/api/session", Map.of()).body().path("user").asText())
                    .as("the forged logout did not end the session")
                    .isEqualTo("csrf-ana");
            assertThat(ana.get("/api/session", Map.of()).body().path("csrf").asText())
                    .isEqualTo(ana.csrf());
            assertThat(ana.post("/api/publish", Map.of("channel", "csrf-room", "message", "real"))
                            .status())
                    .isEqualTo(200);
        }
        try (ApiClient stranger = client()) {
            ApiClient.Reply login =
                    stranger.postRaw("/api/login", "application/json", json("{\"user\":\"csrf-eve\"}"), Map.of());
            assertThat(login.status()).isEqualTo(403);
            assertThat(login.headers().firstValue("Set-Cookie")).isEmpty();
            assertThat(stranger.get("/api/session", Map.of()).status()).isEqualTo(401);
        }
    }

    @Test
    void the_session_cookie_is_http_only_same_site_strict_and_secure_behind_https() throws Exception {
        try (ApiClient ana = client()) {
            ApiClient.Reply login = ana.post("/api/login", Map.of("user", "cookie-ana"));
            String cookie = login.headers().firstValue("Set-Cookie").orElseThrow();
            assertThat(cookie)
                    .matches("synod_session=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Strict")
                    .doesNotContain("Secure");
            assertThat(login.body().has("token"))
                    .as("no cluster token reaches the page")
                    .isFalse();

            ApiClient.Reply proxied = ana.postRaw(
                    "/api/login",
                    "application/json",
                    json("{\"user\":\"cookie-ana\"}"),
                    Map.of(WebServer.CSRF_HEADER, "login", "X-Forwarded-Proto", "https"));
            assertThat(proxied.headers().firstValue("Set-Cookie").orElseThrow())
                    .endsWith("; HttpOnly; SameSite=Strict; Secure");
        }
    }

    @Test
    void every_response_carries_the_content_security_policy_and_friends() throws Exception {
        try (ApiClient visitor = client()) {
            for (String path : List.of("/", "/app.js", "/api/cluster", "/api/session")) {
                var headers = visitor.get(path, Map.of()).headers();
                String policy = headers.firstValue("Content-Security-Policy").orElse("");
                assertThat(policy)
                        .as(path)
                        .contains("default-src 'self'", "script-src 'self'", "frame-ancestors 'none'")
                        .doesNotContain("unsafe-inline", "unsafe-eval");
                assertThat(headers.firstValue("X-Content-Type-Options")).contains("nosniff");
                assertThat(headers.firstValue("Referrer-Policy")).contains("no-referrer");
            }
            String page = visitor.get("/", Map.of()).body().asText();
            assertThat(page)
                    .as("no inline script or handler")
                    .doesNotContainPattern("<script(?![^>]*\\ssrc=)|\\son[a-z]+=")
                    .contains("<script type=\"module\" src=\"/app.js\">");
        }
    }

    @Test
    void a_socket_from_another_origin_is_closed_and_the_app_origin_is_accepted() throws Exception {
        try (ApiClient ana = client();
                ApiClient again = client()) {
            ana.post("/api/login", Map.of("user", "origin-ana"));
            JsonNode closed = ana.openEvents("http://127.0.0.1:1");
            assertThat(closed.path("type").asText()).isEqualTo("closed");
            assertThat(closed.path("status").asInt()).isEqualTo(4403);
            again.post("/api/login", Map.of("user", "origin-ana"));
            String origin = cluster.web.url().substring(0, cluster.web.url().length() - 1);
            assertThat(again.openEvents(origin).path("type").asText()).isEqualTo("hello");
        }
    }

    @Test
    void posts_of_followed_users_arrive_live_from_follow_and_from_login_and_stop_on_unfollow() throws Exception {
        try (ApiClient carla = client();
                ApiClient davi = client();
                ApiClient ines = client()) {
            carla.post("/api/login", Map.of("user", "live-carla"));
            davi.post("/api/login", Map.of("user", "live-davi"));
            ines.post("/api/login", Map.of("user", "live-ines"));
            assertThat(carla.openEvents().path("type").asText()).isEqualTo("hello");
            assertThat(carla.post("/api/follow", Map.of("target", "live-davi")).status())
                    .isEqualTo(200);
            assertThat(davi.post("/api/post", Map.of("message", "davi live 1")).status())
                    .isEqualTo(200);
            JsonNode post = carla.nextEvent(e -> "post".equals(e.path("kind").asText()));
            assertThat(post.path("payload").path("user").asText()).isEqualTo("live-davi");
            assertThat(post.path("payload").path("message").asText()).isEqualTo("davi live 1");
            assertThat(post.path("payload").path("id").asText()).isNotBlank();

            // A new session of the same user listens to whom the user already follows.
            try (ApiClient carlaAgain = client()) {
                carlaAgain.post("/api/login", Map.of("user", "live-carla"));
                carlaAgain.openEvents();
                davi.post("/api/post", Map.of("message", "davi live 2"));
                JsonNode second =
                        carlaAgain.nextEvent(e -> "post".equals(e.path("kind").asText()));
                assertThat(second.path("payload").path("message").asText()).isEqualTo("davi live 2");
            }

            assertThat(carla.post("/api/unfollow", Map.of("target", "live-davi"))
                            .status())
                    .isEqualTo(200);
            carla.events.clear();
            davi.post("/api/post", Map.of("message", "davi after unfollow"));
            // A marker that does arrive: anything from davi's posts would have come before it.
            ines.post("/api/message", Map.of("dst", "live-carla", "message", "marker"));
            carla.nextEvent(e -> "private".equals(e.path("kind").asText()));
            assertThat(carla.events).noneMatch(e -> "post".equals(e.path("kind").asText()));
        }
    }
}
