package io.synod.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * A cluster started for {@code synod bench}: {@code synod up --bots 0} as a child process on free
 * loopback ports, with the brokers and proxies the bench asks for, its logs and data in a run
 * directory, ready once {@code up} prints its {@code synod ready} line. {@link #close()} stops
 * {@code up} (which stops its children) and then kills any process of the tree still alive, so
 * nothing is left behind; a JVM shutdown hook does the same on Ctrl-C.
 *
 * <p>Ports, from a block found free: broker k (from 1) on {@code base + (k-1)*}{@link
 * UpCommand#PORT_STEP_PER_EXTRA} and the next port, proxy k two above it (up's own layout, given
 * {@code --broker-port base}, {@code --proxy-port base + 2}); then the reference, the servers' admin,
 * peer and replication ports.
 *
 * <p>Thread-safe for {@link #close()} (the bench thread and the shutdown hook may both call it).
 */
final class BenchCluster implements AutoCloseable {
    private static final int PORT_LOW = 20_000;
    private static final int PORT_BLOCK_ATTEMPTS = 200;
    private static final Duration STOP_GRACE = Duration.ofSeconds(40);

    /**
     * What the bench starts: {@code servers} servers (1, 3 or 5), {@code brokers} brokers and {@code proxies}
     * proxies (1 to {@link UpCommand#BROKERS_MAX}).
     */
    record Shape(int servers, int brokers, int proxies) {
        /** Validates the counts. */
        Shape {
            if (!UpCommand.SERVER_COUNTS.contains(servers)) {
                throw new IllegalArgumentException("servers must be 1, 3 or 5, was " + servers);
            }
            if (brokers < 1 || brokers > UpCommand.BROKERS_MAX || proxies < 1 || proxies > UpCommand.BROKERS_MAX) {
                throw new IllegalArgumentException("brokers and proxies must be 1 to " + UpCommand.BROKERS_MAX);
            }
        }

        /** The ports from the block's first one to the reference's, exclusive: the brokers' and proxies'. */
        int forwarderSpan() {
            return (Math.max(brokers, proxies) - 1) * UpCommand.PORT_STEP_PER_EXTRA + 4;
        }

        /** The size of the block of ports: the forwarders, the reference, then three per server. */
        int ports() {
            return forwarderSpan() + 1 + 3 * servers;
        }
    }

    private final Shape shape;
    private final Path runDirectory;
    private final int basePort;
    private final ChildProcess up;
    private final Thread shutdownHook;
    private boolean closed;

    private BenchCluster(Shape shape, Path runDirectory, int basePort, ChildProcess up) {
        this.shape = shape;
        this.runDirectory = runDirectory;
        this.basePort = basePort;
        this.up = up;
        this.shutdownHook = new Thread(this::close, "synod-bench-cluster-stop");
    }

    /**
     * Starts the cluster of {@code shape} with its reference, and waits for it to be ready.
     *
     * @throws IOException if the cluster does not start; the message carries the end of its output
     */
    static BenchCluster start(Shape shape, Path runDirectory, Duration readyTimeout, Consumer<String> log)
            throws IOException, InterruptedException {
        Files.createDirectories(runDirectory);
        int base = freePortBlock(shape.ports());
        List<String> arguments = upArguments(shape, runDirectory, base, readyTimeout);
        ChildProcess up = new ChildProcess("up", ChildProcess.javaCommand(arguments), runDirectory.resolve("up.out"));
        BenchCluster cluster = new BenchCluster(shape, runDirectory, base, up);
        Runtime.getRuntime().addShutdownHook(cluster.shutdownHook);
        log.accept("bench: starting " + shape.servers() + " server(s), " + shape.brokers() + " broker(s) and "
                + shape.proxies() + " prox" + (shape.proxies() == 1 ? "y" : "ies") + " with the reference on 127.0.0.1:"
                + base + "-" + (base + shape.ports() - 1) + " (logs in " + runDirectory + ")");
        up.start();
        try {
            cluster.awaitReady(readyTimeout);
        } catch (IOException | InterruptedException | RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    /** The {@code synod up} command line of a cluster of {@code shape} on the block of ports from {@code base}. */
    static List<String> upArguments(Shape shape, Path runDirectory, int base, Duration readyTimeout) {
        int reference = base + shape.forwarderSpan();
        int servers = shape.servers();
        return List.of(
                "up",
                "--servers",
                Integer.toString(servers),
                "--brokers",
                Integer.toString(shape.brokers()),
                "--proxies",
                Integer.toString(shape.proxies()),
                "--bots",
                "0",
                "--no-web", // a benchmark measures the cluster; the web process would share its cores
                "--rate-limit-user-writes-per-s", // a benchmark measures capacity: one client may send any amount
                "0",
                "--rate-limit-connection-requests-per-s",
                "0",
                "--run-dir",
                runDirectory.toString(),
                "--broker-port",
                Integer.toString(base),
                "--proxy-port",
                Integer.toString(base + 2),
                "--reference-port",
                Integer.toString(reference),
                "--admin-port",
                Integer.toString(reference + 1),
                "--peer-port",
                Integer.toString(reference + 1 + servers),
                "--paxos-port",
                Integer.toString(reference + 1 + 2 * servers),
                "--ready-timeout-s",
                Long.toString(Math.max(1, readyTimeout.toSeconds())));
    }

    private void awaitReady(Duration readyTimeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + readyTimeout.plusSeconds(10).toNanos();
        while (true) {
            Optional<String> line = up.readyLine();
            if (line.isPresent() && line.get().startsWith("synod ready")) {
                return;
            }
            if (!up.isAlive()) {
                throw new IOException("the cluster did not start (synod up exited with status " + up.exitValue()
                        + "); last output:\n  " + String.join("\n  ", up.tail(15)));
            }
            if (System.nanoTime() > deadline) {
                throw new IOException(
                        "the cluster was not ready within " + readyTimeout.toSeconds() + " s; see " + up.outputFile());
            }
            Thread.sleep(100);
        }
    }

    int servers() {
        return shape.servers();
    }

    Path runDirectory() {
        return runDirectory;
    }

    /** Every broker's client endpoint, separated by commas (the bench spreads its clients over them). */
    String brokerEndpoint() {
        return brokerEndpoints(shape, basePort);
    }

    /** Every proxy's XPUB, where subscribers connect, separated by commas. */
    String proxyEndpoint() {
        return proxyEndpoints(shape, basePort);
    }

    /** The brokers' client endpoints of a cluster of {@code shape} on the block from {@code base}. */
    static String brokerEndpoints(Shape shape, int base) {
        return endpoints(base, shape.brokers());
    }

    /** The proxies' XPUBs (the port after each XSUB) of a cluster of {@code shape} on the block from {@code base}. */
    static String proxyEndpoints(Shape shape, int base) {
        return endpoints(base + 3, shape.proxies());
    }

    private static String endpoints(int firstPort, int count) {
        List<String> endpoints = new ArrayList<>(count);
        for (int k = 0; k < count; k++) {
            endpoints.add("tcp://127.0.0.1:" + (firstPort + k * UpCommand.PORT_STEP_PER_EXTRA));
        }
        return String.join(",", endpoints);
    }

    /** Stops {@code up} and its children (SIGTERM, then SIGKILL for anything left). Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (Thread.currentThread() == shutdownHook) {
            System.err.println("bench: interrupted; stopping the cluster (its logs stay in " + runDirectory + ")");
        }
        List<ProcessHandle> tree = new ArrayList<>(up.descendants());
        up.requestStop();
        up.awaitStop(STOP_GRACE);
        for (ProcessHandle process : tree) {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
        }
        if (Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shuttingDown) {
                // The JVM is exiting; the hook runs close() again, which returns at once.
            }
        }
    }

    /** A port p such that p .. p + count - 1 were all free on loopback a moment ago, below the ephemeral range. */
    static int freePortBlock(int count) throws IOException {
        int high = ephemeralLow() - count;
        for (int attempt = 0; attempt < PORT_BLOCK_ATTEMPTS; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(PORT_LOW, high);
            boolean free = true;
            for (int port = base; free && port < base + count; port++) {
                free = isFree(port);
            }
            if (free) {
                return base;
            }
        }
        throw new IOException("found no " + count + " free consecutive loopback ports");
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The low end of the kernel's ephemeral port range (Linux), or 32768. */
    private static int ephemeralLow() {
        try {
            String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))
                    .trim();
            return Math.max(PORT_LOW + 2_000, Integer.parseInt(range.split("\\s+")[0]));
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }
}
