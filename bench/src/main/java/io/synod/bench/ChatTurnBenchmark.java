package io.synod.bench;

import io.synod.core.ChatCommand;
import io.synod.core.ChatConfig;
import io.synod.core.ChatStateMachine;
import io.synod.core.Command;
import io.synod.core.Result;
import io.synod.store.RocksDbChatStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
 * One decided slot applied the way a replicated server applies it under the bench's 64-client load: {@link
 * ChatStateMachine#applyAll} of {@link #COMMANDS_PER_TURN} posts, each by the next of {@link #USERS} users (each its
 * own client with rising request ids) to the next of {@link #CHANNELS} channels, over a {@link RocksDbChatStore} whose
 * Paxos log is open, so that applied writes are held in memory ({@code WriteBehind}) and written by a {@link
 * ChatStateMachine#sync} every {@link #TURNS_PER_SYNC} turns (the server syncs every 200 ms: about 70 turns of 27
 * writes at 10,000 writes/s). Measures the applying thread only: what a follower's event loop pays per slot for
 * applying, less the Paxos messages and the fsync.
 *
 * <p>One operation is one turn; divide by {@link #COMMANDS_PER_TURN} for writes. {@code messageChars} sets the
 * posts' length.
 *
 * <p>Not thread-safe: JMH gives each benchmark thread its own state.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ChatTurnBenchmark {
    /** Writes per slot measured at 64 clients, 3 and 5 servers (docs/performance.md). */
    static final int COMMANDS_PER_TURN = 27;
    /** The bench's clients at the comparison's load. */
    static final int USERS = 64;
    /** The bench's default channels ({@code --channels}). */
    static final int CHANNELS = 8;
    /** Turns between two syncs: 200 ms at about 10,000 writes/s. */
    static final int TURNS_PER_SYNC = 70;

    private static final double TIMESTAMP_SECONDS = 1_795_000_000.125;

    @Param({"100"})
    public int messageChars;

    private RocksDbChatStore store;
    private Path directory;
    private ChatStateMachine machine;
    private String message;
    private long nextIndex;
    private final long[] nextRequestId = new long[USERS];
    private int nextUser;
    private int turnsSinceSync;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        directory = Files.createTempDirectory("synod-bench-turn-");
        store = RocksDbChatStore.open(directory);
        store.paxosLog(); // a replicated server's store: applied writes are held until the next sync
        machine = new ChatStateMachine(store, ChatConfig.DEFAULT);
        message = CodecBenchmark.message(messageChars);
        List<Command> setup = new ArrayList<>();
        for (int u = 0; u < USERS; u++) {
            setup.add(Command.of(++nextIndex, TIMESTAMP_SECONDS, nextIndex, new ChatCommand.Login(user(u))));
        }
        for (int c = 0; c < CHANNELS; c++) {
            setup.add(Command.of(++nextIndex, TIMESTAMP_SECONDS, nextIndex, new ChatCommand.CreateChannel(channel(c))));
        }
        machine.applyAll(setup).forEach(ChatStateMachineBenchmark::requireOk);
        machine.sync();
    }

    /** Applies one turn of {@link #COMMANDS_PER_TURN} posts; syncs every {@link #TURNS_PER_SYNC} turns. */
    @Benchmark
    public List<Result> applyTurn() {
        List<Command> turn = new ArrayList<>(COMMANDS_PER_TURN);
        for (int i = 0; i < COMMANDS_PER_TURN; i++) {
            int u = nextUser;
            nextUser = (nextUser + 1) % USERS;
            long index = ++nextIndex;
            turn.add(new Command(
                    index,
                    TIMESTAMP_SECONDS,
                    index,
                    client(u),
                    ++nextRequestId[u],
                    new ChatCommand.Publish(user(u), channel(u % CHANNELS), message)));
        }
        List<Result> results = machine.applyAll(turn);
        if (++turnsSinceSync == TURNS_PER_SYNC) {
            turnsSinceSync = 0;
            machine.sync();
        }
        return results;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        store.close();
        ChatStateMachineBenchmark.deleteTree(directory);
    }

    ChatStateMachine machine() {
        return machine;
    }

    Path directory() {
        return directory;
    }

    private static String user(int u) {
        return "bench-user-" + u;
    }

    private static String client(int u) {
        return "bench-client-" + u;
    }

    private static String channel(int c) {
        return "bench-channel-" + c;
    }
}
