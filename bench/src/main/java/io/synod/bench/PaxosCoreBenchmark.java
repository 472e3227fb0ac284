package io.synod.bench;

import io.synod.consensus.LogCommand;
import io.synod.consensus.LogEntry;
import io.synod.consensus.Membership;
import io.synod.consensus.PaxosConfig;
import io.synod.consensus.PaxosEnvelope;
import io.synod.consensus.PaxosReplica;
import io.synod.consensus.ProposeOutcome;
import io.synod.consensus.Ready;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Decided commands per second of the Multi-Paxos core alone: N replicas in one thread, an in-memory FIFO "network"
 * and "disk" (records are dropped after the driver loop sees them), no codec, no I/O. Each invocation proposes
 * {@link #COMMANDS_PER_INVOCATION} commands to the stable leader in chunks, and drives every replica until the leader
 * has applied them all; the leader packs queued commands into batches of up to {@code batchCommandsMax} per slot.
 *
 * <p>Not thread-safe: JMH gives each benchmark thread its own state.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PaxosCoreBenchmark {
    static final int COMMANDS_PER_INVOCATION = 10_000;
    private static final int CHUNK_COMMANDS = 1_000;

    @Param({"3", "5"})
    public int replicas;

    @Param({"1", "256"})
    public int batchCommandsMax;

    private PaxosReplica[] nodes;
    private final ArrayDeque<PaxosEnvelope> network = new ArrayDeque<>();
    private final byte[] payload = new byte[16];
    private long nextRequestId;
    private long leaderAppliedCommands;

    @Setup(Level.Trial)
    public void setUp() {
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < replicas; i++) {
            ids.add(i);
        }
        PaxosConfig config = new PaxosConfig(
                0, Membership.ofVoters(ids), 10, 20, 3, 4, 16, batchCommandsMax, 16_384, 256, 6, 100_000, 64);
        nodes = new PaxosReplica[replicas];
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < replicas; i++) {
            nodes[i] = PaxosReplica.create(config.withNodeId(i), random.split());
        }
        for (int tick = 0; tick < 20 && !nodes[0].isLeader(); tick++) {
            nodes[0].tick();
            drive();
        }
        if (!nodes[0].isLeader()) {
            throw new IllegalStateException("node 0 did not become leader");
        }
    }

    /** Proposes a fixed number of commands and runs the cluster until the leader applied them. */
    @Benchmark
    @OperationsPerInvocation(COMMANDS_PER_INVOCATION)
    public long decideCommands() {
        long target = leaderAppliedCommands + COMMANDS_PER_INVOCATION;
        for (int chunk = 0; chunk < COMMANDS_PER_INVOCATION / CHUNK_COMMANDS; chunk++) {
            for (int i = 0; i < CHUNK_COMMANDS; i++) {
                ProposeOutcome outcome = nodes[0].propose(new LogCommand.Client(1, ++nextRequestId, payload));
                if (outcome != ProposeOutcome.QUEUED) {
                    throw new IllegalStateException("proposal refused: " + outcome);
                }
            }
            drive();
        }
        for (int round = 0; leaderAppliedCommands < target; round++) {
            if (round > 1_000_000) {
                throw new IllegalStateException("no progress");
            }
            nodes[0].tick();
            drive();
        }
        return leaderAppliedCommands;
    }

    private void drive() {
        for (PaxosReplica node : nodes) {
            handleReady(node);
        }
        PaxosEnvelope envelope;
        while ((envelope = network.poll()) != null) {
            PaxosReplica target = nodes[envelope.target()];
            target.step(envelope);
            handleReady(target);
        }
    }

    private void handleReady(PaxosReplica node) {
        while (node.hasReady()) {
            Ready ready = node.ready();
            network.addAll(ready.toSend());
            if (node == nodes[0]) {
                for (LogEntry entry : ready.toApply()) {
                    leaderAppliedCommands += entry.value().commands().size();
                }
            }
            node.advance(ready);
            if (ready.snapshotRequestSlot().isPresent()) {
                node.snapshotTaken(ready.snapshotRequestSlot().getAsLong(), payload);
            }
        }
    }
}
