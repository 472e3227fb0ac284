package io.synod.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.protocol.Envelope;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A restarted single server (a Paxos group of one) has all its data back: logins, channels, publications, private
 * messages.
 */
class PersistenceTest {
    @Test
    void everyAcknowledgedWriteSurvivesAKillAndRestart() throws Exception {
        try (Cluster cluster = new Cluster("persistence")) {
            Processes.Started server = cluster.startServer("server-1");
            try (WireClient client = cluster.client()) {
                assertThat(client.call("login", Map.of("user", "keep_ana")).data())
                        .containsEntry("status", "sucesso");
                client.call("login", Map.of("user", "keep_bia"));
                client.call("channel", Map.of("channel", "kept"));
                client.call("publish", Map.of("user", "keep_ana", "channel", "kept", "message", "before the crash"));
                client.call("message", Map.of("src", "keep_ana", "dst", "keep_bia", "message", "still here?"));
            }
            Processes.kill(server); // kill -9: only what was synced to disk before the reply counts
            Processes.Started restarted = cluster.startServer("server-1");
            // one server is a Paxos group of one: its writes were in its synced Paxos log before their replies
            assertThat(Cluster.status(restarted))
                    .containsEntry("role", "leader")
                    .containsEntry("leader", "server-1");
            try (WireClient client = cluster.client()) {
                assertThat(WireClient.list(client.call("users", Map.of()), "users"))
                        .contains("keep_ana", "keep_bia");
                assertThat(WireClient.list(client.call("channels", Map.of()), "channels"))
                        .contains("kept");
                Envelope history = client.call("history", Map.of("channel", "kept"));
                assertThat(WireClient.messages(history).stream()
                                .map(m -> m.get("message"))
                                .toList())
                        .containsExactly("before the crash");
                Envelope inbox = client.call("private_history", Map.of("user", "keep_bia"));
                assertThat(WireClient.messages(inbox).stream()
                                .map(m -> m.get("message"))
                                .toList())
                        .containsExactly("still here?");
                client.call("publish", Map.of("user", "keep_ana", "channel", "kept", "message", "after"));
                Envelope after = client.call("history", Map.of("channel", "kept"));
                assertThat(WireClient.messages(after).stream()
                                .map(m -> m.get("seq"))
                                .toList())
                        .as("sequence numbers continue where they stopped")
                        .containsExactly(1L, 2L);
            }
        }
    }
}
