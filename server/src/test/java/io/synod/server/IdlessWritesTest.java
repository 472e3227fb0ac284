package io.synod.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.core.ChatConfig;
import io.synod.core.ChatStateMachine;
import io.synod.core.Command;
import io.synod.core.HistoryResult;
import io.synod.core.InMemoryChatStore;
import io.synod.core.Result;
import io.synod.protocol.Envelope;
import io.synod.protocol.Publication;
import io.synod.store.RocksDbChatStore;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writes from plain statement clients, which send no {@code client_id}/{@code request_id}: a retry of the same bytes
 * from a new connection after a lost reply is applied once and answered with the original status (the replicated log
 * simulated by applying the deferred commands in order); the ids a server gives such writes are never reused, across
 * LRU evictions, a broker restart's reused routing ids and a restart.
 */
class IdlessWritesTest {
    private static final double SENT_AT = 1_765_000_000.125;

    private static ChatService service(ChatStateMachine machine, int serverIdPeersMax) {
        return service(machine, serverIdPeersMax, 42);
    }

    /** A service of server s1 in a run of {@code epoch}. */
    private static ChatService service(ChatStateMachine machine, int serverIdPeersMax, long epoch) {
        return TestChatServices.of(machine, serverIdPeersMax, epoch);
    }

    /** A statement request (part 4: clock and timestamp, no ids) as a course client encodes it. */
    private static byte[] request(String service, long clock, Object... fields) {
        Map<String, Object> data = new LinkedHashMap<>();
        for (int i = 0; i < fields.length; i += 2) {
            data.put((String) fields[i], fields[i + 1]);
        }
        data.put("timestamp", SENT_AT + clock);
        data.put("clock", clock);
        return new Envelope(service, data).encode();
    }

    private static List<String> posts(ChatStateMachine machine, String channel) {
        return ((HistoryResult.Page) machine.channelHistory(channel, 0, 500))
                .messages().stream()
                        .map(p -> ((Publication.ChannelPost) p).message())
                        .toList();
    }

    /** What replication does with a deferred write: decide it at the next index, apply it, build the reply. */
    private static ChatService.Handled decide(ChatService service, ChatStateMachine machine, ChatService.Handled h) {
        assertThat(h.deferred()).as("a write waits for the log").isNotNull();
        Command command = h.deferred().command().withIndex(machine.appliedIndex() + 1);
        Result result = machine.apply(command);
        return service.complete(h.deferred(), result, command.index());
    }

    @Test
    void aRetriedSendAfterItsApplyIsAnsweredItsOriginalStatusAndAppliedOnce() {
        ChatStateMachine machine = new ChatStateMachine(new InMemoryChatStore(), ChatConfig.DEFAULT);
        ChatService service = service(machine, ChatService.SERVER_ID_PEERS_MAX);
        decide(service, machine, service.handle(request("login", 1, "user", "ana"), "c1"));
        decide(service, machine, service.handle(request("channel", 3, "channel", "geral"), "c1"));
        byte[] post = request("publish", 5, "user", "ana", "channel", "geral", "message", "oi");
        decide(service, machine, service.handle(post, "c1")); // its reply is lost
        long index = machine.appliedIndex();
        ChatService.Handled retry = service.handle(post, "c2"); // Lazy Pirate: same bytes, new REQ socket
        assertThat(retry.deferred())
                .as("answered from the state, not ordered again")
                .isNull();
        assertThat(retry.reply().data()).containsEntry("status", "OK").containsEntry("index", index);
        assertThat(machine.appliedIndex()).as("the retry applied nothing").isEqualTo(index);
        assertThat(posts(machine, "geral")).containsExactly("oi");

        // a failure is answered as it was, even once the channel exists
        byte[] early = request("publish", 7, "user", "ana", "channel", "later", "message", "x");
        String error = (String) decide(service, machine, service.handle(early, "c2"))
                .reply()
                .data()
                .get("description");
        decide(service, machine, service.handle(request("channel", 9, "channel", "later"), "c2"));
        assertThat(service.handle(early, "c3").reply().data())
                .containsEntry("status", "erro")
                .containsEntry("description", error);
        assertThat(posts(machine, "later")).isEmpty();

        // the next send (the client's clock moved on) is a new write, the same text or not
        decide(
                service,
                machine,
                service.handle(request("publish", 11, "user", "ana", "channel", "geral", "message", "oi"), "c3"));
        assertThat(posts(machine, "geral")).containsExactly("oi", "oi");
    }

    @Test
    void aReplicatedRetryThroughAnotherConnectionIsAppliedOnceWhicheverIsDecidedFirst() {
        ChatStateMachine machine = new ChatStateMachine(new InMemoryChatStore(), ChatConfig.DEFAULT);
        ChatService service = service(machine, ChatService.SERVER_ID_PEERS_MAX);
        decide(service, machine, service.handle(request("login", 1, "user", "ana"), "c1"));
        decide(service, machine, service.handle(request("channel", 3, "channel", "geral"), "c1"));

        // the retry arrives while the original is still in flight: both are ordered, the second one decided replays
        byte[] post = request("publish", 5, "user", "ana", "channel", "geral", "message", "oi");
        ChatService.Handled original = service.handle(post, "c1");
        ChatService.Handled retry = service.handle(post, "c2");
        assertThat(retry.deferred().command().clientId())
                .isNotEqualTo(original.deferred().command().clientId());
        assertThat(retry.deferred().command().fingerprint())
                .isEqualTo(original.deferred().command().fingerprint())
                .isNotNull();
        ChatService.Handled retryReply = decide(service, machine, retry); // decided first: it is the one applied
        ChatService.Handled originalReply = decide(service, machine, original);
        assertThat(retryReply.reply().data()).containsEntry("status", "OK");
        assertThat(originalReply.reply().data()).containsEntry("status", "OK");
        assertThat(posts(machine, "geral")).containsExactly("oi");

        // a retry after the original was applied here is answered at once, from the state
        ChatService.Handled late = service.handle(post, "c3");
        assertThat(late.deferred()).isNull();
        assertThat(late.reply().data()).containsEntry("status", "OK");
        assertThat(posts(machine, "geral")).containsExactly("oi");
    }

    @Test
    void anEvictedConnectionNeverGetsAnOldReplyForANewWrite() {
        ChatStateMachine machine = new ChatStateMachine(new InMemoryChatStore(), ChatConfig.DEFAULT);
        ChatService service = service(machine, 2); // remembers two broker connections
        decide(service, machine, service.handle(request("login", 1, "user", "ana"), "a"));
        decide(service, machine, service.handle(request("channel", 2, "channel", "geral"), "a"));
        Set<String> given = new HashSet<>();
        long clock = 10;
        for (int round = 0; round < 5; round++) {
            for (String peer : List.of("a", "b", "c")) { // three connections in turn: each evicts the eldest
                byte[] post = request("publish", ++clock, "user", "ana", "channel", "geral", "message", "m" + clock);
                ChatService.Handled h = service.handle(post, peer);
                Command command = h.deferred().command();
                assertThat(given.add(command.clientId() + "#" + command.requestId()))
                        .as("ids given once: %s #%d", command.clientId(), command.requestId())
                        .isTrue();
                assertThat(decide(service, machine, h).reply().data()).containsEntry("status", "OK");
            }
        }
        assertThat(posts(machine, "geral")).hasSize(15).doesNotHaveDuplicates();
    }

    @Test
    void aRestartedBrokerReusingRoutingIdsNeverGetsAnOldReplyForANewWrite() {
        ChatStateMachine machine = new ChatStateMachine(new InMemoryChatStore(), ChatConfig.DEFAULT);
        ChatService service = service(machine, 2);
        String first = "0080000001"; // a broker's first made-up routing id: a zero byte and a counter
        decide(service, machine, service.handle(request("login", 1, "user", "ana"), first));
        decide(service, machine, service.handle(request("channel", 2, "channel", "geral"), first));
        byte[] before = request("publish", 3, "user", "ana", "channel", "geral", "message", "before");
        decide(service, machine, service.handle(before, first));

        // the broker restarts: another client gets the same routing id and starts its clock again
        ChatService.Handled reused =
                service.handle(request("publish", 1, "user", "ana", "channel", "geral", "message", "after"), first);
        assertThat(reused.deferred().command().requestId())
                .as("the connection's count goes on")
                .isEqualTo(4);
        assertThat(decide(service, machine, reused).reply().data()).containsEntry("status", "OK");

        // two more connections make the server forget the first; the broker restarts again and reuses its id
        for (String other : List.of("0080000002", "0080000003")) {
            decide(
                    service,
                    machine,
                    service.handle(request("publish", 5, "user", "ana", "channel", "geral", "message", other), other));
        }
        ChatService.Handled forgotten =
                service.handle(request("publish", 1, "user", "ana", "channel", "geral", "message", "again"), first);
        assertThat(forgotten.deferred().command().clientId())
                .as("a new connection number, never an old one")
                .isNotEqualTo(reused.deferred().command().clientId());
        assertThat(forgotten.deferred().command().requestId()).isEqualTo(1);
        assertThat(decide(service, machine, forgotten).reply().data()).containsEntry("status", "OK");
        assertThat(posts(machine, "geral")).containsExactly("before", "after", "0080000002", "0080000003", "again");
    }

    @Test
    void aRestartedServerGivesNewIdsAndStillRecognisesARetryOfAWriteBeforeTheRestart(@TempDir Path dir) {
        byte[] post = request("publish", 5, "user", "ana", "channel", "geral", "message", "oi");
        String firstRunClient;
        try (RocksDbChatStore store = RocksDbChatStore.open(dir)) {
            ChatStateMachine machine = new ChatStateMachine(store, ChatConfig.DEFAULT);
            ChatService service = service(machine, ChatService.SERVER_ID_PEERS_MAX, ChatService.newEpoch());
            decide(service, machine, service.handle(request("login", 1, "user", "ana"), "c1"));
            decide(service, machine, service.handle(request("channel", 3, "channel", "geral"), "c1"));
            ChatService.Handled first = service.handle(post, "c1");
            firstRunClient = first.deferred().command().clientId();
            decide(service, machine, first); // applied; the reply is lost with the server
            machine.sync();
        }
        try (RocksDbChatStore store = RocksDbChatStore.open(dir)) {
            ChatStateMachine machine = new ChatStateMachine(store, ChatConfig.DEFAULT);
            // a new run: a new epoch, whatever the wall clock says
            ChatService service = service(machine, ChatService.SERVER_ID_PEERS_MAX, ChatService.newEpoch());
            ChatService.Handled next =
                    service.handle(request("publish", 7, "user", "ana", "channel", "geral", "message", "next"), "c1");
            assertThat(next.deferred().command().clientId()).startsWith("~s1/").isNotEqualTo(firstRunClient);
            assertThat(next.deferred().command().requestId()).isEqualTo(1);
            assertThat(decide(service, machine, next).reply().data()).containsEntry("status", "OK");

            ChatService.Handled retry = service.handle(post, "c9"); // the client's retry of the write before
            assertThat(retry.deferred()).isNull();
            assertThat(retry.reply().data()).containsEntry("status", "OK");
            assertThat(posts(machine, "geral")).containsExactly("oi", "next");
        }
    }
}
