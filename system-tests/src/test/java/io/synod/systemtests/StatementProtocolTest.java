package io.synod.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.protocol.Envelope;
import io.synod.protocol.MsgPack;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Every statement service through the real broker to the real server, with the exact reply fields,
 * publications on the exact topic through the real proxy, and Lamport clocks on every message.
 * The client is a plain REQ/SUB client, as a foreign course group would write it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StatementProtocolTest {
    /** How long one subscription probe waits before the next is sent. */
    private static final int PROBE_WAIT_MILLIS = 300;

    private Cluster cluster;

    @BeforeAll
    void start() throws Exception {
        cluster = new Cluster("statement");
        cluster.startServer("server-1");
    }

    @AfterAll
    void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static void assertStamped(Envelope reply, long sentClock) {
        assertThat(reply.data()).containsKeys("timestamp", "clock");
        assertThat(reply.data().get("timestamp")).isInstanceOf(Double.class);
        assertThat((Long) reply.data().get("clock")).isGreaterThan(sentClock);
    }

    @Test
    void loginUsersChannelChannels() {
        try (WireClient client = cluster.client()) {
            Envelope login = client.call("login", Map.of("user", "ana"));
            assertThat(login.service()).isEqualTo("login");
            assertThat(login.data()).containsEntry("status", "sucesso").doesNotContainKey("description");
            assertStamped(login, 1);
            assertThat(client.call("login", Map.of("user", "ana")).data())
                    .as("a repeated login is recorded, not an error")
                    .containsEntry("status", "sucesso");

            Envelope users = client.call("users", Map.of());
            assertThat(users.service()).isEqualTo("users");
            assertThat(WireClient.list(users, "users")).contains("ana");

            Envelope created = client.call("channel", Map.of("channel", "geral"));
            assertThat(created.data()).containsEntry("status", "sucesso");
            Envelope duplicate = client.call("channel", Map.of("channel", "geral"));
            assertThat(duplicate.data()).containsEntry("status", "erro").containsKey("description");

            long sentClock = client.clock + 1;
            Envelope channels = client.call("channels", Map.of());
            assertThat(WireClient.list(channels, "users")).contains("geral");
            assertThat(WireClient.list(channels, "channels")).contains("geral");
            assertStamped(channels, sentClock);
        }
    }

    @Test
    void publishIsDeliveredOnTheExactChannelTopicWithLamportOrder() {
        try (WireClient publisher = cluster.client();
                WireClient reader = cluster.client()) {
            publisher.call("login", Map.of("user", "pub_ana"));
            publisher.call("channel", Map.of("channel", "news"));
            reader.subscribe("news");
            awaitSubscription(publisher, reader, "news");

            long sentClock = publisher.clock + 1;
            Envelope reply =
                    publisher.call("publish", Map.of("user", "pub_ana", "channel", "news", "message", "hello"));
            assertThat(reply.data()).containsEntry("status", "OK");
            assertStamped(reply, sentClock);

            WireClient.Received post = receiveMessage(reader, "hello");
            assertThat(post.topic()).isEqualTo("news");
            assertThat(post.payload())
                    .containsEntry("user", "pub_ana")
                    .containsEntry("message", "hello")
                    .containsKeys("timestamp", "clock", "seq", "id");
            long publicationClock = (Long) post.payload().get("clock");
            assertThat(publicationClock)
                    .as("publication happens after the publish request")
                    .isGreaterThan(sentClock);

            Envelope missing =
                    publisher.call("publish", Map.of("user", "pub_ana", "channel", "no-such-channel", "message", "x"));
            assertThat(missing.data()).containsEntry("status", "erro").containsKey("message");
        }
    }

    @Test
    void privateMessageGoesToTheDestinationTopicOnly() {
        try (WireClient sender = cluster.client();
                WireClient bob = cluster.client()) {
            sender.call("login", Map.of("user", "dm_ana"));
            bob.call("login", Map.of("user", "bob"));
            bob.call("login", Map.of("user", "bobby"));
            bob.subscribe("bob"); // a prefix subscription also matches "bobby": receivers compare exactly
            awaitDirect(sender, bob, "bob");

            sender.call("message", Map.of("src", "dm_ana", "dst", "bobby", "message", "for bobby"));
            Envelope reply = sender.call("message", Map.of("src", "dm_ana", "dst", "bob", "message", "for bob"));
            assertThat(reply.data()).containsEntry("status", "OK");
            WireClient.Received first = bob.receive();
            WireClient.Received second = bob.receive();
            assertThat(List.of(first.topic(), second.topic())).containsExactly("bobby", "bob");
            assertThat(second.payload())
                    .containsEntry("src", "dm_ana")
                    .containsEntry("message", "for bob")
                    .containsKeys("timestamp", "clock");

            Envelope unknown = sender.call("message", Map.of("src", "dm_ana", "dst", "nobody", "message", "x"));
            assertThat(unknown.data()).containsEntry("status", "erro").containsKey("message");
        }
    }

    @Test
    void historyReturnsWhatWasPublished() {
        try (WireClient client = cluster.client()) {
            client.call("login", Map.of("user", "hist_ana"));
            client.call("channel", Map.of("channel", "archive"));
            for (int i = 1; i <= 5; i++) {
                client.call("publish", Map.of("user", "hist_ana", "channel", "archive", "message", "m" + i));
            }
            Envelope page = client.call("history", Map.of("channel", "archive", "after_seq", 2L, "limit", 2L));
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> messages =
                    (List<Map<String, Object>>) page.data().get("messages");
            assertThat(messages).extracting(m -> m.get("message")).containsExactly("m3", "m4");
            assertThat(messages).extracting(m -> m.get("seq")).containsExactly(3L, 4L);
            assertThat(page.data()).containsEntry("more", true);
        }
    }

    @Test
    void badInputGetsAClearErrorAndChangesNothing() {
        try (WireClient client = cluster.client()) {
            List<byte[]> hostile = List.of(
                    "not messagepack at all".getBytes(StandardCharsets.UTF_8),
                    new byte[] {(byte) 0xc1},
                    MsgPack.encode(List.of("service", "login")),
                    new Envelope("teleport", Map.of()).encode(),
                    new Envelope("login", Map.of()).encode(),
                    new Envelope("login", Map.of("user", 42L)).encode(),
                    new Envelope("login", Map.of("user", "")).encode(),
                    new Envelope("login", Map.of("user", "x".repeat(10_000))).encode(),
                    new Envelope(
                                    "publish",
                                    Map.of("user", "ana", "channel", "geral", "message", "y".repeat(10_000_000)))
                            .encode(),
                    invalidUtf8Login());
            for (byte[] frame : hostile) {
                Envelope reply = client.sendRaw(frame);
                assertThat(reply.data()).containsEntry("status", "erro");
                assertThat((String) reply.data().get("message")).isNotBlank();
            }
            Envelope users = client.call("users", Map.of());
            assertThat(WireClient.list(users, "users")).noneMatch(u -> ((String) u).startsWith("xxxxxxxx"));
            assertThat(client.call("login", Map.of("user", "still_serving")).data())
                    .containsEntry("status", "sucesso");
        }
    }

    private static byte[] invalidUtf8Login() {
        byte[] good = new Envelope("login", Map.of("user", "AB")).encode();
        byte[] bad = good.clone();
        for (int i = 0; i + 1 < bad.length; i++) {
            if (bad[i] == 'A' && bad[i + 1] == 'B') {
                bad[i] = (byte) 0xC3;
                bad[i + 1] = (byte) 0x28;
            }
        }
        return bad;
    }

    /** Publishes probes until the subscriber sees one (ZeroMQ's slow-joiner effect), bounded. */
    private static void awaitSubscription(WireClient publisher, WireClient reader, String channel) {
        for (int attempt = 0; attempt < 50; attempt++) {
            publisher.call("publish", Map.of("user", "pub_ana", "channel", channel, "message", "probe"));
            WireClient.Received received = reader.receive(PROBE_WAIT_MILLIS);
            if (received != null && "probe".equals(received.payload().get("message"))) {
                drain(reader);
                return;
            }
        }
        throw new AssertionError("subscription to " + channel + " never became active");
    }

    private static void awaitDirect(WireClient sender, WireClient reader, String user) {
        for (int attempt = 0; attempt < 50; attempt++) {
            sender.call("message", Map.of("src", "dm_ana", "dst", user, "message", "probe"));
            WireClient.Received received = reader.receive(PROBE_WAIT_MILLIS);
            if (received != null && "probe".equals(received.payload().get("message"))) {
                drain(reader);
                return;
            }
        }
        throw new AssertionError("subscription to " + user + " never became active");
    }

    /** Drops probes still in flight, so the test reads only what it sends next. */
    private static void drain(WireClient reader) {
        while (reader.receive(PROBE_WAIT_MILLIS) != null) {
            // discard
        }
    }

    private static WireClient.Received receiveMessage(WireClient reader, String message) {
        for (int i = 0; i < 100; i++) {
            WireClient.Received received = reader.receive();
            if (received == null) {
                break;
            }
            if (message.equals(received.payload().get("message"))) {
                return received;
            }
        }
        throw new AssertionError("no publication with message " + message);
    }
}
