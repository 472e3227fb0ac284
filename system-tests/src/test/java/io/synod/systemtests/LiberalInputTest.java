package io.synod.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.synod.protocol.Envelope;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What the statement allows is accepted by a real server through the real broker (issue 19): the
 * timestamps foreign clients send ({@code "2026-12-06 11:56:05"}, {@code "1796558165.54"}), names
 * with spaces and {@code #}, and text with line breaks, each stored and read back exactly as sent;
 * an unreadable timestamp is replaced and noted, not refused; what is still refused names the
 * field and changes nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LiberalInputTest {
    private static final int PROBE_WAIT_MILLIS = 300;

    private Cluster cluster;

    @BeforeAll
    void start() throws Exception {
        cluster = new Cluster("liberal-input");
        cluster.startServer("server-1");
    }

    @AfterAll
    void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** Sends {@code fields} exactly, with {@code timestamp} as given (WireClient.call would stamp its own). */
    private static Envelope send(WireClient client, String service, Object timestamp, Map<String, Object> fields) {
        Map<String, Object> data = new LinkedHashMap<>(fields);
        data.put("timestamp", timestamp);
        data.put("clock", ++client.clock);
        return client.sendRaw(new Envelope(service, data).encode());
    }

    @Test
    void theIssuesFourInputsAreAcceptedAndStoredAsSent() {
        String ana = "Ana Maria";
        String joao = "João Pedro";
        String room = "minha sala";
        String hash = "#geral";
        String lines = "linha 1\nlinha 2\r\nlinha 3\tfim";
        try (WireClient client = cluster.client();
                WireClient reader = cluster.client()) {
            assertThat(send(client, "login", "2026-12-06 11:56:05", Map.of("user", ana))
                            .data())
                    .containsEntry("status", "sucesso");
            assertThat(send(client, "login", "1796558165.54", Map.of("user", joao))
                            .data())
                    .containsEntry("status", "sucesso");
            assertThat(send(client, "channel", "2026-12-06 11:56:05.123456", Map.of("channel", room))
                            .data())
                    .containsEntry("status", "sucesso");
            assertThat(send(client, "channel", 1796558165540L, Map.of("channel", hash))
                            .data())
                    .containsEntry("status", "sucesso");

            reader.subscribe(room);
            reader.subscribe(joao);
            awaitDelivery(client, reader, "publish", Map.of("user", ana, "channel", room));
            awaitDelivery(client, reader, "message", Map.of("src", ana, "dst", joao));

            Map<String, Object> post1 = Map.of("user", ana, "channel", room, "message", lines);
            assertThat(send(client, "publish", "2026-12-06 11:56:05", post1).data())
                    .containsEntry("status", "OK");
            WireClient.Received post = receive(reader, lines);
            assertThat(post.topic()).isEqualTo(room);
            assertThat(post.payload()).containsEntry("user", ana).containsEntry("message", lines);

            Map<String, Object> direct = Map.of("src", ana, "dst", joao, "message", lines);
            assertThat(send(client, "message", "1796558165.54", direct).data()).containsEntry("status", "OK");
            WireClient.Received dm = receive(reader, lines);
            assertThat(dm.topic()).isEqualTo(joao);
            assertThat(dm.payload()).containsEntry("src", ana).containsEntry("message", lines);

            Map<String, Object> post2 = Map.of("user", joao, "channel", hash, "message", "oi");
            assertThat(send(client, "publish", "2026-12-06T11:56:05Z", post2).data())
                    .containsEntry("status", "OK");

            // read back through the statement's services and the history extension
            assertThat(WireClient.list(client.call("users", Map.of()), "users")).contains(ana, joao);
            Envelope channels = client.call("channels", Map.of());
            assertThat(WireClient.list(channels, "channels")).contains(room, hash);
            assertThat(WireClient.list(channels, "users")).contains(room, hash);
            List<Map<String, Object>> history =
                    WireClient.messages(client.call("history", Map.of("channel", room, "limit", 500L)));
            assertThat(history.get(history.size() - 1))
                    .containsEntry("user", ana)
                    .containsEntry("channel", room)
                    .containsEntry("message", lines);
            assertThat(WireClient.messages(client.call("history", Map.of("channel", hash))))
                    .extracting(m -> m.get("message"))
                    .containsExactly("oi");
            List<Map<String, Object>> conversation = WireClient.messages(
                    client.call("private_history", Map.of("user", joao, "peer", ana, "limit", 500L)));
            assertThat(conversation.get(conversation.size() - 1))
                    .containsEntry("src", ana)
                    .containsEntry("dst", joao)
                    .containsEntry("message", lines);
        }
    }

    @Test
    void anUnreadableTimestampIsReplacedAndNotedNotRefused() throws Exception {
        try (WireClient client = cluster.client()) {
            List<Object> unreadable = List.of("yesterday", Double.NaN, Map.of("seconds", 1L), List.of(), true);
            for (Object timestamp : unreadable) {
                Envelope reply = send(client, "login", timestamp, Map.of("user", "relógio"));
                assertThat(reply.data()).as("%s", timestamp).containsEntry("status", "sucesso");
                assertThat(reply.data().get("timestamp")).isInstanceOf(Double.class);
            }
            Path log = Path.of(cluster.log("server-1"));
            await().atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> Files.readAllLines(log).stream()
                                    .filter(line -> line.contains("\"timestamp-replaced\""))
                                    .count()
                            >= unreadable.size());
        }
    }

    @Test
    void whatIsStillRefusedNamesTheFieldAndChangesNothing() {
        try (WireClient client = cluster.client()) {
            assertThat(client.call("login", Map.of("user", "vigia")).data()).containsEntry("status", "sucesso");
            assertThat(client.call("channel", Map.of("channel", "sala vigiada")).data())
                    .containsEntry("status", "sucesso");
            List<Object> usersBefore = WireClient.list(client.call("users", Map.of()), "users");
            List<Object> channelsBefore = WireClient.list(client.call("channels", Map.of()), "channels");
            List<Object[]> refused = List.of(
                    new Object[] {"login", Map.of("user", " Ana"), "'user'"},
                    new Object[] {"login", Map.of("user", "Ana "), "'user'"},
                    new Object[] {"login", Map.of("user", "Ana\nMaria"), "'user'"},
                    new Object[] {"login", Map.of("user", "Ana\u200BMaria"), "'user'"},
                    new Object[] {"login", Map.of("user", ""), "'user'"},
                    new Object[] {"login", Map.of("user", "x".repeat(65)), "'user'"},
                    new Object[] {"channel", Map.of("channel", "sala\tnova"), "'channel'"},
                    new Object[] {"channel", Map.of("channel", "   "), "'channel'"},
                    new Object[] {"publish", post("bip\u0007"), "'message'"},
                    new Object[] {"publish", post(""), "'message'"},
                    new Object[] {"message", Map.of("src", "vigia", "dst", "vigia\r", "message", "oi"), "'dst'"});
            for (Object[] request : refused) {
                @SuppressWarnings("unchecked")
                Map<String, Object> fields = (Map<String, Object>) request[1];
                Envelope reply = client.call((String) request[0], fields);
                assertThat(reply.data()).as("%s", fields).containsEntry("status", "erro");
                assertThat((String) reply.data().get("description"))
                        .as("%s", fields)
                        .contains((String) request[2]);
            }
            assertThat(WireClient.list(client.call("users", Map.of()), "users")).isEqualTo(usersBefore);
            assertThat(WireClient.list(client.call("channels", Map.of()), "channels"))
                    .isEqualTo(channelsBefore);
            assertThat(WireClient.messages(client.call("history", Map.of("channel", "sala vigiada"))))
                    .isEmpty();
        }
    }

    private static Map<String, Object> post(String message) {
        return Map.of("user", "vigia", "channel", "sala vigiada", "message", message);
    }

    /** Sends probes until the reader receives one (ZeroMQ's slow joiner), then drains the rest; bounded. */
    private static void awaitDelivery(
            WireClient sender, WireClient reader, String service, Map<String, Object> fields) {
        Map<String, Object> probe = new LinkedHashMap<>(fields);
        probe.put("message", "probe");
        for (int attempt = 0; attempt < 50; attempt++) {
            sender.call(service, probe);
            WireClient.Received received = reader.receive(PROBE_WAIT_MILLIS);
            if (received != null && "probe".equals(received.payload().get("message"))) {
                while (reader.receive(PROBE_WAIT_MILLIS) != null) {
                    // discard the probes still in flight
                }
                return;
            }
        }
        throw new AssertionError(service + " deliveries never reached the subscriber");
    }

    /** The next publication carrying {@code message}, skipping stray probes. */
    private static WireClient.Received receive(WireClient reader, String message) {
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
