package io.synod.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One process started by {@code synod up}: this same jar run with a subcommand, its standard output
 * and error appended to {@code <run>/logs/<name>.out}. Ready when that file holds a line with the
 * word {@code ready}.
 *
 * <p>Not thread-safe; owned by the launcher thread (the shutdown hook only calls {@link #stop}).
 */
final class ChildProcess {
    private final String name;
    private final List<String> command;
    private final Path outputFile;
    private Process process;
    /** Size of the output file when this run started: the ready line must come after it. */
    private long readyFrom;

    ChildProcess(String name, List<String> command, Path outputFile) {
        this.name = name;
        this.command = List.copyOf(command);
        this.outputFile = outputFile;
    }

    /** The java command line that re-runs this jar with {@code arguments}. */
    static List<String> javaCommand(List<String> arguments) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(SynodMain.class.getName());
        command.addAll(arguments);
        return command;
    }

    String name() {
        return name;
    }

    Path outputFile() {
        return outputFile;
    }

    long pid() {
        return process == null ? -1 : process.pid();
    }

    /** The process's children and their children, now (empty before start or after exit). */
    List<ProcessHandle> descendants() {
        return process == null ? List.of() : process.descendants().toList();
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    void start() throws IOException {
        Files.createDirectories(outputFile.getParent());
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(outputFile.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        readyFrom = Files.exists(outputFile) ? Files.size(outputFile) : 0;
        process = builder.start();
    }

    /** The first line containing {@code ready} written since {@link #start}, if any. */
    Optional<String> readyLine() throws IOException {
        if (!Files.exists(outputFile)) {
            return Optional.empty();
        }
        byte[] all = Files.readAllBytes(outputFile);
        if (all.length <= readyFrom) {
            return Optional.empty();
        }
        String fresh = new String(all, (int) readyFrom, all.length - (int) readyFrom, StandardCharsets.UTF_8);
        return fresh.lines().filter(line -> line.contains("ready")).findFirst();
    }

    /** The last {@code count} lines of the output file, for error reports. */
    List<String> tail(int count) {
        try {
            List<String> lines = Files.readAllLines(outputFile, StandardCharsets.UTF_8);
            return lines.subList(Math.max(0, lines.size() - count), lines.size());
        } catch (IOException e) {
            return List.of("(no output: " + e.getMessage() + ")");
        }
    }

    /** Asks the process to stop (SIGTERM). */
    void requestStop() {
        if (process != null && process.isAlive()) {
            process.destroy();
        }
    }

    /** Waits for the process to exit, killing it after {@code grace}. */
    void awaitStop(Duration grace) {
        if (process == null) {
            return;
        }
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Waits up to {@code wait} for the ready line; throws, with the output's last lines, if the process exits first
     * or the wait ends.
     */
    String awaitReady(Duration wait) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            Optional<String> ready = readyLine();
            if (ready.isPresent()) {
                return ready.get();
            }
            if (!isAlive()) {
                throw new IOException(name + " exited with status " + exitValue() + "; last output:\n  "
                        + String.join("\n  ", tail(15)));
            }
            if (System.nanoTime() > deadline) {
                throw new IOException(
                        name + " did not report ready within " + wait.toSeconds() + " s; see " + outputFile);
            }
            Thread.sleep(50);
        }
    }

    /** kill -9: no shutdown hook runs, nothing is flushed; waits (bounded) until the process is gone. */
    void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Sends {@code signal} ({@code STOP}, {@code CONT}) with {@code kill}; false if the process is not alive. */
    boolean signal(String signal) throws IOException, InterruptedException {
        if (!isAlive()) {
            return false;
        }
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                .redirectErrorStream(true)
                .start();
        if (!kill.waitFor(5, TimeUnit.SECONDS)) {
            kill.destroyForcibly();
            return false;
        }
        return kill.exitValue() == 0;
    }

    int exitValue() {
        return process.exitValue();
    }
}
