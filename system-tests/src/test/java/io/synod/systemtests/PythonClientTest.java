package io.synod.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The course's third language: a Python client (Debian's python3-zmq and python3-msgpack) logs in,
 * creates a channel, receives a publication on SUB and a private message, then uses the social
 * network (follow, a live follower notification, post received live on its topic, feed, timeline,
 * profile, notifications and their read mark, conversations, unfollow), against the Java cluster.
 * Proves the wire format with a client that shares no code with ours.
 */
class PythonClientTest {
    private static final Path PYTHON = Path.of("/usr/bin/python3");

    @Test
    void pythonClientPassesItsSelfTest() throws Exception {
        assertThat(PYTHON)
                .as("Debian's /usr/bin/python3 (apt-get install python3-zmq python3-msgpack)")
                .exists();
        Path script = Path.of(System.getProperty("synod.examples", "../examples"), "python", "synod_client.py");
        try (Cluster cluster = new Cluster("python")) {
            cluster.startServer("server-1");
            Path output = cluster.processes.directory().resolve("python.out");
            Process python = new ProcessBuilder(List.of(
                            PYTHON.toString(),
                            script.toString(),
                            "--broker",
                            Processes.endpoint(cluster.brokerFrontend),
                            "--proxy",
                            Processes.endpoint(cluster.proxyXpub),
                            "selftest"))
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .start();
            boolean finished = python.waitFor(90, TimeUnit.SECONDS);
            if (!finished) {
                python.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            String text = Files.readString(output, StandardCharsets.UTF_8);
            assertThat(finished).as("python client finished in time:\n" + text).isTrue();
            assertThat(python.exitValue()).as("python client output:\n" + text).isZero();
            assertThat(text)
                    .contains("all checks passed")
                    .contains("ok   the post, live on ana's post topic")
                    .contains("ok   feed of bia lists ana's post")
                    .contains("ok   ana has 1 unread notification")
                    .doesNotContain("FAIL");
        }
    }

    /**
     * Secure mode, from Python: a cluster of {@code ./synod up --secure}, and the Python client with pyzmq's CURVE
     * (a key pair of its own, the cluster's {@code server.key}) logging in with a password, writing with its
     * session token, and receiving a private message on its session topic only.
     */
    @Test
    void pythonClientSpeaksSecureModeOverCurve() throws Exception {
        assertThat(PYTHON).exists();
        Path script = Path.of(System.getProperty("synod.examples", "../examples"), "python", "synod_client.py");
        int broker = LauncherTest.freeRange(2);
        int proxy = LauncherTest.freeRange(2);
        try (Processes processes = new Processes("python-secure")) {
            Path runDir = processes.directory().resolve("run");
            Processes.Started up = processes.start(
                    "up",
                    List.of(
                            "up",
                            "--secure",
                            "--servers",
                            "1",
                            "--bots",
                            "0",
                            "--no-web",
                            "--run-dir",
                            runDir.toString(),
                            "--broker-port",
                            Integer.toString(broker),
                            "--proxy-port",
                            Integer.toString(proxy),
                            "--reference-port",
                            Integer.toString(Processes.freePort()),
                            "--admin-port",
                            Integer.toString(Processes.freePort()),
                            "--peer-port",
                            Integer.toString(Processes.freePort()),
                            "--paxos-port",
                            Integer.toString(Processes.freePort())));
            assertThat(up.readyLine()).contains("synod ready");
            Path output = processes.directory().resolve("python.out");
            Process python = new ProcessBuilder(List.of(
                            PYTHON.toString(),
                            script.toString(),
                            "--broker",
                            Processes.endpoint(broker),
                            "--proxy",
                            Processes.endpoint(proxy + 1),
                            "--server-public-key",
                            runDir.resolve("data/keys/server.key").toString(),
                            "--password",
                            "python-secret",
                            "secure-selftest"))
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .start();
            boolean finished = python.waitFor(90, TimeUnit.SECONDS);
            if (!finished) {
                python.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            String text = Files.readString(output, StandardCharsets.UTF_8);
            assertThat(finished).as("python client finished in time:\n" + text).isTrue();
            assertThat(python.exitValue()).as("python client output:\n" + text).isZero();
            assertThat(text)
                    .contains("all secure checks passed")
                    .contains("ok   publication received over CURVE")
                    .contains("ok   private message on bia's session topic")
                    .contains("ok   nothing on bia's name topic")
                    .doesNotContain("FAIL");
            assertThat(Processes.stop(up)).isIn(0, 143);
        }
    }
}
