package io.synod.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.messaging.BrokerCommand;
import io.synod.messaging.ProxyCommand;
import io.synod.protocol.Envelope;
import io.synod.server.reference.ReferenceCommand;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zeromq.ZContext;

/**
 * The real processes, as the launcher starts them: each prints one {@code ready} line, serves, and
 * exits with status 0 on SIGTERM; a port in use gives a non-zero status and a message.
 */
class ProcessLaunchTest {
    private static final long READY_TIMEOUT_SECONDS = 60;

    @TempDir
    Path root;

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stopAll() throws InterruptedException {
        for (Process p : processes) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private Process launch(String name, Class<?> main, String... args) throws IOException {
        return launch(name, List.of(), main, args);
    }

    private Process launch(String name, List<String> jvmOptions, Class<?> main, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("--sun-misc-unsafe-memory-access=allow");
        command.add("--enable-native-access=ALL-UNNAMED");
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command)
                .redirectError(root.resolve(name + ".err").toFile())
                .start();
        processes.add(process);
        return process;
    }

    /** A reference on any free loopback port, its data in {@code root/ref}. */
    private Process launchReference(String... extraArgs) throws IOException {
        List<String> args = new ArrayList<>(List.of(
                "--bind", "tcp://127.0.0.1:*", "--data-dir", root.resolve("ref").toString()));
        args.addAll(List.of(extraArgs));
        return launch("reference", ReferenceCommand.class, args.toArray(String[]::new));
    }

    /** The first stdout line containing "ready", within the bounded wait. */
    private static String readyLine(Process process) throws Exception {
        BufferedReader out =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                for (String l = out.readLine(); l != null; l = out.readLine()) {
                    if (l.contains("ready")) {
                        return l;
                    }
                }
                return null;
            } catch (IOException e) {
                return null;
            }
        });
        return line.get(READY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    private static String group(String line, String regex) {
        Matcher m = Pattern.compile(regex).matcher(line);
        assertThat(m.find()).as("'%s' in '%s'", regex, line).isTrue();
        return m.group(1);
    }

    private static int terminate(Process process) throws InterruptedException {
        process.destroy(); // SIGTERM
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return process.exitValue();
    }

    @Test
    void everyProcessPrintsReadyServesAndStopsWithStatusZero() throws Exception {
        Process broker = launch(
                "broker",
                BrokerCommand.class,
                "--frontend",
                "tcp://127.0.0.1:*",
                "--backend",
                "tcp://127.0.0.1:*",
                "--log",
                root.resolve("broker.jsonl").toString());
        String brokerReady = readyLine(broker);
        assertThat(brokerReady).startsWith("broker ready ");
        String frontend = group(brokerReady, "frontend=(\\S+)");
        String backend = group(brokerReady, "backend=(\\S+)");

        Process proxy =
                launch("proxy", ProxyCommand.class, "--xsub", "tcp://127.0.0.1:*", "--xpub", "tcp://127.0.0.1:*");
        String proxyReady = readyLine(proxy);
        assertThat(proxyReady).startsWith("proxy ready ");

        Process reference =
                launchReference("--log", root.resolve("reference.jsonl").toString());
        String referenceReady = readyLine(reference);
        assertThat(referenceReady).startsWith("reference ready ");

        Process server = launch(
                "server",
                ServerCommand.class,
                "--name",
                "s1",
                "--broker",
                backend,
                "--proxy",
                group(proxyReady, "xsub=(\\S+)"),
                "--reference",
                group(referenceReady, "bind=(\\S+)"),
                "--data-dir",
                root.resolve("s1").toString(),
                "--admin-port",
                "0",
                "--log",
                root.resolve("s1.jsonl").toString());
        String serverReady = readyLine(server);
        assertThat(serverReady).matches("server s1 ready admin=http://127\\.0\\.0\\.1:\\d+ rank=1");

        try (ZContext context = new ZContext()) {
            Envelope reply =
                    new RawReq(context, frontend).call("login", Map.of("user", "ana", "timestamp", 1.0, "clock", 1L));
            assertThat(reply.data()).containsEntry("status", "sucesso");
        }

        assertThat(terminate(server)).isZero();
        assertThat(terminate(reference)).isZero();
        assertThat(terminate(proxy)).isZero();
        assertThat(terminate(broker)).isZero();
        assertThat(Files.readString(root.resolve("s1.jsonl"))).contains("\"kind\":\"login\"");
        assertThat(Files.readString(root.resolve("reference.jsonl"))).contains("\"kind\":\"rank\"");
    }

    @Test
    void aKilledServerLeavesNothingInTheTemporaryDirectory() throws Exception {
        Process reference = launchReference();
        String referenceEndpoint = group(readyLine(reference), "bind=(\\S+)");
        Path tmp = Files.createDirectories(root.resolve("tmp"));
        Path lib = root.resolve("s1").resolve("lib");
        List<Long> copiedAtMillis = new ArrayList<>();
        for (int start = 1; start <= 2; start++) {
            Process server = launch(
                    "server-" + start,
                    List.of("-Djava.io.tmpdir=" + tmp),
                    ServerCommand.class,
                    "--name",
                    "s1",
                    "--broker",
                    Harness.freeEndpoint(),
                    "--proxy",
                    Harness.freeEndpoint(),
                    "--reference",
                    referenceEndpoint,
                    "--data-dir",
                    root.resolve("s1").toString(),
                    "--admin-port",
                    "0");
            assertThat(readyLine(server)).as("start %d", start).contains("server s1 ready");
            server.destroyForcibly(); // SIGKILL: no exit hook runs
            assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
            try (var left = Files.list(tmp)) {
                assertThat(left.map(p -> p.getFileName().toString()))
                        .as("left in java.io.tmpdir by killed start %d", start)
                        .noneMatch(name -> name.contains("rocksdb"));
            }
            try (var copies = Files.list(lib)) {
                List<Path> files = copies.toList();
                assertThat(files).as("RocksDB's library in the data directory").hasSize(1);
                assertThat(files.get(0).getFileName().toString()).startsWith("librocksdbjni");
                copiedAtMillis.add(Files.getLastModifiedTime(files.get(0)).toMillis());
            }
        }
        assertThat(copiedAtMillis.get(1))
                .as("the second start uses the first one's copy")
                .isEqualTo(copiedAtMillis.get(0));
        assertThat(terminate(reference)).isZero();
    }

    @Test
    void aPortInUseExitsNonZeroWithAMessage() throws Exception {
        Process first = launch(
                "first", BrokerCommand.class, "--frontend", "tcp://127.0.0.1:*", "--backend", "tcp://127.0.0.1:*");
        String ready = readyLine(first);
        Process second = launch(
                "second",
                BrokerCommand.class,
                "--frontend",
                group(ready, "frontend=(\\S+)"),
                "--backend",
                "tcp://127.0.0.1:*");
        assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(second.exitValue()).isNotZero();
        assertThat(Files.readString(root.resolve("second.err"))).contains("cannot bind");
        assertThat(terminate(first)).isZero();
    }
}
