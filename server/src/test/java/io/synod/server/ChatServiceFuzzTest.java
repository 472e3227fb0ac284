package io.synod.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.synod.core.ChatConfig;
import io.synod.core.ChatStateMachine;
import io.synod.messaging.InteractionLog;
import io.synod.messaging.ProcessClock;
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

        assertThat(handled.reply()).isNotNull();
        assertThat(handled.deferred()).isNull();
        assertThat(handled.reply().data()).containsKeys("clock", "timestamp");
        assertThat(Envelope.decode(handled.replyFrame(), Limits.DEFAULT).service())
                .isEqualTo(handled.reply().service());
        boolean erro = Replies.ERRO.equals(handled.reply().data().get("status"));
        if (request != null && request.isWrite()) {
            if (machine.appliedIndex() == indexBefore) {
                // a plain client's retry of a send already applied (same author, fields, clock and timestamp:
                // inputs repeat in a fuzz run) is answered from the state and applies nothing
                assertThat(Arrays.equals(machine.stateDigest(), digestBefore))
                        .as("a write recognised as a retry changed the state: %s", request)
                        .isTrue();
                assertThat(handled.publications()).isEmpty();
            } else {
                assertThat(machine.appliedIndex()).isEqualTo(indexBefore + 1);
            }
            return;
        }
        assertThat(machine.appliedIndex()).isEqualTo(indexBefore);
        assertThat(Arrays.equals(machine.stateDigest(), digestBefore))
                .as("state changed by %s (reply %s)", request, handled.reply())
                .isTrue();
        assertThat(handled.publications()).isEmpty();
        if (request == null) {
            assertThat(erro).as("reply to an invalid frame: %s", handled.reply()).isTrue();
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
            service = new ChatService(
                    machine,
                    ProcessClock.system(),
                    InteractionLog.inMemory("s1"),
                    new ServerMetrics("s1"),
                    Limits.DEFAULT);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                store.close();
                try (var paths = Files.walk(dir)) {
                    paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
                } catch (IOException e) {
                    // a temporary directory: left to the system
                }
            }));
        }
        return service;
    }
}
