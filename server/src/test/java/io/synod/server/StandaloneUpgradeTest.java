package io.synod.server;

import static io.synod.server.Harness.call;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.synod.core.ChatCommand;
import io.synod.core.ChatConfig;
import io.synod.core.ChatStateMachine;
import io.synod.core.Command;
import io.synod.protocol.Envelope;
import io.synod.server.replication.ReplicationConfig;
import io.synod.store.RocksDbChatStore;
import io.synod.store.StoreException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A data directory written by a single server before every server was a Paxos group: a chat state numbered 1, 2,
 * 3... and no Paxos log. The server starts on it with its data, and its new writes are applied at once, not skipped as
 * applied before (which the slot numbering would do from index 1,024 on: such a write was only applied once its
 * retries reached a slot numbered past the old state, one slot per retry), also after a second restart.
 */
class StandaloneUpgradeTest {
    private static final int STRIDE = 1_024;

    @TempDir
    Path root;

    /** Writes {@code count} commands as a standalone server did: indexes 1..count, no Paxos record. */
    private static String writeStandaloneState(Path stateDirectory, int count) {
        try (RocksDbChatStore store = RocksDbChatStore.open(stateDirectory)) {
            ChatStateMachine machine = new ChatStateMachine(store, ChatConfig.DEFAULT);
            List<Command> commands = new ArrayList<>();
            commands.add(new Command(1, 1_765_000_000.0, 1, "old", 1, new ChatCommand.Login("ana")));
            commands.add(new Command(2, 1_765_000_000.0, 2, "old", 2, new ChatCommand.CreateChannel("geral")));
            for (int i = 3; i <= count; i++) {
                commands.add(
                        new Command(i, 1_765_000_000.0, i, "old", i, new ChatCommand.Publish("ana", "geral", "m" + i)));
            }
            for (int from = 0; from < commands.size(); from += 500) {
                machine.applyAll(commands.subList(from, Math.min(commands.size(), from + 500)));
            }
            machine.sync();
            assertThat(machine.appliedIndex()).isEqualTo(count);
            return machine.stateDigestHex();
        }
    }

    @ParameterizedTest(name = "{0} writes")
    @ValueSource(ints = {3, STRIDE + 476, 2 * STRIDE + 952})
    void aSingleServersOldStateStartsWithItsDataAndTakesNewWrites(int count) throws Exception {
        String digest = writeStandaloneState(root.resolve("s1").resolve("state"), count);
        try (Harness harness = new Harness(root)) {
            ChatServer server = harness.startServer("s1");
            assertThat(status(server).get("state_digest").asText()).isEqualTo(digest);
            RawReq client = harness.client();
            assertThat(call(client, "users", Map.of()).data().get("users")).isEqualTo(List.of("ana"));

            Envelope after = call(client, "publish", Map.of("user", "ana", "channel", "geral", "message", "after"));
            assertThat(after.data()).containsEntry("status", "OK");
            assertThat((Long) after.data().get("index"))
                    .as("numbered past the old state")
                    .isGreaterThan(count);
            // A group of one applies a write in the turn that proposes it; a write proposed again was skipped as
            // applied before (its slot numbered at or below the old state) and retried into a later slot.
            assertThat(status(server).get("turns").get("proposed").asLong())
                    .as("proposed once")
                    .isEqualTo(1);
            assertThat(postsAfter(client, count - 2)) // the old posts have seq 1..count-2
                    .singleElement()
                    .satisfies(
                            p -> assertThat(p).containsEntry("message", "after").containsEntry("seq", count - 1L));

            harness.stopServers(); // the upgrade is done once: the log is no longer empty
            server = harness.startServer("s1");
            Envelope again = call(client, "publish", Map.of("user", "ana", "channel", "geral", "message", "again"));
            assertThat(again.data()).containsEntry("status", "OK");
            assertThat((Long) again.data().get("index"))
                    .isGreaterThan((Long) after.data().get("index"));
            assertThat(status(server).get("turns").get("proposed").asLong()).isEqualTo(1);
            assertThat(postsAfter(client, count - 1))
                    .singleElement()
                    .satisfies(
                            p -> assertThat(p).containsEntry("message", "again").containsEntry("seq", (long) count));
            assertThat(status(server).get("role").asText()).isEqualTo("leader");
        }
    }

    @Test
    void aMemberOfALargerGroupRefusesAStandaloneState() {
        writeStandaloneState(root.resolve("state"), 3);
        Map<String, String> members = new java.util.LinkedHashMap<>();
        members.put("s1", "tcp://127.0.0.1:1");
        members.put("s2", "tcp://127.0.0.1:2");
        try (RocksDbChatStore store = RocksDbChatStore.open(root.resolve("state"))) {
            assertThatThrownBy(() -> StandaloneUpgrade.apply(store, 3, ReplicationConfig.defaults("s1", members)))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("not this group's");
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> postsAfter(RawReq client, long afterSeq) {
        Envelope reply = call(client, "history", Map.of("channel", "geral", "after_seq", afterSeq, "limit", 10L));
        return (List<Map<String, Object>>) reply.data().get("messages");
    }

    private static JsonNode status(ChatServer server) throws Exception {
        try (HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            HttpRequest request = HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + server.adminPort() + "/status"))
                    .timeout(Duration.ofSeconds(10))
                    .GET()
                    .build();
            return new ObjectMapper()
                    .readTree(http.send(request, HttpResponse.BodyHandlers.ofString())
                            .body());
        }
    }
}
