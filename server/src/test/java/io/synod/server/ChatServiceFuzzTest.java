package io.synod.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.synod.core.ChatConfig;
import io.synod.core.ChatStateMachine;
import io.synod.core.Command;
import io.synod.core.Result;
import io.synod.protocol.Envelope;
import io.synod.protocol.Limits;
import io.synod.protocol.ProtocolException;
import io.synod.protocol.Replies;
import io.synod.protocol.Request;
import io.synod.protocol.Requests;
import io.synod.store.RocksDbChatStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.slf4j.LoggerFactory;

/**
 * Coverage-guided fuzzing of a single server's whole request handler ({@link ChatService#handle}, built as the
 * server builds it, over a RocksDB store in a temporary directory): every request frame a client can send through
 * the broker. The state carries over from one input to the next, as on a real server. Seeds ({@code
 * ChatServiceFuzzTestInputs/handle}): a valid request of each client service. How CI and {@code scripts/fuzz.sh} run
 * it: ARCHITECTURE.md, test kit.
 */
class ChatServiceFuzzTest {
    static {
        // every refused request is logged at debug: hundreds of thousands of lines would slow the run down
        ((Logger) LoggerFactory.getLogger("io.synod")).setLevel(Level.INFO);
    }

    private static ChatStateMachine machine;
    private static ChatService service;

    /**
     * No exception escapes and a stamped reply is produced for every frame. Only a valid write request changes the
     * state: its applied index moves by exactly one, whether the state machine accepts it or answers {@code erro}
     * (e.g. for a channel that exists: a refused command is still a command in the log), unless it is recognised as
     * the retry of an earlier send, which applies nothing. Anything else, above all every invalid frame, leaves the
     * state digest and the applied index as they were and is answered {@code erro} when it is invalid.
     */
    @FuzzTest(maxDuration = "10s", maxExecutions = 50_000)
    void handle(byte[] frame) throws IOException {
        ChatService chat = service();
        byte[] digestBefore = machine.stateDigest();
        long indexBefore = machine.appliedIndex();
        Request request = parseOrNull(frame);

        ChatService.Handled handled = chat.handle(frame, "fuzz");

        boolean write = request instanceof Request.Login
                || request instanceof Request.CreateChannel
                || request instanceof Request.Publish
                || request instanceof Request.SendMessage
                || request instanceof Request.Post
                || request instanceof Request.Follow
                || request instanceof Request.Unfollow
                || request instanceof Request.NotificationsRead
                || request instanceof Request.ConversationRead;
        if (handled.deferred() != null) {
            // a valid write goes to the log; here the log decides it at the next index, as a group of one does
            assertThat(write).as("only a valid write is deferred: %s", request).isTrue();
            Command command = handled.deferred().command().withIndex(machine.appliedIndex() + 1);
            Result result = machine.apply(command);
            chat.search().applied(command.index(), result.publications()); // as the driver does: searches find it
            assertThat(machine.appliedIndex()).isEqualTo(indexBefore + 1);
            handled = chat.complete(handled.deferred(), result, command.index());
        } else if (handled.deferredRead() != null) {
            ChatService.DeferredRead read = handled.deferredRead();
            handled = read.minIndex() <= machine.appliedIndex() ? chat.answerRead(read) : chat.expireRead(read, 0);
        }
        assertThat(handled.reply()).isNotNull();
        assertThat(handled.reply().data()).containsKeys("clock", "timestamp");
        assertThat(Envelope.decode(handled.replyFrame(), Limits.DEFAULT).service())
                .isEqualTo(handled.reply().service());
        if (machine.appliedIndex() == indexBefore + 1 && write) {
            return;
        }
        // anything else (an invalid frame, a read, a plain client's retry of a send already applied: inputs
        // repeat in a fuzz run) applies nothing
        assertThat(machine.appliedIndex()).isEqualTo(indexBefore);
        assertThat(Arrays.equals(machine.stateDigest(), digestBefore))
                .as("state changed by %s (reply %s)", request, handled.reply())
                .isTrue();
        if (request == null) {
            assertThat(Replies.ERRO.equals(handled.reply().data().get("status")))
                    .as("reply to an invalid frame: %s", handled.reply())
                    .isTrue();
        }
    }

    /** The request the frame holds, or null if the protocol refuses it. */
    private static Request parseOrNull(byte[] frame) {
        try {
            return Requests.parse(Envelope.decode(frame, Limits.DEFAULT), Limits.DEFAULT);
        } catch (ProtocolException refused) {
            return null;
        }
    }

    private static synchronized ChatService service() throws IOException {
        if (service == null) {
            Path dir = Files.createTempDirectory("synod-chat-fuzz");
            RocksDbChatStore store = RocksDbChatStore.open(dir.resolve("state"));
            machine = new ChatStateMachine(store, ChatConfig.DEFAULT);
            service = TestChatServices.of(machine);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                store.close();
                try (var paths = Files.walk(dir)) {
                    paths.sorted(java.util.Comparator.reverseOrder())
                            .forEach(path -> path.toFile().delete());
                } catch (IOException e) {
                    // a temporary directory: left to the system
                }
            }));
        }
        return service;
    }
}
