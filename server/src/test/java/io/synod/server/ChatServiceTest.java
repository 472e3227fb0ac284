package io.synod.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.core.ChatConfig;
import io.synod.core.ChatStateMachine;
import io.synod.core.Command;
import io.synod.core.InMemoryChatStore;
import io.synod.core.Result;
import io.synod.messaging.InteractionLog;
import io.synod.protocol.Envelope;
import io.synod.protocol.Limits;
import io.synod.protocol.Publication;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The request handler without sockets: Lamport order, stamping, echoed ids, bad input. Its writes wait for the log
 * ({@link ChatService.Deferred}); here the log is simulated by applying them in order ({@link #decide}).
 */
class ChatServiceTest {
    private final ChatStateMachine machine = new ChatStateMachine(new InMemoryChatStore(), ChatConfig.DEFAULT);
    private final InteractionLog log = InteractionLog.inMemory("s1");
    private final ChatService service = TestChatServices.of(machine, log);

    private ChatService.Handled handle(String service, Map<String, Object> data) {
        return this.service.handle(new Envelope(service, data).encode(), "peer");
    }

    /** What replication does with a deferred write: decide it at the next index, apply it, build the reply. */
    private record Decided(ChatService.Handled handled, Result result) {}

    private Decided decide(ChatService.Handled handled) {
        assertThat(handled.reply()).as("a write is answered once applied").isNull();
        Command command = handled.deferred().command().withIndex(machine.appliedIndex() + 1);
        Result result = machine.apply(command);
        return new Decided(service.complete(handled.deferred(), result, command.index()), result);
    }

    private Decided write(String service, Map<String, Object> data) {
        return decide(handle(service, data));
    }

    @Test
    void clocksFollowLamportThroughReceiveApplyAndReply() {
        write("login", Map.of("user", "ana"));
        write("channel", Map.of("channel", "geral"));
        Decided decided = write(
                "publish",
                Map.of(
                        "user",
                        "ana",
                        "channel",
                        "geral",
                        "message",
                        "oi",
                        "clock",
                        500L,
                        "client_id",
                        "c",
                        "request_id",
                        3L));
        ChatService.Handled handled = decided.handled();
        Publication.ChannelPost post =
                (Publication.ChannelPost) decided.result().publications().get(0);
        long replyClock = (Long) handled.reply().data().get("clock");
        assertThat(post.clock()).isGreaterThan(500L);
        assertThat(replyClock).isGreaterThan(post.clock());
        assertThat(handled.reply().data())
                .containsEntry("status", "OK")
                .containsEntry("client_id", "c")
                .containsEntry("request_id", 3L)
                .containsKey("timestamp");
        assertThat(post.index()).isEqualTo(3);
        assertThat(Envelope.decode(handled.replyFrame(), Limits.DEFAULT)).isEqualTo(handled.reply());
    }

    @Test
    void badInputIsAnsweredAndNothingIsApplied() {
        ChatService.Handled garbage = service.handle(new byte[] {1, 2, 3}, "peer");
        assertThat(garbage.reply().service()).isEqualTo("erro");
        assertThat(garbage.reply().data()).containsEntry("status", "erro").containsKeys("clock", "timestamp");
        ChatService.Handled badField = handle("channel", Map.of("channel", 7L));
        assertThat(badField.reply().service()).isEqualTo("channel");
        assertThat((String) badField.reply().data().get("description")).contains("channel");
        assertThat(service.reject("two frames", "peer").reply().data()).containsEntry("status", "erro");
        assertThat(machine.appliedIndex()).isZero();
        assertThat(log.recentLines()).anyMatch(line -> line.contains("\"dir\":\"out\""));
    }

    @Test
    void referenceServicesAreRefusedAndServerServicesAnswered() {
        assertThat(handle("rank", Map.of("user", "s9")).reply().data()).containsEntry("status", "erro");
        assertThat(handle("clock", Map.of()).reply().data()).containsKey("time");
        assertThat(handle("election", Map.of()).reply().data()).containsEntry("election", "OK");
    }

    @Test
    void writesWithoutIdsGetIdsPerBrokerConnectionSoTheirRetriesAreExactlyOnce() {
        ChatService.Handled a1 = service.handle(new Envelope("login", Map.of("user", "ana")).encode(), "aa01");
        ChatService.Handled a2 = service.handle(new Envelope("login", Map.of("user", "ana")).encode(), "aa01");
        ChatService.Handled b1 = service.handle(new Envelope("login", Map.of("user", "bia")).encode(), "bb02");
        ChatService.Handled own = service.handle(
                new Envelope("login", Map.of("user", "caio", "client_id", "c", "request_id", 9L)).encode(), "aa01");
        assertThat(a1.deferred().command().clientId()).isEqualTo("~s1/rs/1");
        assertThat(a1.deferred().command().requestId()).isEqualTo(1);
        assertThat(a2.deferred().command().requestId()).isEqualTo(2);
        assertThat(b1.deferred().command().clientId()).isEqualTo("~s1/rs/2");
        assertThat(b1.deferred().command().requestId()).isEqualTo(1);
        assertThat(own.deferred().command().clientId()).isEqualTo("c");
        assertThat(own.deferred().command().requestId()).isEqualTo(9);
        assertThat(own.deferred().command().fingerprint())
                .as("a client with ids handles its retries")
                .isNull();
        assertThat(a1.deferred().command().isIdempotent()).isTrue();
    }

    @Test
    void clientIdsWithTheServersPrefixAreRefused() {
        ChatService.Handled handled = handle("login", Map.of("user", "ana", "client_id", "~s1/aa01", "request_id", 1L));
        assertThat(handled.reply().data()).containsEntry("status", "erro");
        assertThat((String) handled.reply().data().get("description")).contains("reserved");
        assertThat(machine.users()).isEmpty();
    }

    @Test
    void aRetryOfAnAppliedWriteIsAnsweredFromTheStateNotOrderedAgain() {
        write("login", Map.of("user", "ana", "client_id", "c", "request_id", 1L));
        ChatService.Handled retry = handle("login", Map.of("user", "ana", "client_id", "c", "request_id", 1L));
        assertThat(retry.deferred()).isNull();
        assertThat(retry.reply().data())
                .containsEntry("status", "sucesso") // login's reply style (statement part 1)
                .containsEntry("client_id", "c")
                .containsEntry("request_id", 1L);
        ChatService.Handled next = handle("login", Map.of("user", "ana", "client_id", "c", "request_id", 2L));
        assertThat(next.deferred()).isNotNull(); // a new write goes to replication
    }

    @Test
    void readsAreAnsweredAtOnceUpToTheAppliedIndexAndWaitBeyondItOrForABarrier() {
        Decided login = write("login", Map.of("user", "ana"));
        assertThat(login.handled().reply().data()).containsEntry("index", 1L); // extension: where it was applied
        assertThat(handle("users", Map.of("min_index", 1L)).reply().data())
                .containsEntry("users", java.util.List.of("ana")); // already applied here
        ChatService.Handled ahead = handle("users", Map.of("min_index", 2L, "client_id", "c", "request_id", 4L));
        assertThat(ahead.reply()).isNull();
        assertThat(ahead.deferredRead().minIndex()).isEqualTo(2);
        ChatService.Handled barrier = handle("users", Map.of("linearizable", true));
        assertThat(barrier.deferredRead().linearizable()).isTrue();
        ChatService.Handled answered = service.answerRead(ahead.deferredRead());
        assertThat(answered.reply().data())
                .containsEntry("users", java.util.List.of("ana"))
                .containsEntry("request_id", 4L);
        ChatService.Handled expired = service.expireRead(ahead.deferredRead(), 2_000);
        assertThat((String) expired.reply().data().get("description")).contains("applied up to index 1");
        assertThat(handle("users", Map.of("linearizable", "yes")).reply().data())
                .containsEntry("status", "erro")
                .hasEntrySatisfying("description", d -> assertThat((String) d).contains("boolean"));
        assertThat(handle("users", Map.of("min_index", -1L)).reply().data()).containsEntry("status", "erro");
    }
}
