package io.synod.server.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.core.ChatCommand;
import io.synod.core.ChatConfig;
import io.synod.core.ChatStateMachine;
import io.synod.core.Command;
import io.synod.messaging.InteractionLog;
import io.synod.messaging.ProcessClock;
import io.synod.messaging.peer.PeerRequests;
import io.synod.protocol.Envelope;
import io.synod.protocol.Limits;
import io.synod.protocol.Publication;
import io.synod.store.Checkpoints;
import io.synod.store.RocksDbChatStore;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three drivers on loopback, all polled from the test thread (each driver's single owner): writes submitted on any
 * server are applied everywhere, completed on the accepting server, published once by the leader; a restarted
 * server replays from its store's applied index. Waits are bounded by iteration counts, not timing assertions.
 */
class ReplicationDriverTest {
    @TempDir
    Path dir;

    private final Map<String, String> members = new LinkedHashMap<>();
    private final Node[] nodes = new Node[4];

    private final class Node {
        final String name;
        final RocksDbChatStore store;
        final ChatStateMachine machine;
        final ReplicationDriver<Object> driver;
        final List<Completion<Object>> completed = new ArrayList<>();
        /** The completions handed over before their turn's fsync (also in {@link #completed}, in order). */
        final List<Completion<Object>> answeredEarly = new ArrayList<>();

        final List<Publication> published = new ArrayList<>();
        /** What the driver told its listener: the indexes applied, and the checkpoint installs. */
        final List<Long> heardApplied = new ArrayList<>();

        int heardInstalls;

        Node(String name) {
            this(ReplicationConfig.defaults(name, members));
        }

        Node(ReplicationConfig config) {
            this.name = config.selfName();
            store = RocksDbChatStore.open(dir.resolve(name).resolve("state"));
            machine = new ChatStateMachine(store, ChatConfig.DEFAULT);
            driver = ReplicationDriver.open(
                    config,
                    store,
                    Checkpoints.open(dir.resolve(name).resolve("snapshots"), store),
                    machine,
                    new ProcessClock(0),
                    InteractionLog.inMemory(name),
                    published::addAll);
            driver.listen(new ReplicationDriver.AppliedListener() {
                @Override
                public void applied(long index, List<Publication> publications) {
                    heardApplied.add(index);
                }

                @Override
                public void stateReplaced() {
                    heardInstalls++;
                }
            });
        }

        void poll() {
            driver.awaitInput(1);
            // as the server does: the answers that rest on no vote of the turn are taken before its fsync
            completed.addAll(driver.flush(early -> {
                answeredEarly.addAll(early);
                completed.addAll(early);
            }));
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
    }

    /** Ports to try: below the kernel's ephemeral range (32768+), where no outgoing connection takes one. */
    private static final java.util.concurrent.atomic.AtomicInteger NEXT_PORT =
            new java.util.concurrent.atomic.AtomicInteger(
                    21_000 + (int) (ProcessHandle.current().pid() * 131 % 10_000));

    /** A port that was free a moment ago; an ephemeral one (port 0) was once taken by an outgoing connection. */
    private static int freePort() throws Exception {
        for (int attempt = 0; attempt < 1_000; attempt++) {
            int port = 21_000 + Math.floorMod(NEXT_PORT.getAndIncrement() - 21_000, 10_000);
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(true);
                socket.bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port), 1);
                return port;
            } catch (java.io.IOException e) {
                // taken: try the next one
            }
        }
        throw new IllegalStateException("no free port in 21000-30999");
    }

    /** Starts voters s1, s2 and s3 on free ports, each with its default configuration changed by {@code tuning}. */
    private void startThree(UnaryOperator<ReplicationConfig> tuning) throws Exception {
        for (int i = 1; i <= 3; i++) {
            members.put("s" + i, "tcp://127.0.0.1:" + freePort());
        }
        for (int i = 0; i < 3; i++) {
            nodes[i] = new Node(tuning.apply(ReplicationConfig.defaults("s" + (i + 1), members)));
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
        assertThat(condition.getAsBoolean())
                .as(() -> "condition reached within the poll budget; " + describe())
                .isTrue();
    }

    private String describe() {
        StringBuilder text = new StringBuilder();
        for (Node node : nodes) {
            if (node != null) {
                Map<String, Object> s = node.driver.statusFields();
                text.append(node.name)
                        .append(": role ")
                        .append(s.get("role"))
                        .append(", applied ")
                        .append(node.machine.appliedIndex())
                        .append(", decided slot ")
                        .append(s.get("decided_index"))
                        .append(", snapshot slot ")
                        .append(s.get("snapshot_index"))
                        .append(", ")
                        .append(s.get("snapshots"))
                        .append("; ");
            }
        }
        return text.toString();
    }

    private Node leader() {
        for (Node node : nodes) {
            if (node != null && "leader".equals(node.driver.statusFields().get("role"))) {
                return node;
            }
        }
        return null;
    }

    /** /status's replication field names, which docs/protocol.md, the CLI and the system tests read. */
    @SuppressWarnings("unchecked")
    private static void assertStatusFieldNames(Map<String, Object> status) {
        assertThat(status.keySet())
                .containsExactly(
                        "role",
                        "leader",
                        "ballot",
                        "decided_index",
                        "applied_index",
                        "applied_command_index",
                        "snapshot_index",
                        "snapshots",
                        "state_digest",
                        "members",
                        "membership_change_pending",
                        "pending_writes",
                        "published_index",
                        "writes_expired",
                        "invalid_received",
                        "failed_received",
                        "paxos_links",
                        "catch_up",
                        "turns",
                        "read_cache");
        assertThat(((Map<String, Object>) status.get("snapshots")).keySet())
                .containsExactly(
                        "checkpoint", "taken", "installed", "bytes_fetched", "chunks_served", "fetch_failures");
        assertThat(((Map<String, Object>) status.get("catch_up")).keySet())
                .containsExactlyInAnyOrder("requests", "decided_at_unresolved", "learned_from_votes");
        assertThat(((Map<String, Object>) status.get("turns")).keySet())
                .containsExactly(
                        "turns",
                        "turn_us_avg",
                        "persists",
                        "persist_us_avg",
                        "persists_with_apply",
                        "slots_answered_before_fsync",
                        "proposed",
                        "proposed_per_call_avg",
                        "forwarded",
                        "forwarded_per_message_avg",
                        "applied",
                        "applied_per_write_avg");
        for (Map<String, Object> member : (List<Map<String, Object>>) status.get("members")) {
            assertThat(member.keySet()).containsExactly("name", "node_id", "role", "address");
        }
    }

    private static Command write(String client, long requestId, ChatCommand operation) {
        return new Command(1, 1_700_000_000.0, requestId, client, requestId, operation);
    }

    /**
     * A group of one writes each turn's Paxos records in its apply's store write (one RocksDB write, synced, per
     * turn): every write is answered, and a server reopened on its data has every answered write and the same state.
     */
    @Test
    @SuppressWarnings("unchecked")
    void aGroupOfOneWritesItsRecordsWithTheApplyAndKeepsEveryAnsweredWrite() throws Exception {
        members.put("s1", "tcp://127.0.0.1:" + freePort());
        nodes[0] = new Node("s1");
        assertThat(nodes[0].driver.submit(write("alice", 1, new ChatCommand.Login("alice")), 1L))
                .isTrue();
        assertThat(nodes[0].driver.submit(write("alice", 2, new ChatCommand.CreateChannel("general")), 2L))
                .isTrue();
        pollUntil(() -> nodes[0].completed.size() == 2);
        int writes = 20;
        for (long i = 3; i <= writes; i++) {
            assertThat(nodes[0].driver.submit(
                            write("alice", i, new ChatCommand.Publish("alice", "general", "m" + i)), i))
                    .isTrue();
            nodes[0].poll();
        }
        pollUntil(() -> nodes[0].completed.size() == writes);
        assertThat(nodes[0].completed).extracting(c -> c.result().isOk()).containsOnly(true);
        nodes[0].poll(); // the status is refreshed between turns
        Map<String, Object> turns =
                (Map<String, Object>) nodes[0].driver.statusFields().get("turns");
        assertThat((long) turns.get("persists_with_apply"))
                .as("the turns that applied wrote their records with the apply")
                .isPositive()
                .isLessThanOrEqualTo((long) turns.get("persists"));
        long applied = nodes[0].machine.appliedIndex();
        String digest = nodes[0].machine.stateDigestHex();
        nodes[0].close();
        nodes[0] = new Node("s1");
        pollUntil(() -> leader() != null);
        assertThat(nodes[0].machine.appliedIndex()).isEqualTo(applied);
        assertThat(nodes[0].machine.stateDigestHex()).isEqualTo(digest);
        assertThat(nodes[0].driver.submit(
                        write("alice", writes + 1, new ChatCommand.Publish("alice", "general", "x")), 0L))
                .isTrue();
        pollUntil(() -> nodes[0].completed.size() == 1);
        assertThat(nodes[0].machine.appliedIndex()).isGreaterThan(applied);
    }

    @Test
    void writesOnAnyServerAreAppliedEverywhereAndSurviveARestart() throws Exception {
        startThree(UnaryOperator.identity());
        pollUntil(() -> leader() != null);
        Node follower = nodes[leader() == nodes[0] ? 1 : 0];
        assertThat(follower.driver.submit(write("alice", 1, new ChatCommand.Login("alice")), "login"))
                .isTrue();
        assertThat(follower.driver.submit(write("alice", 2, new ChatCommand.CreateChannel("general")), "chan"))
                .isTrue();
        assertThat(follower.driver.submit(write("alice", 3, new ChatCommand.Publish("alice", "general", "hi")), "pub"))
                .isTrue();
        pollUntil(() -> follower.completed.size() == 3);
        assertThat(follower.completed).extracting(c -> c.waiting()).containsExactly("login", "chan", "pub");
        assertThat(follower.completed).allMatch(c -> c.result().isOk());
        assertThat(follower.completed).extracting(c -> c.index()).isSorted().allMatch(index -> index > 0);
        // A read barrier on the other follower completes only once everything acknowledged before it is applied.
        Node third = java.util.Arrays.stream(nodes)
                .filter(n -> n != follower && n != leader())
                .findFirst()
                .orElseThrow();
        long lastWrite = follower.completed.get(2).index();
        assertThat(third.driver.submitBarrier("barrier")).isTrue();
        pollUntil(() -> third.completed.stream().anyMatch(c -> "barrier".equals(c.waiting())));
        assertThat(third.machine.appliedIndex()).isGreaterThanOrEqualTo(lastWrite);
        assertThat(third.machine.channels()).containsExactly("general");
        pollUntil(() -> nodes[0].machine.appliedIndex() == nodes[1].machine.appliedIndex()
                && nodes[0].machine.appliedIndex() > 0
                && nodes[1].machine.appliedIndex() == nodes[2].machine.appliedIndex());
        for (int i = 0; i < 3; i++) {
            assertThat(nodes[i].machine.stateDigestHex()).isEqualTo(nodes[0].machine.stateDigestHex());
            assertThat(nodes[i].machine.channels()).containsExactly("general");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> cache =
                (Map<String, Object>) follower.driver.statusFields().get("read_cache");
        assertThat(cache.keySet()).containsExactly("hits", "misses", "entries", "bytes");
        assertStatusFieldNames(follower.driver.statusFields());
        assertThat((long) cache.get("hits"))
                .as("the state machine read keys it had read before")
                .isPositive();
        assertThat((int) cache.get("entries")).isPositive();
        // Only a leader publishes; a leader change may republish (duplicates are dropped by clients by seq).
        List<Publication> published = new ArrayList<>();
        for (Node node : nodes) {
            if (node != null) {
                published.addAll(node.published);
            }
        }
        assertThat(published).isNotEmpty().allSatisfy(p -> assertThat(p).isEqualTo(published.get(0)));
        Node leader = leader();

        // restart a follower on its data: it replays from its store's applied index and keeps up
        int restarted = leader == nodes[2] || leader == null ? 1 : 2;
        String digestBefore = nodes[restarted].machine.stateDigestHex();
        nodes[restarted].close();
        nodes[restarted] = null;
        Node other = nodes[restarted == 1 ? 2 : 1];
        assertThat(other.driver.submit(write("bob", 1, new ChatCommand.Login("bob")), "bob"))
                .isTrue();
        pollUntil(() -> other.completed.stream().anyMatch(c -> "bob".equals(c.waiting())));
        nodes[restarted] = new Node("s" + (restarted + 1));
        assertThat(nodes[restarted].machine.stateDigestHex()).isEqualTo(digestBefore);
        pollUntil(() -> nodes[restarted].machine.appliedIndex() == other.machine.appliedIndex());
        assertThat(nodes[restarted].machine.stateDigestHex()).isEqualTo(other.machine.stateDigestHex());
        assertThat(nodes[restarted].machine.users()).containsExactly("alice", "bob");
    }

    @Test
    void writesDecidedWhileNewOnesAreProposedAreAnsweredBeforeTheTurnsFsync() throws Exception {
        startThree(UnaryOperator.identity());
        pollUntil(() -> leader() != null);
        Node leader = leader();
        leader.driver.submit(write("dora", 1, new ChatCommand.Login("dora")), 1L);
        pollUntil(() -> leader.completed.size() == 1);
        // One write per round of polls: the leader's turns take the votes for the previous write (decided) with the
        // next write (a vote of its own to sync).
        int writes = 40;
        for (long requestId = 2; requestId < 2 + writes; requestId++) {
            assertThat(leader.driver.submit(write("dora", requestId, new ChatCommand.Login("dora")), requestId))
                    .isTrue();
            for (int i = 0; i < 3; i++) {
                nodes[i].poll();
            }
        }
        pollUntil(() -> leader.completed.size() == 1 + writes);
        assertThat(leader.completed)
                .extracting(Completion::waiting)
                .as("every write answered once, in apply order")
                .containsExactlyElementsOf(
                        java.util.stream.LongStream.range(1, 2 + writes).boxed().toList());
        assertThat(leader.answeredEarly)
                .as("some answers left before their turn's fsync")
                .isNotEmpty();
        @SuppressWarnings("unchecked")
        Map<String, Object> turns =
                (Map<String, Object>) leader.driver.statusFields().get("turns");
        assertThat((long) turns.get("slots_answered_before_fsync")).isPositive();
        pollUntil(() -> nodes[0].machine.appliedIndex() == nodes[1].machine.appliedIndex()
                && nodes[1].machine.appliedIndex() == nodes[2].machine.appliedIndex());
        assertThat(nodes[1].machine.stateDigestHex()).isEqualTo(nodes[0].machine.stateDigestHex());
        assertThat(nodes[2].machine.stateDigestHex()).isEqualTo(nodes[0].machine.stateDigestHex());
    }

    /** Asks like {@code synod admin remove-server}, on a thread of its own while this one polls the nodes. */
    private Map<String, Object> askToRemove(String endpoint, String name) {
        java.util.concurrent.CompletableFuture<Envelope> answer =
                java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    try {
                        return PeerRequests.request(
                                endpoint,
                                "admin",
                                new Envelope("remove", Map.of("name", name)),
                                10_000,
                                Limits.DEFAULT);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
        pollUntil(answer::isDone);
        return answer.join().data();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> membersOf(Node node) {
        return (List<Map<String, Object>>) node.driver.statusFields().get("members");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> snapshotsOf(Node node) {
        return (Map<String, Object>) node.driver.statusFields().get("snapshots");
    }

    /** Submits {@code count} logins on the leader one at a time (each in its own slot), retrying across elections. */
    private void writeOneByOne(String user, int count) {
        for (int i = 1; i <= count; i++) {
            long requestId = i;
            pollUntil(() -> leader() != null);
            Node leader = leader();
            int before = leader.completed.size();
            assertThat(leader.driver.submit(write(user, requestId, new ChatCommand.Login(user)), requestId))
                    .isTrue();
            pollUntil(() -> leader.completed.size() > before || leader() != leader);
        }
    }

    @Test
    void everyServerTellsItsListenerOfEveryApplyLeaderOrNot() throws Exception {
        startThree(c -> c);
        writeOneByOne("dora", 3);
        pollUntil(
                () -> java.util.Arrays.stream(nodes, 0, 3).allMatch(n -> n.machine.appliedIndex() == leaderApplied()));
        List<Long> leaderHeard = leader().heardApplied;
        assertThat(leaderHeard).hasSize(3).isSorted();
        for (int i = 0; i < 3; i++) {
            assertThat(nodes[i].heardApplied).as(nodes[i].name).isEqualTo(leaderHeard);
            assertThat(nodes[i].heardInstalls).isZero();
        }
    }

    @Test
    void aServerBehindThePeersSnapshotsFetchesAndInstallsACheckpointAndSoDoesAJoiner() throws Exception {
        // a snapshot every 4 slots, fetched in 4 KiB chunks: many chunks per file
        UnaryOperator<ReplicationConfig> small = c -> c.withSnapshots(4, 4_096);
        startThree(small);
        pollUntil(() -> leader() != null);
        writeOneByOne("dora", 3);
        int behind = leader() == nodes[2] ? 1 : 2;
        nodes[behind].close();
        nodes[behind] = null;
        writeOneByOne("erin", 40);
        Node up = nodes[behind == 1 ? 2 : 1];
        // a snapshot is taken a turn or more after it is asked for, once the memtables are flushed
        pollUntil(() -> up.machine.appliedIndex() == leaderApplied()
                && (long) snapshotsOf(up).get("taken") >= 2);
        assertThat((long) up.driver.statusFields().get("snapshot_index")).isGreaterThan(10);
        assertThat(java.nio.file.Files.list(dir.resolve(up.name).resolve("snapshots"))
                        .count())
                .as("old checkpoints are deleted")
                .isLessThanOrEqualTo(2);

        // The peers queue messages for a stopped server for up to 2 s (peerQueueMessageAgeMaxMillis): let those
        // expire, or the restarted server learns every decision from them and never needs the snapshot.
        long queuesExpired = System.nanoTime()
                + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(
                        ReplicationConfig.defaults("s1", members).peerLinks().peerQueueMessageAgeMaxMillis() + 500);
        pollUntil(() -> System.nanoTime() - queuesExpired >= 0);
        nodes[behind] = new Node(small.apply(ReplicationConfig.defaults("s" + (behind + 1), members)));
        Node restarted = nodes[behind];
        pollUntil(() -> restarted.machine.appliedIndex() == leaderApplied()
                && up.machine.appliedIndex() == leaderApplied()
                && (long) snapshotsOf(restarted).get("installed") >= 1);
        assertThat(restarted.machine.stateDigestHex()).isEqualTo(up.machine.stateDigestHex());
        assertThat(restarted.machine.users()).containsExactly("dora", "erin");
        assertThat(restarted.heardInstalls)
                .as("the listener hears of the install")
                .isGreaterThanOrEqualTo(1);
        assertThat((long) snapshotsOf(restarted).get("bytes_fetched")).isPositive();

        nodes[3] =
                new Node(small.apply(ReplicationConfig.defaults("s4", "tcp://127.0.0.1:" + freePort(), true, members)));
        pollUntil(() -> membersOf(nodes[3]).stream()
                .anyMatch(m -> "s4".equals(m.get("name")) && "voter".equals(m.get("role"))));
        writeOneByOne("fay", 2);
        pollUntil(() ->
                nodes[3].machine.appliedIndex() == leaderApplied() && up.machine.appliedIndex() == leaderApplied());
        assertThat((long) snapshotsOf(nodes[3]).get("installed")).isGreaterThanOrEqualTo(1);
        assertThat(nodes[3].machine.stateDigestHex()).isEqualTo(up.machine.stateDigestHex());
        assertThat(nodes[3].machine.users()).containsExactly("dora", "erin", "fay");

        // restarted on its data after the install, the joiner holds the same state
        String digest = nodes[3].machine.stateDigestHex();
        nodes[3].close();
        nodes[3] = new Node(small.apply(ReplicationConfig.defaults(
                "s4", members.get("s4") == null ? endpointOf(nodes[0], "s4") : members.get("s4"), true, members)));
        assertThat(nodes[3].machine.stateDigestHex()).isEqualTo(digest);
    }

    /** The leader's applied index, or -1 while there is none. */
    private long leaderApplied() {
        Node leader = leader();
        return leader == null ? -1 : leader.machine.appliedIndex();
    }

    @SuppressWarnings("unchecked")
    private static String endpointOf(Node node, String name) {
        return membersOf(node).stream()
                .filter(m -> name.equals(m.get("name")))
                .map(m -> (String) m.get("address"))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void aServerJoinsAsLearnerBecomesVoterAndIsRemoved() throws Exception {
        startThree(UnaryOperator.identity());
        pollUntil(() -> leader() != null);
        for (int i = 1; i <= 20; i++) {
            assertThat(leader().driver.submit(write("carol", i, new ChatCommand.Login("carol")), i))
                    .isTrue();
        }
        pollUntil(() -> leader().completed.size() == 20);
        nodes[3] = new Node(ReplicationConfig.defaults("s4", "tcp://127.0.0.1:" + freePort(), true, members));
        assertThat(nodes[3].driver.statusFields().get("role")).isEqualTo("follower"); // not a member yet
        pollUntil(() -> membersOf(nodes[3]).stream()
                .anyMatch(m -> "s4".equals(m.get("name")) && "voter".equals(m.get("role"))));
        pollUntil(() -> nodes[3].machine.appliedIndex() == nodes[0].machine.appliedIndex());
        assertThat(nodes[3].machine.stateDigestHex()).isEqualTo(nodes[0].machine.stateDigestHex());
        assertThat(nodes[3].machine.users()).containsExactly("carol");

        Map<String, Object> answer = Map.of();
        for (int attempt = 0; attempt < 50 && !"OK".equals(answer.get("status")); attempt++) {
            pollUntil(() -> leader() != null
                    && Boolean.FALSE.equals(leader().driver.statusFields().get("membership_change_pending")));
            answer = askToRemove(members.get(leader().name), "s4");
        }
        assertThat(answer).containsEntry("status", "OK");
        pollUntil(() -> leader() != null && membersOf(leader()).stream().noneMatch(m -> "s4".equals(m.get("name"))));
        assertThat(membersOf(leader())).extracting(m -> m.get("name")).containsExactly("s1", "s2", "s3");
    }

    @Test
    void deliveriesKeptInTheOutboxAcrossARestartAreRepublishedOnceThisServerLeads() throws Exception {
        members.put("s1", "tcp://127.0.0.1:" + freePort());
        nodes[0] = new Node("s1");
        pollUntil(() -> leader() != null);
        nodes[0].driver.submit(write("gus", 1, new ChatCommand.Login("gus")), "login");
        nodes[0].driver.submit(write("gus", 2, new ChatCommand.CreateChannel("news")), "channel");
        nodes[0].driver.submit(write("gus", 3, new ChatCommand.Publish("gus", "news", "kept")), "post");
        pollUntil(() -> nodes[0].completed.size() == 3);
        assertThat(nodes[0].published).hasSize(1);
        Publication post = nodes[0].published.get(0);
        long index = nodes[0].completed.get(2).index();
        assertThat(nodes[0].store.readOutbox())
                .as("a leader publishes at once: nothing kept")
                .isEmpty();
        // as if it had applied the post while following and the leader died before publishing it
        nodes[0].store.putOutbox(
                List.of(new RocksDbChatStore.OutboxEntry(index, Deliveries.encodeOutbox(List.of(post)))));
        nodes[0].close();

        nodes[0] = new Node("s1");
        pollUntil(() -> !nodes[0].published.isEmpty());
        assertThat(nodes[0].published).containsExactly(post);
        assertThat(nodes[0].store.readOutbox())
                .as("republished: no longer kept")
                .isEmpty();
    }

    @Test
    void aFollowerKeepsInItsOutboxEveryDeliveryTheLeaderHasNotNoted() throws Exception {
        startThree(ReplicationDriverTest::withoutPublishedNotes);
        pollUntil(() -> leader() != null);
        Node leader = leader();
        postThrough(leader, "ivy", "lab", 5);
        List<Long> publishing = leader.completed.stream()
                .filter(completion -> !completion.result().publications().isEmpty())
                .map(Completion::index)
                .toList();
        assertThat(publishing).hasSizeGreaterThanOrEqualTo(5);
        for (Node node : nodes) {
            if (node != null && node != leader) {
                pollUntil(() -> node.machine.appliedIndex() == leader.machine.appliedIndex());
                // written in the same store write as the applies: there as soon as they are
                assertThat(node.store.readOutbox())
                        .as(node.name + "'s outbox")
                        .extracting(RocksDbChatStore.OutboxEntry::index)
                        .containsExactlyElementsOf(publishing);
            }
        }
    }

    /**
     * Through {@code leader}: {@code user} logs in, creates {@code channel} and publishes {@code posts} messages to
     * it; returns once all of them are completed.
     */
    private void postThrough(Node leader, String user, String channel, int posts) {
        leader.driver.submit(write(user, 1, new ChatCommand.Login(user)), 1);
        leader.driver.submit(write(user, 2, new ChatCommand.CreateChannel(channel)), 2);
        for (int i = 3; i < 3 + posts; i++) {
            leader.driver.submit(write(user, i, new ChatCommand.Publish(user, channel, "m" + i)), i);
        }
        pollUntil(() -> leader.completed.size() == 2 + posts);
    }

    /** {@code config} with published notes an hour apart: followers keep every delivery after the first note. */
    private static ReplicationConfig withoutPublishedNotes(ReplicationConfig config) {
        return new ReplicationConfig(
                config.selfName(),
                config.selfEndpoint(),
                config.joining(),
                config.members(),
                config.tickIntervalMillis(),
                config.pendingRequestsMax(),
                config.retryIntervalMillis(),
                config.pendingTimeoutMillis(),
                config.publicationRingMax(),
                TimeUnit.HOURS.toMillis(1),
                config.membershipIntervalMillis(),
                config.commandSlotStride(),
                config.peerLinks(),
                config.frameBytesMax(),
                config.snapshotIntervalSlots(),
                config.snapshotChunkBytes(),
                config.adminGate());
    }

    @Test
    void aFollowersOutboxIsTrimmedByTheLeadersPublishedNotes() throws Exception {
        startThree(UnaryOperator.identity());
        pollUntil(() -> leader() != null);
        Node leader = leader();
        postThrough(leader, "hal", "ops", 10);
        for (Node node : nodes) {
            if (node != null && node != leader) {
                pollUntil(() -> node.machine.appliedIndex() == leader.machine.appliedIndex()
                        && node.store.readOutbox().isEmpty());
            }
        }
    }
}
