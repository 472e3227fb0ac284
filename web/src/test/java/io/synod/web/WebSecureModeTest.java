package io.synod.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web process in secure mode in front of a server in secure mode: a login needs a password, the cluster's session
 * token stays in the web process and every write carries it (the server refuses a write without one), and a logout
 * revokes it in the cluster.
 */
class WebSecureModeTest {
    @TempDir
    static Path root;

    static LocalCluster cluster;

    @BeforeAll
    static void start() {
        cluster = new LocalCluster(root, true);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    private static ApiClient client() {
        return new ApiClient(cluster.web.url());
    }

    @Test
    void a_login_needs_a_password_and_the_session_writes_with_the_cluster_token() throws Exception {
        try (ApiClient ana = client();
                ApiClient mallory = client()) {
            ApiClient.Reply bare = ana.post("/api/login", Map.of("user", "ana"));
            assertThat(bare.status()).isEqualTo(400);
            assertThat(bare.body().path("error").asText()).contains("'password'");
            assertThat(ana.get("/api/session", Map.of()).status()).isEqualTo(401);

            ApiClient.Reply login = ana.post("/api/login", Map.of("user", "ana", "password", "correct horse"));
            assertThat(login.status()).as(login.body().toString()).isEqualTo(200);
            assertThat(login.body().has("token"))
                    .as("the cluster token stays server-side")
                    .isFalse();
            assertThat(login.body().path("secure").asBoolean()).isTrue();
            assertThat(ana.post("/api/channel", Map.of("channel", "secret")).status())
                    .isEqualTo(200);
            assertThat(ana.post("/api/publish", Map.of("channel", "secret", "message", "signed write"))
                            .status())
                    .as("the server in secure mode accepts the write: it carried ana's token")
                    .isEqualTo(200);
            assertThat(ana.post("/api/post", Map.of("message", "a post")).status())
                    .isEqualTo(200);
            JsonNode history =
                    ana.get("/api/history", Map.of("channel", "secret")).body();
            assertThat(ApiClient.texts(history.path("messages"), "message")).containsExactly("signed write");
            assertThat(ana.get("/api/notifications", Map.of()).status())
                    .as("a private read with the token")
                    .isEqualTo(200);

            ApiClient.Reply wrong = mallory.post("/api/login", Map.of("user", "ana", "password", "guess"));
            assertThat(wrong.status()).isEqualTo(422);
            assertThat(wrong.body().path("error").asText()).contains("password");
            assertThat(mallory.get("/api/session", Map.of()).status()).isEqualTo(401);

            ApiClient.Reply logout = ana.post("/api/logout", Map.of());
            assertThat(logout.status()).isEqualTo(200);
            assertThat(logout.body().path("cluster_logout").asBoolean())
                    .as("the cluster revoked the session's token")
                    .isTrue();
            assertThat(ana.get("/api/session", Map.of()).status()).isEqualTo(401);
        }
    }
}
