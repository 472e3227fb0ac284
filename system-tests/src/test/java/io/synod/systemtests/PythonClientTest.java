package io.synod.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.messaging.PythonScript;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The course's third language: a Python client (Debian's python3-zmq and python3-msgpack) logs in,
 * creates a channel, receives a publication on SUB and a private message, then uses the social
 * network (follow, a live follower notification, post received live on its topic, feed, timeline,
 * profile, notifications and their read mark, conversations, unfollow), against the Java cluster.
 * Proves the wire format with a client that shares no code with ours.
 */
class PythonClientTest {
    @Test
    void pythonClientPassesItsSelfTest() throws Exception {
        Path script = Path.of(System.getProperty("synod.examples", "../examples"), "python", "synod_client.py");
        try (Cluster cluster = new Cluster("python")) {
            cluster.startServer("server-1");
            String text = PythonScript.runPassing(
                    "python client",
                    script,
                    List.of(
                            "--broker",
                            Processes.endpoint(cluster.brokerFrontend),
                            "--proxy",
                            Processes.endpoint(cluster.proxyXpub),
                            "selftest"),
                    cluster.processes.directory().resolve("python.out"),
                    90,
                    "all checks passed");
            assertThat(text)
                    .contains("ok   the post, live on ana's post topic")
                    .contains("ok   feed of bia lists ana's post")
                    .contains("ok   ana has 1 unread notification");
        }
    }

    /**
     * Secure mode, from Python: a cluster of {@code ./synod up --secure}, and the Python client with pyzmq's CURVE
     * (a key pair of its own, the cluster's {@code server.key}) logging in with a password, writing with its
     * session token, and receiving a private message on its session topic only.
     */
    @Test
    void pythonClientSpeaksSecureModeOverCurve() throws Exception {
        Path script = Path.of(System.getProperty("synod.examples", "../examples"), "python", "synod_client.py");
        UpPorts ports = UpPorts.free(2, 1);
        try (Processes processes = new Processes("python-secure")) {
            Path runDir = processes.directory().resolve("run");
            Processes.Started up = processes.start(
                    "up",
                    ports.up("--secure", "--servers", "1", "--bots", "0", "--no-web", "--run-dir", runDir.toString()));
            assertThat(up.readyLine()).contains("synod ready");
            String text = PythonScript.runPassing(
                    "python client",
                    script,
                    List.of(
                            "--broker",
                            ports.brokerEndpoint(),
                            "--proxy",
                            ports.xpubEndpoint(),
                            "--server-public-key",
                            runDir.resolve("data/keys/server.key").toString(),
                            "--password",
                            "python-secret",
                            "secure-selftest"),
                    processes.directory().resolve("python.out"),
                    90,
                    "all secure checks passed");
            assertThat(text)
                    .contains("ok   publication received over CURVE")
                    .contains("ok   private message on bia's session topic")
                    .contains("ok   nothing on bia's name topic");
            assertThat(Processes.stop(up)).isIn(0, 143);
        }
    }
}
