package io.synod.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.synod.protocol.Envelope;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReferenceIntegrationTest {
    @TempDir
    Path root;

    private Harness harness;

    @BeforeEach
    void start() {
        harness = new Harness(root);
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    private RawReq referenceClient() {
        return new RawReq(harness.clientContext, harness.reference.endpoint());
    }

    private static Envelope call(RawReq socket, String service, Map<String, Object> data) {
        return socket.call(service, data);
    }

    @Test
    void theReferenceAnswersTheStatementsServices() {
        RawReq ref = referenceClient();
        Envelope rank = call(ref, "rank", Map.of("user", "alpha", "timestamp", 1.0, "clock", 5L));
        assertThat(rank.service()).isEqualTo("rank");
        assertThat(rank.data()).containsEntry("rank", 1L).containsKeys("timestamp", "clock");
        assertThat((Long) rank.data().get("clock")).isGreaterThan(5L);
        assertThat(call(ref, "rank", Map.of("user", "beta", "timestamp", 1.0, "clock", 1L))
                        .data())
                .containsEntry("rank", 2L);
        assertThat(call(ref, "rank", Map.of("user", "alpha", "timestamp", 1.0, "clock", 1L))
                        .data())
                .containsEntry("rank", 1L);
        Envelope heartbeat = call(ref, "heartbeat", Map.of("user", "alpha", "timestamp", 1.0, "clock", 1L));
        assertThat(heartbeat.service()).isEqualTo("heartbeat");
        assertThat(heartbeat.data()).containsKeys("timestamp", "clock");
        Envelope list = call(ref, "list", Map.of("timestamp", 1.0, "clock", 1L));
        assertThat(list.data().get("list"))
                .isEqualTo(List.of(Map.of("name", "alpha", "rank", 1L), Map.of("name", "beta", "rank", 2L)));
        Envelope bad = call(ref, "login", Map.of("user", "x"));
        assertThat(bad.data()).containsEntry("status", "erro");
        assertThat(call(ref, "list", Map.of()).data()).containsKey("list");
    }

    @Test
    void refusedRequestsAreCountedAndTheTopOfTheClockRangeIsStillAnswered() {
        RawReq ref = referenceClient();
        assertThat(ref.callRaw(new byte[] {(byte) 0xc1}).data()).containsEntry("status", "erro");
        assertThat(call(ref, "rank", Map.of("user", 7L)).data()).containsEntry("status", "erro");
        assertThat(call(ref, "login", Map.of("user", "alpha")).data()).containsEntry("status", "erro");
        assertThat(harness.reference.requestsRefused()).isEqualTo(3);
        for (long sent : new long[] {Long.MAX_VALUE, Long.MAX_VALUE - 1, Long.MAX_VALUE}) {
            // answered (whether such a clock is served or refused is the protocol's rule), then served as before
            assertThat(call(ref, "rank", Map.of("user", "alpha", "clock", sent)).data())
                    .containsKeys("timestamp", "clock");
            Envelope rank = call(ref, "rank", Map.of("user", "alpha", "clock", 1L));
            assertThat(rank.service()).isEqualTo("rank");
            assertThat(rank.data()).containsEntry("rank", 1L);
        }
        assertThat(call(ref, "list", Map.of()).data().get("list"))
                .isEqualTo(List.of(Map.of("name", "alpha", "rank", 1L)));
        assertThat(harness.reference.requestsFailed()).isZero();
    }

    @Test
    void ranksSurviveAReferenceRestart() {
        ChatServer first = harness.startServer("s1");
        ChatServer second = harness.startServer("s2");
        assertThat(first.rank()).isEqualTo(1);
        assertThat(second.rank()).isEqualTo(2);
        String endpoint = harness.reference.endpoint();
        harness.stopServers();
        harness.reference.close();

        harness.startReference(endpoint);
        ChatServer secondAgain = harness.startServer("s2");
        assertThat(secondAgain.rank()).isEqualTo(2);
        ChatServer third = harness.startServer("s3");
        assertThat(third.rank()).isEqualTo(3);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            List<?> list =
                    (List<?>) call(referenceClient(), "list", Map.of()).data().get("list");
            assertThat(list).hasSize(2);
        });
    }

    @Test
    void theServerServesWhileTheReferenceIsDownAndRanksWhenItComesBack() {
        String endpoint = harness.reference.endpoint();
        harness.reference.close();
        ChatServer server = harness.startServer(harness.config("s1").withReferenceTiming(200, 200, 1));
        assertThat(server.rank()).isZero();
        RawReq client = harness.client();
        assertThat(Harness.call(client, "login", Map.of("user", "ana")).data()).containsEntry("status", "sucesso");

        harness.startReference(endpoint);
        await().atMost(Duration.ofSeconds(20)).until(() -> server.rank() == 1);
        assertThat(Harness.call(client, "users", Map.of()).data().get("users")).isEqualTo(List.of("ana"));
    }
}
