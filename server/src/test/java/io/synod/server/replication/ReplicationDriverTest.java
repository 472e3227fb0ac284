package io.synod.server.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.core.ChatCommand;
import io.synod.core.ChatConfig;
import io.synod.core.ChatStateMachine;
import io.synod.core.Command;
import io.synod.messaging.InteractionLog;
import io.synod.messaging.ProcessClock;
import io.synod.protocol.Publication;
import io.synod.store.RocksDbChatStore;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zeromq.ZContext;

/**
 * Three drivers on loopback, all polled from the test thread (each driver's single owner): writes submitted on any
 * server are applied everywhere, completed on the accepting server, published once by the leader; a restarted
 * server replays from its store's applied index. Waits are bounded by iteration counts, not timing assertions.
 */
class ReplicationDriverTest {
    @TempDir
    Path dir;

    private final ZContext context = new ZContext();
    private final Map<String, String> members = new LinkedHashMap<>();
    private final Node[] nodes = new Node[3];

    private final class Node {
        final String name;
        final RocksDbChatStore store;
        final ChatStateMachine machine;
        final ReplicationDriver driver;
        final List<ReplicationDriver.Completion> completed = new ArrayList<>();
        final List<Publication> published = new ArrayList<>();

        Node(String name) {
            this.name = name;
            store = RocksDbChatStore.open(dir.resolve(name).resolve("state"));
            machine = new ChatStateMachine(store, ChatConfig.DEFAULT);
            driver = ReplicationDriver.open(ReplicationConfig.defaults(name, members), dir.resolve(name).resolve("paxos"),
                    context, machine, new ProcessClock(0), InteractionLog.inMemory(name), published::addAll);
        }

        void poll() {
            completed.addAll(driver.poll(1));
        }

        void close() {
            driver.close();
            store.close();
        }
    }

    @AfterEach
    void closeAll() {
        for (Node node : nodes) {
            if (node != null) {
                node.close();
            }
        }
        context.close();
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private void pollUntil(BooleanSupplier condition) {
        for (int round = 0; round < 5_000 && !condition.getAsBoolean(); round++) {
            for (Node node : nodes) {
                if (node != null) {
                    node.poll();
                }
            }
        }
        assertThat(condition.getAsBoolean()).as("condition reached within the poll budget").isTrue();
    }

    private Node leader() {
        for (Node node : nodes) {
            if (node != null && "leader".equals(node.driver.statusFields().get("role"))) {
                return node;
            }
        }
        return null;
    }

    private static Command write(String client, long requestId, ChatCommand operation) {
        return new Command(1, 1_700_000_000.0, requestId, client, requestId, operation);
    }

    @Test
    void writesOnAnyServerAreAppliedEverywhereAndSurviveARestart() throws Exception {
        for (int i = 1; i <= 3; i++) {
            members.put("s" + i, "tcp://127.0.0.1:" + freePort());
        }
        for (int i = 0; i < 3; i++) {
            nodes[i] = new Node("s" + (i + 1));
        }
        pollUntil(() -> leader() != null);
        Node follower = nodes[leader() == nodes[0] ? 1 : 0];
        assertThat(follower.driver.submit(write("alice", 1, new ChatCommand.Login("alice")), "login")).isTrue();
        assertThat(follower.driver.submit(write("alice", 2, new ChatCommand.CreateChannel("general")), "chan"))
                .isTrue();
        assertThat(follower.driver.submit(write("alice", 3, new ChatCommand.Publish("alice", "general", "hi")), "pub"))
                .isTrue();
        pollUntil(() -> follower.completed.size() == 3);
        assertThat(follower.completed).extracting(c -> c.token()).containsExactly("login", "chan", "pub");
        assertThat(follower.completed).allMatch(c -> c.result().isOk());
        pollUntil(() -> nodes[0].machine.appliedIndex() == nodes[1].machine.appliedIndex()
                && nodes[1].machine.appliedIndex() == nodes[2].machine.appliedIndex());
        for (Node node : nodes) {
            assertThat(node.machine.stateDigestHex()).isEqualTo(nodes[0].machine.stateDigestHex());
            assertThat(node.machine.channels()).containsExactly("general");
        }
        Node leader = leader();
        assertThat(leader.published).hasSize(1);
        for (Node node : nodes) {
            if (node != leader) {
                assertThat(node.published).isEmpty();
            }
        }

        // restart a follower on its data: it replays from its store's applied index and keeps up
        int restarted = leader == nodes[2] ? 1 : 2;
        String digestBefore = nodes[restarted].machine.stateDigestHex();
        nodes[restarted].close();
        nodes[restarted] = null;
        Node other = nodes[restarted == 1 ? 2 : 1];
        assertThat(other.driver.submit(write("bob", 1, new ChatCommand.Login("bob")), "bob")).isTrue();
        pollUntil(() -> other.completed.stream().anyMatch(c -> "bob".equals(c.token())));
        nodes[restarted] = new Node("s" + (restarted + 1));
        assertThat(nodes[restarted].machine.stateDigestHex()).isEqualTo(digestBefore);
        pollUntil(() -> nodes[restarted].machine.appliedIndex() == other.machine.appliedIndex());
        assertThat(nodes[restarted].machine.stateDigestHex()).isEqualTo(other.machine.stateDigestHex());
        assertThat(nodes[restarted].machine.users()).containsExactly("alice", "bob");
    }
}
