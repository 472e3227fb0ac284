package io.synod.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.synod.protocol.Envelope;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * One causal chain across processes: client A publishes, the server applies and answers, the
 * publication goes through the proxy to client B, B answers with a private message back to A. The
 * Lamport clock grows at every hop (statement part 4), and the server's interaction log shows the
 * same clocks in the same order.
 */
class LamportChainTest {
    @Test
    void clockGrowsAlongClientServerProxyClientChain() throws Exception {
        try (Cluster cluster = new Cluster("lamport")) {
            cluster.startServer("server-1");
            try (WireClient alice = cluster.client();
                    WireClient bob = cluster.client()) {
                alice.call("login", Map.of("user", "chain_alice"));
                bob.call("login", Map.of("user", "chain_bob"));
                alice.call("channel", Map.of("channel", "chain"));
                bob.subscribe("chain");
                awaitDelivery(alice, bob);

                long publishClock = alice.clock + 1;
                Envelope reply =
                        alice.call("publish", Map.of("user", "chain_alice", "channel", "chain", "message", "link 1"));
                long replyClock = (Long) reply.data().get("clock");
                WireClient.Received post = receive(bob, "link 1");
                long publicationClock = (Long) post.payload().get("clock");
                long bobAfterReceipt = bob.clock;
                long bobSendClock = bob.clock + 1;
                Envelope answer =
                        bob.call("message", Map.of("src", "chain_bob", "dst", "chain_alice", "message", "link 2"));
                long answerClock = (Long) answer.data().get("clock");

                assertThat(List.of(publishClock, publicationClock, bobAfterReceipt, bobSendClock, answerClock))
                        .as("publish -> publication -> B's receipt -> B's message -> server's reply")
                        .isSorted()
                        .doesNotHaveDuplicates();
                assertThat(replyClock).isGreaterThan(publishClock);

                JsonNode publishIn = findLine(cluster, "server-1", "in", "publish", "link 1");
                JsonNode publicationOut = findLine(cluster, "server-1", "out", "publication", "link 1");
                JsonNode messageIn = findLine(cluster, "server-1", "in", "message", "link 2");
                assertThat(publishIn.path("clock").asLong()).isGreaterThan(publishClock);
                assertThat(publicationOut.path("clock").asLong()).isEqualTo(publicationClock);
                assertThat(messageIn.path("clock").asLong()).isGreaterThan(bobSendClock);
            }
        }
    }

    private static void awaitDelivery(WireClient alice, WireClient bob) {
        for (int attempt = 0; attempt < 50; attempt++) {
            alice.call("publish", Map.of("user", "chain_alice", "channel", "chain", "message", "probe"));
            WireClient.Received received = bob.receive(300);
            if (received != null) {
                while (bob.receive(300) != null) {
                    // drop probes still in flight
                }
                return;
            }
        }
        throw new AssertionError("subscription never became active");
    }

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

    /** The server's interaction-log line of {@code dir}/{@code kind} whose data has {@code message}. */
    private static JsonNode findLine(Cluster cluster, String process, String dir, String kind, String message)
            throws Exception {
        Path log = Path.of(cluster.log(process));
        ObjectMapper json = new ObjectMapper();
        for (int attempt = 0; attempt < 50; attempt++) {
            for (String text : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                JsonNode line = json.readTree(text);
                if (dir.equals(line.path("dir").asText())
                        && kind.equals(line.path("kind").asText())
                        && message.equals(line.path("data").path("message").asText())) {
                    return line;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no " + dir + " " + kind + " line for '" + message + "' in " + log);
    }
}
