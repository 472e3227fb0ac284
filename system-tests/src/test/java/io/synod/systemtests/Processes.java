package io.synod.systemtests;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Starts real Synod processes ({@code java -jar synod.jar <subcommand>}) for a test, waits for each
 * one's {@code ready} line with a bounded wait, and stops them all on {@link #close()}. Output of
 * each process goes to {@code target/system-tests/<test>/<name>.out}, kept for failure analysis.
 */
final class Processes implements AutoCloseable {
    /** Longest wait for a process to print its ready line. */
    static final long READY_TIMEOUT_MILLIS = 60_000;
    /** Longest wait for a command that runs to its end ({@code synod keys}, {@code synod status}). */
    static final long RUN_TIMEOUT_MILLIS = 60_000;

    private final Path directory;
    private final List<Started> started = Collections.synchronizedList(new ArrayList<>());

    /** A started process and the ready line it printed. */
    record Started(String name, Process process, Path output, String readyLine) {
        String outputText() {
            try {
                return Files.readString(output, StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(unreadable: " + e + ")";
            }
        }
    }

    Processes(String testName) throws IOException {
        this.directory = Path.of(System.getProperty("synod.workdir", "target/system-tests"))
                .resolve(testName + "-" + System.nanoTime());
        Files.createDirectories(directory);
    }

    Path directory() {
        return directory;
    }

    static Path jar() {
        Path jar = Path.of(System.getProperty("synod.jar", "../cli/target/synod.jar"));
        if (!Files.exists(jar)) {
            throw new IllegalStateException("synod.jar not built: " + jar.toAbsolutePath());
        }
        return jar;
    }

    static List<String> javaCommand() {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("--enable-native-access=ALL-UNNAMED");
        if (Runtime.version().feature() >= 23) {
            command.add("--sun-misc-unsafe-memory-access=allow");
        }
        command.add("-Xmx256m");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-jar");
        command.add(jar().toAbsolutePath().toString());
        return command;
    }

    /**
     * Ports handed out come from below the kernel's ephemeral range, so an outgoing connection of
     * some process can never take a port between the moment it is chosen and the moment it is bound.
     */
    private static final int PORT_RANGE_LOW = 20_000;

    private static final int PORT_RANGE_HIGH = ephemeralLow() - 1;
    private static final AtomicInteger NEXT_PORT = new AtomicInteger(
            PORT_RANGE_LOW + (int) (ProcessHandle.current().pid() * 97 % (PORT_RANGE_HIGH - PORT_RANGE_LOW)));

    /** A TCP port that was free a moment ago on 127.0.0.1, outside the ephemeral range. */
    static int freePort() {
        for (int attempt = 0; attempt < 1_000; attempt++) {
            int port = PORT_RANGE_LOW
                    + Math.floorMod(NEXT_PORT.getAndIncrement() - PORT_RANGE_LOW, PORT_RANGE_HIGH - PORT_RANGE_LOW);
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
                return port;
            } catch (IOException taken) {
                // try the next one
            }
        }
        throw new IllegalStateException("no free port in " + PORT_RANGE_LOW + "-" + PORT_RANGE_HIGH);
    }

    /** A port p such that p .. p + count - 1 were all free a moment ago, and are handed out to no one else. */
    static int freeRange(int count) throws IOException {
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = freePort();
            boolean free = port + count - 1 <= 65535;
            for (int i = 1; free && i < count; i++) {
                free = isFree(port + i);
            }
            for (int i = 1; i < count; i++) {
                freePort(); // the counter moves past the range, so later ports cannot fall inside it
            }
            if (free) {
                return port;
            }
        }
        throw new IOException("no " + count + " free consecutive ports");
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
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
            return Math.max(PORT_RANGE_LOW + 2_000, Integer.parseInt(range.split("\\s+")[0]));
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }

    static String endpoint(int port) {
        return "tcp://127.0.0.1:" + port;
    }

    /** Starts {@code synod <arguments>} and waits for its ready line. */
    Started start(String name, List<String> arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(javaCommand());
        command.addAll(arguments);
        Path output = directory.resolve(name + ".out");
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()))
                .redirectInput(ProcessBuilder.Redirect.PIPE)
                .start();
        long from = Files.exists(output) ? Files.size(output) : 0;
        Started placeholder = new Started(name, process, output, null);
        started.add(placeholder);
        long deadline = System.currentTimeMillis() + READY_TIMEOUT_MILLIS;
        while (true) {
            Optional<String> ready = readyLine(output, from);
            if (ready.isPresent()) {
                Started running = new Started(name, process, output, ready.get());
                started.set(started.indexOf(placeholder), running);
                return running;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        name + " exited with " + process.exitValue() + ":\n" + placeholder.outputText());
            }
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException(name + " not ready in time:\n" + placeholder.outputText());
            }
            Thread.sleep(50);
        }
    }

    private static Optional<String> readyLine(Path output, long from) throws IOException {
        byte[] bytes = Files.readAllBytes(output);
        if (bytes.length <= from) {
            return Optional.empty();
        }
        String text = new String(bytes, (int) from, bytes.length - (int) from, StandardCharsets.UTF_8);
        // whole lines only: a process may be caught half-way through writing its ready line
        return text.substring(0, text.lastIndexOf('\n') + 1)
                .lines()
                .filter(line -> line.contains("ready"))
                .findFirst();
    }

    /** A command run to its end: its exit status and what it printed. */
    record Finished(int status, String output) {}

    /**
     * Runs {@code synod <arguments>} to its end, its output appended to {@code <name>.out}; fails the test if it
     * takes longer than {@link #RUN_TIMEOUT_MILLIS}.
     */
    Finished runToEnd(String name, List<String> arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(javaCommand());
        command.addAll(arguments);
        Path output = directory.resolve(name + ".out");
        long from = Files.exists(output) ? Files.size(output) : 0;
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()))
                .start();
        if (!process.waitFor(RUN_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            throw new AssertionError("synod " + arguments.get(0) + " did not finish in " + RUN_TIMEOUT_MILLIS + " ms");
        }
        byte[] bytes = Files.readAllBytes(output);
        return new Finished(
                process.exitValue(), new String(bytes, (int) from, bytes.length - (int) from, StandardCharsets.UTF_8));
    }

    /** Sends SIGTERM and waits (bounded) for the process to exit; returns its exit status. */
    static int stop(Started process) throws InterruptedException {
        process.process().destroy();
        if (!process.process().waitFor(15, TimeUnit.SECONDS)) {
            process.process().destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        return process.process().exitValue();
    }

    /** kill -9. */
    static void kill(Started process) throws InterruptedException {
        process.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        List<Started> all = new ArrayList<>(started);
        Collections.reverse(all);
        for (Started s : all) {
            s.process().descendants().forEach(ProcessHandle::destroy);
            s.process().destroy();
        }
        for (Started s : all) {
            if (!s.process().waitFor(15, TimeUnit.SECONDS)) {
                s.process().descendants().forEach(ProcessHandle::destroyForcibly);
                s.process().destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }
}
