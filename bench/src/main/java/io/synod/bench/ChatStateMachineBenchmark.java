package io.synod.bench;

import io.synod.core.ChatCommand;
import io.synod.core.ChatConfig;
import io.synod.core.ChatStateMachine;
import io.synod.core.ChatStore;
import io.synod.core.Command;
import io.synod.core.InMemoryChatStore;
import io.synod.core.Result;
import io.synod.store.RocksDbChatStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Applied commands per second of the chat state machine ({@link ChatStateMachine#apply}) over a store, one command
 * per operation, each at the next log index, as the server applies decided commands. The state is prepared once per
 * trial (users {@code alice} and {@code bob} logged in, channel {@code general} created) and then grows by one post
 * or one private message per operation.
 *
 * <p>Parameters: {@code store} = {@code memory} ({@link InMemoryChatStore}) or {@code rocksdb}
 * ({@link RocksDbChatStore} in a fresh directory under {@code java.io.tmpdir}, deleted after the trial; every apply is
 * one RocksDB write batch, not synced: a replicated server syncs its state on a timer, since the Paxos log can replay it); {@code operation} = {@code publish} (a
 * post of a {@link CodecBenchmark#MESSAGE_CHARS}-character message to {@code general}; the state machine does not
 * know about subscribers) or {@code message} (a private message from {@code alice} to {@code bob}). Every command
 * carries a client id and a new request id, as a Synod client's writes do, so the exactly-once record is read and
 * written too.
 *
 * <p>Not thread-safe: JMH gives each benchmark thread its own state.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ChatStateMachineBenchmark {
    private static final double TIMESTAMP_SECONDS = 1_795_000_000.125;
    private static final String CLIENT_ID = "client-7f3a9c21";

    @Param({"memory", "rocksdb"})
    public String store;

    @Param({"publish", "message"})
    public String operation;

    private ChatStore chatStore;
    private Path directory;
    private ChatStateMachine machine;
    private ChatCommand chatCommand;
    private long nextIndex;
    private long nextRequestId;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        chatStore = switch (store) {
            case "memory" -> new InMemoryChatStore();
            case "rocksdb" -> {
                directory = Files.createTempDirectory("synod-bench-chat-");
                yield RocksDbChatStore.open(directory);
            }
            default -> throw new IllegalArgumentException("unknown store " + store);
        };
        String message = CodecBenchmark.message(CodecBenchmark.MESSAGE_CHARS);
        chatCommand = switch (operation) {
            case "publish" -> new ChatCommand.Publish("alice", "general", message);
            case "message" -> new ChatCommand.SendMessage("alice", "bob", message);
            default -> throw new IllegalArgumentException("unknown operation " + operation);
        };
        machine = new ChatStateMachine(chatStore, ChatConfig.DEFAULT);
        for (ChatCommand setup : List.of(
                new ChatCommand.Login("alice"),
                new ChatCommand.Login("bob"),
                new ChatCommand.CreateChannel("general"))) {
            requireOk(machine.apply(Command.of(++nextIndex, TIMESTAMP_SECONDS, nextIndex, setup)));
        }
    }

    /** Applies one command at the next index. */
    @Benchmark
    public Result apply() {
        long index = ++nextIndex;
        return machine.apply(new Command(index, TIMESTAMP_SECONDS, index, CLIENT_ID, ++nextRequestId, chatCommand));
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        if (chatStore instanceof RocksDbChatStore rocks) {
            rocks.close();
        }
        if (directory != null) {
            deleteTree(directory);
        }
    }

    /** Deletes {@code directory} and everything in it (a trial's RocksDB directory). */
    static void deleteTree(Path directory) throws IOException {
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(ChatStateMachineBenchmark::delete);
        }
    }

    ChatStateMachine machine() {
        return machine;
    }

    /** The RocksDB directory of this trial, or null for the in-memory store. */
    Path directory() {
        return directory;
    }

    static void requireOk(Result result) {
        if (!result.isOk()) {
            throw new IllegalStateException("setup command failed: " + result.errorText());
        }
    }

    private static void delete(Path path) {
        try {
            Files.delete(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
