package io.synod.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The web API against a real cluster: sessions, chat with live deliveries, the social calls, the dashboard. */
class WebApiTest {
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

    @Test
    void two_users_chat_in_a_channel_and_privately_with_live_deliveries() throws Exception {
        try (ApiClient ana = client();
                ApiClient bob = client()) {
            assertThat(ana.post("/api/login", Map.of("user", "ana"))
                            .body()
                            .path("user")
                            .asText())
                    .isEqualTo("ana");
            assertThat(bob.post("/api/login", Map.of("user", "bob")).status()).isEqualTo(200);
            assertThat(ana.post("/api/channel", Map.of("channel", "geral")).status())
                    .isEqualTo(200);
            ApiClient.Reply again = ana.post("/api/channel", Map.of("channel", "geral"));
            assertThat(again.status()).isEqualTo(422);
            assertThat(again.body().path("error").asText()).isNotBlank();

            assertThat(bob.post("/api/subscribe", Map.of("channel", "geral")).status())
                    .isEqualTo(200);
            assertThat(bob.openEvents().path("user").asText()).isEqualTo("bob");
            String text = "olá <script>alert(1)</script>";
            assertThat(ana.post("/api/publish", Map.of("channel", "geral", "message", text))
                            .status())
                    .isEqualTo(200);
            JsonNode delivery =
                    bob.nextEvent(e -> "delivery".equals(e.path("type").asText()));
            assertThat(delivery.path("kind").asText()).isEqualTo("channel");
            assertThat(delivery.path("topic").asText()).isEqualTo("geral");
            assertThat(delivery.path("payload").path("message").asText()).isEqualTo(text);
            assertThat(delivery.path("payload").path("user").asText()).isEqualTo("ana");
            long seq = delivery.path("payload").path("seq").asLong();
            assertThat(seq).isEqualTo(1);

            JsonNode history = ana.get("/api/history", Map.of("channel", "geral", "after_seq", 0))
                    .body();
            assertThat(ApiClient.texts(history.path("messages"), "message")).containsExactly(text);
            assertThat(ana.get("/api/history", Map.of("channel", "geral", "after_seq", seq))
                            .body()
                            .path("messages"))
                    .isEmpty();

            JsonNode channels = bob.get("/api/channels", Map.of()).body();
            assertThat(ApiClient.texts(channels.path("channels"), "")).hasSize(1);
            assertThat(channels.path("channels").get(0).asText()).isEqualTo("geral");
            assertThat(channels.path("subscribed").get(0).asText()).isEqualTo("geral");

            assertThat(ana.post("/api/message", Map.of("dst", "bob", "message", "só pra você"))
                            .status())
                    .isEqualTo(200);
            JsonNode dm = bob.nextEvent(e -> "private".equals(e.path("kind").asText()));
            assertThat(dm.path("payload").path("src").asText()).isEqualTo("ana");
            assertThat(dm.path("payload").path("message").asText()).isEqualTo("só pra você");
            JsonNode conversation =
                    bob.get("/api/private_history", Map.of("peer", "ana")).body();
            assertThat(ApiClient.texts(conversation.path("messages"), "message"))
                    .containsExactly("só pra você");
            JsonNode conversations = bob.get("/api/conversations", Map.of()).body();
            assertThat(conversations.path("conversations").get(0).path("peer").asText())
                    .isEqualTo("ana");
            assertThat(conversations.path("conversations").get(0).path("unread").asLong())
                    .isEqualTo(1);
        }
    }

    @Test
    void posts_follows_feed_profile_and_notifications() throws Exception {
        try (ApiClient carla = client();
                ApiClient davi = client()) {
            carla.post("/api/login", Map.of("user", "carla"));
            davi.post("/api/login", Map.of("user", "davi"));
            ApiClient.Reply posted = davi.post("/api/post", Map.of("message", "first post by davi"));
            assertThat(posted.status()).isEqualTo(200);
            assertThat(posted.body().path("id").asText()).isNotBlank();
            assertThat(carla.post("/api/follow", Map.of("target", "davi")).status())
                    .isEqualTo(200);
            assertThat(carla.post("/api/follow", Map.of("target", "davi")).status())
                    .isEqualTo(422);

            JsonNode feed = carla.get("/api/feed", Map.of()).body();
            assertThat(ApiClient.texts(feed.path("posts"), "message")).containsExactly("first post by davi");
            JsonNode timeline = carla.get("/api/timeline", Map.of("limit", 100)).body();
            assertThat(ApiClient.texts(timeline.path("posts"), "message")).contains("first post by davi");
            JsonNode profile = carla.get("/api/profile", Map.of("user", "davi")).body();
            assertThat(profile.path("post_count").asLong()).isEqualTo(1);
            assertThat(profile.path("follower_count").asLong()).isEqualTo(1);
            assertThat(ApiClient.texts(
                            carla.get("/api/following", Map.of()).body().path("users"), ""))
                    .hasSize(1);

            JsonNode notifications = davi.get("/api/notifications", Map.of()).body();
            assertThat(notifications.path("unread").asLong()).isEqualTo(1);
            JsonNode first = notifications.path("notifications").get(0);
            assertThat(first.path("kind").asText()).isEqualTo("follower");
            assertThat(first.path("actor").asText()).isEqualTo("carla");
            long last = notifications.path("last_seq").asLong();
            assertThat(davi.post("/api/notifications_read", Map.of("seq", last)).status())
                    .isEqualTo(200);
            assertThat(davi.get("/api/notifications", Map.of())
                            .body()
                            .path("unread")
                            .asLong())
                    .isZero();

            assertThat(carla.post("/api/unfollow", Map.of("target", "davi")).status())
                    .isEqualTo(200);
            assertThat(carla.get("/api/feed", Map.of()).body().path("posts")).isEmpty();
        }
    }

    @Test
    void the_interaction_log_records_the_sessions_requests() throws Exception {
        try (ApiClient fabio = client()) {
            fabio.post("/api/login", Map.of("user", "fabio"));
        }
        Path log = root.resolve("web.jsonl");
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        String text = "";
        while (System.nanoTime() < deadline && !text.contains("fabio")) {
            text = java.nio.file.Files.exists(log) ? java.nio.file.Files.readString(log) : "";
            Thread.sleep(100);
        }
        assertThat(text).contains("\"process\":\"web\"").contains("web-started").contains("fabio");
    }

    @Test
    void without_a_session_the_api_and_the_socket_refuse() throws Exception {
        try (ApiClient stranger = client()) {
            ApiClient.Reply reply = stranger.get("/api/channels", Map.of());
            assertThat(reply.status()).isEqualTo(401);
            assertThat(reply.body().path("error").asText()).contains("log in");
            assertThat(stranger.post("/api/publish", Map.of("channel", "geral", "message", "x"))
                            .status())
                    .isEqualTo(401);
            JsonNode closed = stranger.openEvents();
            assertThat(closed.path("type").asText()).isEqualTo("closed");
            assertThat(closed.path("status").asInt()).isEqualTo(4401);
        }
    }

    @Test
    void logout_ends_the_session() throws Exception {
        try (ApiClient eva = client()) {
            eva.post("/api/login", Map.of("user", "eva"));
            assertThat(eva.get("/api/session", Map.of()).body().path("user").asText())
                    .isEqualTo("eva");
            assertThat(eva.post("/api/logout", Map.of()).status()).isEqualTo(200);
            assertThat(eva.get("/api/session", Map.of()).status()).isEqualTo(401);
        }
    }

    @Test
    void the_dashboard_reports_the_server_and_the_app_is_served() throws Exception {
        try (ApiClient operator = client()) {
            JsonNode server = null;
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < deadline) {
                JsonNode servers = operator.get("/api/cluster", Map.of()).body().path("servers");
                if (servers.size() == 1 && servers.get(0).path("up").asBoolean()) {
                    server = servers.get(0);
                    break;
                }
                Thread.sleep(200);
            }
            assertThat(server).as("the server on the dashboard").isNotNull();
            assertThat(server.path("name").asText()).isEqualTo("server-1");
            assertThat(server.path("role").asText()).isEqualTo("leader");
            assertThat(server.has("decided_index")).isTrue();
            assertThat(server.path("lag").asLong()).isZero();

            // the page asked: the monitor reads the server's /logs into the merged tail
            JsonNode tail = null;
            while (System.nanoTime() < deadline) {
                JsonNode cluster = operator.get("/api/cluster", Map.of()).body();
                assertThat(cluster.path("changes").isArray()).isTrue();
                if (cluster.path("log_tail").size() > 0) {
                    tail = cluster.path("log_tail");
                    break;
                }
                Thread.sleep(200);
            }
            assertThat(tail).as("the merged log tail").isNotNull();
            assertThat(tail.size()).isLessThanOrEqualTo(ClusterChanges.LOG_TAIL_LINES_MAX);
            assertThat(tail.get(0).path("process").asText()).isEqualTo("server-1");
            assertThat(tail.get(0).has("clock")).isTrue();

            ApiClient.Reply page = operator.get("/", Map.of());
            assertThat(page.status()).isEqualTo(200);
            assertThat(operator.get("/webjars/uplot/1.6.30/dist/uPlot.esm.js", Map.of())
                            .status())
                    .isEqualTo(200);
            assertThat(operator.get("/app.js", Map.of()).status()).isEqualTo(200);
        }
    }
}
