package io.synod.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Runs the bodies of {@link CodecBenchmark}, {@link ChatStateMachineBenchmark} and {@link ChatTurnBenchmark} timed by
 * the benchmark thread's <em>CPU time</em> ({@link ThreadMXBean}) instead of wall-clock time, because this development
 * machine is shared with other builds and JMH's wall-clock scores then mostly measure the other load. It is not a
 * replacement for JMH: there is no fork per benchmark, no dead-code protection beyond storing every result in a
 * volatile field, and CPU time leaves out what the thread waits for (RocksDB's fsync) and what other threads do for it
 * (GC, JIT). Use it to compare bodies on a busy machine; quote JMH on an idle one.
 *
 * <p>Usage: {@code java -cp bench/target/benchmarks.jar io.synod.bench.CpuTimeRunner [codec] [apply] [turn]}. Each body
 * runs {@link #WARMUP_ROUNDS} warm-up rounds and {@link #MEASURED_ROUNDS} measured rounds of one CPU-second each (at
 * most three wall-clock seconds); the best and median rounds are printed in operations per CPU-second.
 *
 * <p>Not thread-safe: runs everything on the calling thread.
 */
public final class CpuTimeRunner {
    private static final int WARMUP_ROUNDS = 3;
    private static final int MEASURED_ROUNDS = 5;
    private static final long ROUND_CPU_NANOS = 1_000_000_000L;
    /** A round also ends after this much wall-clock time, for bodies that mostly wait (fsync). */
    private static final long ROUND_WALL_NANOS = 3_000_000_000L;

    private static final int OPERATIONS_PER_CHECK = 64;

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private volatile Object sink;

    private CpuTimeRunner() {}

    public static void main(String[] args) throws IOException {
        List<String> groups = args.length == 0 ? List.of("codec", "apply", "turn") : Arrays.asList(args);
        CpuTimeRunner runner = new CpuTimeRunner();
        if (!runner.threads.isCurrentThreadCpuTimeSupported()) {
            throw new IllegalStateException("this JVM cannot read the current thread's CPU time");
        }
        runner.threads.setThreadCpuTimeEnabled(true);
        if (groups.contains("codec")) {
            runner.codec();
        }
        if (groups.contains("apply")) {
            runner.apply();
        }
        if (groups.contains("turn")) {
            runner.turn();
        }
        System.out.println("last result: " + runner.sink);
    }

    private void codec() {
        CodecBenchmark b = new CodecBenchmark();
        b.setUp();
        Map<String, Supplier<Object>> bodies = new LinkedHashMap<>();
        bodies.put("requestDecode", b::requestDecode);
        bodies.put("requestEncode", b::requestEncode);
        bodies.put("replyEncode", b::replyEncode);
        bodies.put("publicationEncode", b::publicationEncode);
        bodies.put("chatCommandEncode", b::chatCommandEncode);
        bodies.put("chatCommandDecode", b::chatCommandDecode);
        bodies.put("acceptEncode", b::acceptEncode);
        bodies.put("acceptDecode", b::acceptDecode);
        bodies.forEach((name, body) -> measure("CodecBenchmark." + name, body));
    }

    private void apply() throws IOException {
        for (String store : List.of("memory", "rocksdb")) {
            for (String operation : List.of("publish", "message")) {
                ChatStateMachineBenchmark b = new ChatStateMachineBenchmark();
                b.store = store;
                b.operation = operation;
                b.setUp();
                try {
                    measure("ChatStateMachineBenchmark.apply store=" + store + " operation=" + operation, b::apply);
                } finally {
                    b.tearDown();
                }
            }
        }
    }

    /** {@link ChatTurnBenchmark}: one slot's applies on a replicated server's store; printed per write. */
    private void turn() throws IOException {
        ChatTurnBenchmark b = new ChatTurnBenchmark();
        b.messageChars = CodecBenchmark.MESSAGE_CHARS;
        b.setUp();
        try {
            measure("ChatTurnBenchmark.applyTurn, writes", ChatTurnBenchmark.COMMANDS_PER_TURN, b::applyTurn);
        } finally {
            b.tearDown();
        }
    }

    private void measure(String name, Supplier<Object> body) {
        measure(name, 1, body);
    }

    /** Measures {@code body}, which does {@code operationsPerCall} operations per call. */
    private void measure(String name, int operationsPerCall, Supplier<Object> body) {
        for (int i = 0; i < WARMUP_ROUNDS; i++) {
            round(body);
        }
        List<Double> rates = new ArrayList<>();
        for (int i = 0; i < MEASURED_ROUNDS; i++) {
            rates.add(round(body) * operationsPerCall);
        }
        rates.sort(null);
        System.out.printf(
                Locale.ROOT,
                "%-70s best %,14.0f  median %,14.0f ops per CPU-second%n",
                name,
                rates.get(rates.size() - 1),
                rates.get(rates.size() / 2));
    }

    /**
     * Runs the body for about one CPU-second of this thread (or {@link #ROUND_WALL_NANOS} of wall-clock time); returns
     * operations per CPU-second. Every result goes to a volatile field, so no body is optimised away.
     */
    private double round(Supplier<Object> body) {
        long startedCpu = threads.getCurrentThreadCpuTime();
        long startedWall = System.nanoTime();
        long elapsedCpu;
        long operations = 0;
        do {
            for (int i = 0; i < OPERATIONS_PER_CHECK; i++) {
                sink = body.get();
            }
            operations += OPERATIONS_PER_CHECK;
            elapsedCpu = threads.getCurrentThreadCpuTime() - startedCpu;
        } while (elapsedCpu < ROUND_CPU_NANOS && System.nanoTime() - startedWall < ROUND_WALL_NANOS);
        return operations * 1e9 / elapsedCpu;
    }
}
