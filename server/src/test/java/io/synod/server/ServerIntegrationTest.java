package io.synod.server;

import static io.synod.server.Harness.call;
import static io.synod.server.Harness.callRaw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.synod.messaging.ZmqTestSockets;
import io.synod.protocol.Envelope;
import io.synod.protocol.MsgPack;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zeromq.ZMQ;

class ServerIntegrationTest {
    /** The Lamport clock of the test's client: each request a new send (the same one twice is a retry). */
    private static final AtomicLong SENT_CLOCK = new AtomicLong();

    private static final double NOW = 1_763_900_000.5;

    @TempDir
    Path root;

    private Harness harness;
    private ChatServer server;
    private RawReq client;

    @BeforeEach
    void start() {
        harness = new Harness(root);
        server = harness.startServer("s1");
        client = harness.client();
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    private static Map<String, Object> data(Object... keyValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put((String) keyValues[i], keyValues[i + 1]);
        }
        map.put("timestamp", NOW);
        map.put("clock", SENT_CLOCK.incrementAndGet()); // a statement client increments it before each send
        return map;
    }

    private static void assertStamped(Envelope reply) {
        assertThat(reply.data()).containsKeys("timestamp", "clock");
        assertThat(reply.data().get("timestamp")).isInstanceOf(Double.class);
        assertThat((Long) reply.data().get("clock")).isPositive();
    }

    private Envelope login(String user) {
        return call(client, "login", data("user", user));
    }

    @Test
    void theStatementsRequestsGetTheStatementsReplies() {
        Envelope login = login("ana");
        assertThat(login.service()).isEqualTo("login");
        assertThat(login.data()).containsEntry("status", "sucesso").doesNotContainKey("description");
        assertStamped(login);

        Envelope users = call(client, "users", data());
        assertThat(users.service()).isEqualTo("users");
        assertThat(users.data().get("users")).isEqualTo(List.of("ana"));
        assertStamped(users);

        Envelope channel = call(client, "channel", data("channel", "geral"));
        assertThat(channel.data()).containsEntry("status", "sucesso");
        assertStamped(channel);
        Envelope again = call(client, "channel", data("channel", "geral"));
        assertThat(again.data())
                .containsEntry("status", "erro")
                .containsEntry("description", "channel 'geral' already exists");
        assertStamped(again);

        Envelope channels = call(client, "channels", data());
        assertThat(channels.data().get("users")).isEqualTo(List.of("geral"));
        assertThat(channels.data().get("channels")).isEqualTo(List.of("geral"));
        assertStamped(channels);

        Envelope publish = call(client, "publish", data("user", "ana", "channel", "geral", "message", "oi"));
        assertThat(publish.service()).isEqualTo("publish");
        assertThat(publish.data()).containsEntry("status", "OK");
        assertStamped(publish);
        Envelope noChannel = call(client, "publish", data("user", "ana", "channel", "nada", "message", "oi"));
        assertThat(noChannel.data())
                .containsEntry("status", "erro")
                .containsEntry("message", "channel 'nada' does not exist");

        login("bob");
        Envelope message = call(client, "message", data("src", "ana", "dst", "bob", "message", "psiu"));
        assertThat(message.data()).containsEntry("status", "OK");
        assertStamped(message);
        Envelope noUser = call(client, "message", data("src", "ana", "dst", "zoe", "message", "psiu"));
        assertThat(noUser.data()).containsEntry("status", "erro").containsEntry("message", "user 'zoe' does not exist");
        assertStamped(noUser);
        assertThat(call(client, "users", data()).data().get("users")).isEqualTo(List.of("ana", "bob"));
    }

    @Test
    void requestsWithoutClockOrTimestampAreAccepted() {
        Envelope reply = call(client, "login", Map.of("user", "ana"));
        assertThat(reply.data()).containsEntry("status", "sucesso");
        assertStamped(reply);
        Envelope iso = call(client, "users", Map.of("timestamp", "2025-11-01T10:00:00Z"));
        assertThat(iso.data().get("users")).isEqualTo(List.of("ana"));
    }

    @Test
    void theReplyClockFollowsTheLamportRule() {
        Envelope reply = call(client, "users", Map.of("timestamp", NOW, "clock", 1_000L));
        assertThat((Long) reply.data().get("clock")).isGreaterThan(1_000L);
    }

    /** Publishes warm-up posts until the subscription has reached the proxy (slow joiner). */
    private void awaitSubscription(ZMQ.Socket sub, String user, String channel) {
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            call(client, "publish", data("user", user, "channel", channel, "message", "warm-up"));
            return Harness.nextPublication(sub) != null;
        });
        while (Harness.nextPublication(sub) != null) {
            // drain the remaining warm-up posts
        }
    }

    @Test
    void channelPostsArePublishedOnTheChannelTopic() {
        login("ana");
        call(client, "channel", data("channel", "geral"));
        call(client, "channel", data("channel", "geral2"));
        ZMQ.Socket sub = harness.subscriber("geral");
        awaitSubscription(sub, "ana", "geral");

        call(client, "publish", data("user", "ana", "channel", "geral2", "message", "elsewhere"));
        Envelope reply = call(client, "publish", data("user", "ana", "channel", "geral", "message", "olá"));
        assertThat(reply.data()).containsEntry("status", "OK");
        ZmqTestSockets.ReceivedPublication received =
                await().atMost(Duration.ofSeconds(10)).until(() -> Harness.nextPublication(sub), r -> r != null);
        // SUB filters by prefix: "geral2" reaches this socket too; the topic frame tells them apart.
        while (!received.topic().equals("geral")) {
            received = await().atMost(Duration.ofSeconds(10)).until(() -> Harness.nextPublication(sub), r -> r != null);
        }
        assertThat(received.payload())
                .containsEntry("user", "ana")
                .containsEntry("message", "olá")
                .containsEntry("channel", "geral")
                .containsKeys("timestamp", "clock", "seq", "id", "index");
        Map<String, Object> history =
                call(client, "history", data("channel", "geral")).data();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> messages = (List<Map<String, Object>>) history.get("messages");
        assertThat(messages.get(messages.size() - 1)).isEqualTo(received.payload());
        assertThat(history).containsEntry("more", false).containsEntry("status", "OK");
    }

    @Test
    void privateMessagesArePublishedOnTheRecipientsTopic() {
        login("ana");
        login("bob");
        ZMQ.Socket sub = harness.subscriber("bob");
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            call(client, "message", data("src", "ana", "dst", "bob", "message", "warm-up"));
            return Harness.nextPublication(sub) != null;
        });
        while (Harness.nextPublication(sub) != null) {
            // drain
        }
        call(client, "message", data("src", "ana", "dst", "bob", "message", "segredo"));
        ZmqTestSockets.ReceivedPublication received =
                await().atMost(Duration.ofSeconds(10)).until(() -> Harness.nextPublication(sub), r -> r != null);
        assertThat(received.topic()).isEqualTo("bob");
        assertThat(received.payload())
                .containsEntry("src", "ana")
                .containsEntry("message", "segredo")
                .containsEntry("dst", "bob")
                .containsKeys("timestamp", "clock", "seq", "conversation_seq");

        Map<String, Object> inbox =
                call(client, "private_history", data("user", "bob")).data();
        Map<String, Object> conversation = call(client, "private_history", data("user", "ana", "peer", "bob"))
                .data();
        assertThat((List<?>) inbox.get("messages")).last().isEqualTo(received.payload());
        assertThat((List<?>) conversation.get("messages")).last().isEqualTo(received.payload());
    }

    @Test
    void badInputGetsAnErroReplyAndTheServerKeepsServing() {
        List<byte[]> bad = new ArrayList<>();
        bad.add(new byte[] {(byte) 0xc1, 1, 2}); // not MessagePack
        bad.add("hello".getBytes(java.nio.charset.StandardCharsets.UTF_8)); // not MessagePack either
        bad.add(MsgPack.encode(List.of(1L, 2L))); // not a map
        bad.add(new Envelope("dance", data()).encode()); // unknown service
        bad.add(new Envelope("login", data()).encode()); // missing user
        bad.add(new Envelope("login", data("user", 42L)).encode()); // mistyped user
        bad.add(new Envelope("login", data("user", "")).encode()); // empty name
        bad.add(new Envelope("login", data("user", "x".repeat(10_000))).encode()); // 10,000 characters
        bad.add(new Envelope("publish", data("user", "ana", "channel", "geral")).encode()); // missing message
        bad.add(new Envelope("login", data("user", "ana ")).encode()); // a trailing space in a name
        bad.add(new Envelope("login", data("user", "a\tb")).encode()); // a tab in a name
        bad.add(new byte[(1 << 20) + 1]); // over 1 MiB
        bad.add(new byte[0]); // empty frame
        bad.add(invalidUtf8Login()); // invalid UTF-8
        for (byte[] frame : bad) {
            Envelope reply = callRaw(client, frame);
            assertThat(reply.data())
                    .as("reply to a bad frame of %d bytes", frame.length)
                    .containsEntry("status", "erro")
                    .containsKeys("description", "message");
            assertThat((String) reply.data().get("description")).isNotBlank();
            assertStamped(reply);
            assertThat(login("ana").data()).containsEntry("status", "sucesso");
        }
        assertThat(call(client, "users", data()).data().get("users")).isEqualTo(List.of("ana"));
        Envelope unknown = call(client, "dance", data());
        assertThat(unknown.service()).isEqualTo("dance");
        assertThat((String) unknown.data().get("description")).contains("unknown service");
    }

    @Test
    void aMultiFrameRequestGetsAnErroReply() {
        Envelope reply = client.callFrames(
                List.of(new Envelope("users", data()).encode(), new Envelope("users", data()).encode()));
        assertThat(reply.data()).containsEntry("status", "erro");
        assertThat(login("ana").data()).containsEntry("status", "sucesso");
    }

    /** {"service": "login", "data": {"user": <0xff 0xfe>}} with a raw, invalid UTF-8 string. */
    private static byte[] invalidUtf8Login() {
        byte[] prefix = MsgPack.encode(Map.of("service", "login", "data", Map.of("user", "ab")));
        // Replace the two bytes of "ab" (the last two bytes) with invalid UTF-8.
        prefix[prefix.length - 2] = (byte) 0xff;
        prefix[prefix.length - 1] = (byte) 0xfe;
        return prefix;
    }

    @Test
    void aRetriedRequestIsAppliedOnce() {
        login("ana");
        call(client, "channel", data("channel", "geral"));
        Map<String, Object> request =
                data("user", "ana", "channel", "geral", "message", "uma vez", "client_id", "c-1", "request_id", 7L);
        assertThat(call(client, "publish", request).data())
                .containsEntry("status", "OK")
                .containsEntry("client_id", "c-1")
                .containsEntry("request_id", 7L);
        assertThat(call(client, "publish", request).data())
                .containsEntry("status", "OK")
                .containsEntry("request_id", 7L);
        List<?> messages = (List<?>)
                call(client, "history", data("channel", "geral")).data().get("messages");
        assertThat(messages).hasSize(1);
    }

    @Test
    void dataSurvivesARestartOnTheSameDataDirectory() throws Exception {
        login("ana");
        login("ana");
        call(client, "channel", data("channel", "geral"));
        call(client, "publish", data("user", "ana", "channel", "geral", "message", "antes"));
        JsonNode before = status(server);
        harness.stopServers();

        server = harness.startServer("s1");
        JsonNode status = status(server);
        assertThat(status.get("role").asText())
                .as("a group of one leads from its start")
                .isEqualTo("leader");
        assertThat(status.get("state_digest").asText())
                .isEqualTo(before.get("state_digest").asText());
        assertThat(status.get("applied_command_index").asLong())
                .isEqualTo(before.get("applied_command_index").asLong())
                .isPositive();
        assertThat(call(client, "users", data()).data().get("users")).isEqualTo(List.of("ana"));
        assertThat(call(client, "channels", data()).data().get("channels")).isEqualTo(List.of("geral"));
        call(client, "publish", data("user", "ana", "channel", "geral", "message", "depois"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> messages = (List<Map<String, Object>>)
                call(client, "history", data("channel", "geral")).data().get("messages");
        assertThat(messages).extracting(m -> m.get("message")).containsExactly("antes", "depois");
        assertThat(messages).extracting(m -> m.get("seq")).containsExactly(1L, 2L);
    }

    @Test
    void aServerWhoseNameEndsWithNoNumberIsNodeOneOfItsGroupOfOne() throws Exception {
        harness.stopServers(); // the broker would share the requests between two groups
        server = harness.startServer("alpha");
        assertThat(login("ana").data()).containsEntry("status", "sucesso");
        JsonNode status = status(server);
        assertThat(status.get("role").asText()).isEqualTo("leader");
        assertThat(status.get("leader").asText()).isEqualTo("alpha");
        assertThat(status.get("members").get(0).get("node_id").asInt()).isEqualTo(1);
    }

    private static JsonNode status(ChatServer server) throws Exception {
        return new ObjectMapper().readTree(get(server, "/status").body());
    }

    private static HttpResponse<String> get(ChatServer server, String path) throws Exception {
        try (HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.adminPort() + path))
                    .timeout(Duration.ofSeconds(10))
                    .GET()
                    .build();
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        }
    }

    @Test
    void theAdminEndpointServesHealthStatusMetricsAndLogs() throws Exception {
        login("ana");
        HttpResponse<String> health = get(server, "/health");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(new ObjectMapper().readTree(health.body()).get("status").asText())
                .isEqualTo("UP");
        JsonNode checks = new ObjectMapper().readTree(health.body()).get("checks");
        for (String check : List.of("store_writable", "quorum_reachable", "leader_known")) {
            assertThat(checks.get(check).get("ok").asBoolean()).as(check).isTrue();
        }

        JsonNode status = status(server);
        assertThat(status.get("name").asText()).isEqualTo("s1");
        assertThat(status.get("rank").asLong()).isEqualTo(1);
        // a group of one: its only voter, and its leader from the start
        assertThat(status.get("role").asText()).isEqualTo("leader");
        assertThat(status.get("leader").asText()).isEqualTo("s1");
        assertThat(status.get("coordinator").isNull()).isTrue();
        assertThat(status.get("ballot").asText()).endsWith(".1");
        assertThat(status.get("decided_index").asLong()).isPositive();
        assertThat(status.get("applied_index").asLong())
                .isEqualTo(status.get("decided_index").asLong());
        assertThat(status.get("applied_command_index").asLong()).isPositive();
        assertThat(status.get("members")).hasSize(1);
        assertThat(status.get("members").get(0).get("name").asText()).isEqualTo("s1");
        assertThat(status.get("members").get(0).get("role").asText()).isEqualTo("voter");
        assertThat(status.get("members").get(0).get("address").asText())
                .startsWith("tcp://127.0.0.1:")
                .doesNotEndWith(":0");
        assertThat(status.get("coordination_members").get(0).get("name").asText())
                .isEqualTo("s1");
        assertThat(status.get("state_digest").asText()).hasSize(64);
        assertThat(status.has("clock_offset_ms") && status.has("lamport") && status.has("uptime_ms"))
                .isTrue();

        HttpResponse<String> metrics = get(server, "/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body())
                .contains("synod_requests_total")
                .contains("service=\"login\"")
                .contains("synod_publications_total")
                .contains("synod_paxos_decided_index{server=\"s1\"}")
                .contains("synod_paxos_applied_index{server=\"s1\"}")
                .contains("synod_paxos_apply_lag{server=\"s1\"}")
                .contains("synod_paxos_leader{server=\"s1\"} 1.0")
                .contains("synod_paxos_ballot_round{server=\"s1\"}")
                .contains("synod_paxos_pending_writes{server=\"s1\"}")
                .contains("synod_clock_offset_ms{server=\"s1\"}")
                .contains("synod_paxos_persist_seconds_bucket{")
                .contains("synod_paxos_apply_seconds_count{server=\"s1\"}")
                .contains("jvm_memory_used_bytes")
                .contains("jvm_gc_");
        assertThat(metrics.body()).doesNotContain("synod_paxos_apply_seconds_count{server=\"s1\"} 0.0");

        JsonNode logs = new ObjectMapper().readTree(get(server, "/logs").body());
        assertThat(logs.isArray()).isTrue();
        assertThat(logs.toString()).contains("\"kind\":\"login\"");
    }
}
