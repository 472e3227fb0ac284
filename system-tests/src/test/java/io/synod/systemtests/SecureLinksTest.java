package io.synod.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.synod.client.ClientConfig;
import io.synod.client.SynodClient;
import io.synod.messaging.peer.PeerRequests;
import io.synod.messaging.zmtp.CurveCrypto;
import io.synod.messaging.zmtp.SelectorParty;
import io.synod.messaging.zmtp.Z85Keys;
import io.synod.messaging.zmtp.ZmtpClient;
import io.synod.messaging.zmtp.ZmtpCodec;
import io.synod.messaging.zmtp.ZmtpConnection;
import io.synod.messaging.zmtp.ZmtpSecurity;
import io.synod.protocol.Envelope;
import io.synod.protocol.Limits;
import java.io.IOException;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 23 item 4 on real processes: {@code synod keys} writes the key files; a secure cluster (reference, broker,
 * proxy, three servers, all with {@code --secure --server-key}) serves a foreign CURVE client (libzmq through
 * pyzmq) end to end: login, channel, publish, and the publication through the proxy to a CURVE subscriber. A
 * client with a wrong server key or without CURVE gets nothing; a publisher without the server secret publishes
 * nothing to subscribers; a server started without the key never gets a request from the broker; a ZMTP peer
 * without the key never finishes the handshake with a server's peer port; plain frames on a replication port get
 * no answer, and a server without the key cannot join. Our own Java client logs in over CURVE too.
 */
class SecureLinksTest {
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final long SILENCE_MILLIS = 2_000;

    @Test
    @Timeout(240)
    void aSecureClusterServesCurveClientsAndShutsOutEveryoneWithoutTheKey() throws Exception {
        assertThat(PYTHON).as("Debian's /usr/bin/python3 with python3-zmq").exists();
        try (Processes processes = new Processes("secure-links")) {
            Path keys = processes.directory().resolve("keys");
            assertThat(runToEnd(processes, "keys", "--out", keys.toString()))
                    .as("synod keys")
                    .isZero();
            Path serverSecret = keys.resolve("server.key_secret");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(serverSecret)))
                    .isEqualTo("rw-------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keys.resolve("admin.key_secret"))))
                    .isEqualTo("rw-------");
            assertThat(keys.resolve("README")).exists();
            byte[] before = Files.readAllBytes(serverSecret);
            assertThat(runToEnd(processes, "keys", "--out", keys.toString()))
                    .as("synod keys never overwrites keys")
                    .isEqualTo(1);
            assertThat(Files.readAllBytes(serverSecret)).isEqualTo(before);

            List<String> secure = List.of("--secure", "--server-key", serverSecret.toString());
            int brokerFrontend = Processes.freePort();
            int brokerBackend = Processes.freePort();
            int proxyXsub = Processes.freePort();
            int proxyXpub = Processes.freePort();
            int reference = Processes.freePort();
            Path data = processes.directory().resolve("data");
            Path logs = processes.directory().resolve("logs");
            processes.start(
                    "reference",
                    with(
                            List.of(
                                    "reference",
                                    "--bind",
                                    Processes.endpoint(reference),
                                    "--data-dir",
                                    data.resolve("reference").toString()),
                            secure));
            Processes.Started broker = processes.start(
                    "broker",
                    with(
                            List.of(
                                    "broker",
                                    "--frontend",
                                    Processes.endpoint(brokerFrontend),
                                    "--backend",
                                    Processes.endpoint(brokerBackend)),
                            secure));
            processes.start(
                    "proxy",
                    with(
                            List.of(
                                    "proxy",
                                    "--xsub",
                                    Processes.endpoint(proxyXsub),
                                    "--xpub",
                                    Processes.endpoint(proxyXpub)),
                            secure));
            assertThat(broker.outputText()).contains("broker mode=secure");

            Map<String, String> members = new LinkedHashMap<>();
            Map<String, String> peerEndpoints = new LinkedHashMap<>();
            for (String name : List.of("server-1", "server-2", "server-3")) {
                members.put(name, Processes.endpoint(Processes.freePort()));
                peerEndpoints.put(name, Processes.endpoint(Processes.freePort()));
            }
            List<Processes.Started> servers = new ArrayList<>();
            for (String name : members.keySet()) {
                servers.add(processes.start(
                        name,
                        with(
                                serverArguments(
                                        name,
                                        brokerBackend,
                                        proxyXsub,
                                        reference,
                                        data,
                                        logs,
                                        peerEndpoints.get(name),
                                        List.of("--initial-members", Cluster.initialMembers(members))),
                                secure)));
            }
            Cluster.awaitLeader(servers);
            // a server without the key: its links stay NULL (it says so), so the broker never hands it a request
            Processes.Started intruder = processes.start(
                    "intruder",
                    serverArguments(
                            "intruder",
                            brokerBackend,
                            proxyXsub,
                            reference,
                            data,
                            logs,
                            Processes.endpoint(Processes.freePort()),
                            List.of("--secure")));
            assertThat(intruder.outputText()).contains("links are NOT encrypted");

            Path script = processes.directory().resolve("secure_links_client.py");
            try (var in = SecureLinksTest.class.getResourceAsStream("/secure_links_client.py")) {
                Files.write(script, in.readAllBytes());
            }
            Path output = processes.directory().resolve("python.out");
            Process python = new ProcessBuilder(List.of(
                            PYTHON.toString(),
                            script.toString(),
                            keys.resolve("server.key").toString(),
                            Processes.endpoint(brokerFrontend),
                            Processes.endpoint(proxyXpub),
                            Processes.endpoint(proxyXsub)))
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .start();
            boolean finished = python.waitFor(120, TimeUnit.SECONDS);
            if (!finished) {
                python.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            String text = Files.readString(output, StandardCharsets.UTF_8);
            assertThat(finished)
                    .as("the CURVE client finished in time:\n" + text)
                    .isTrue();
            assertThat(python.exitValue()).as("CURVE client:\n" + text).isZero();
            assertThat(text).contains("all checks passed").doesNotContain("FAIL");
            Path intruderLog = logs.resolve("intruder.jsonl");
            assertThat(Files.exists(intruderLog) ? Files.readString(intruderLog) : "")
                    .as("the server without the key received no request")
                    .doesNotContain("\"login\"")
                    .doesNotContain("\"publish\"");

            // a ZMTP peer without the server key on a server's peer port: NULL and a foreign CURVE key both fail
            String peerPort = peerEndpoints.get("server-1");
            assertThat(handshakes(peerPort, ZmtpSecurity.NULL))
                    .as("a NULL peer")
                    .isFalse();
            byte[] serverPublic = Z85Keys.readPublic(keys.resolve("server.key"));
            assertThat(handshakes(
                            peerPort,
                            new ZmtpSecurity.CurveClient(CurveCrypto.generate(new SecureRandom()), serverPublic)))
                    .as("a CURVE peer with another key")
                    .isFalse();
            assertThat(handshakes(peerPort, ZmtpSecurity.serverLink(Z85Keys.readPair(serverSecret))))
                    .as("a peer with the server key (the control)")
                    .isTrue();

            // the replication port: plain frames (what synod admin sends today) get no answer, the link is closed
            for (String paxos : members.values()) {
                assertThatThrownBy(() -> PeerRequests.request(
                                paxos,
                                "probe",
                                new Envelope("remove", Map.of("name", "nobody")),
                                2_000,
                                Limits.DEFAULT))
                        .as("a plain request on " + paxos)
                        .isInstanceOf(IOException.class);
            }
            // the control: the same request over CurveZMQ with the server key (synod admin --server-key) is read and
            // answered; without the admin key a secure server refuses the change itself, and nothing is removed
            for (String paxos : members.values()) {
                Map<String, Object> answer = PeerRequests.request(
                                paxos,
                                "probe",
                                new Envelope("remove", Map.of("name", "nobody")),
                                5_000,
                                Limits.DEFAULT,
                                Z85Keys.readPair(serverSecret))
                        .data();
                assertThat(answer).as("a CURVE request on " + paxos).containsEntry("error", "unauthorized");
            }
            // a server without the key cannot join: it never gets the cluster's log
            long clusterIndex = Cluster.appliedIndex(servers.get(0));
            assertThat(clusterIndex).isPositive();
            Processes.Started joiner = processes.start(
                    "server-4",
                    serverArguments(
                            "server-4",
                            brokerBackend,
                            proxyXsub,
                            reference,
                            data,
                            logs,
                            Processes.endpoint(Processes.freePort()),
                            List.of(
                                    "--secure",
                                    "--join",
                                    "--initial-members",
                                    Cluster.initialMembers(members),
                                    "--paxos-endpoint",
                                    Processes.endpoint(Processes.freePort()))));
            Thread.sleep(SILENCE_MILLIS * 2);
            assertThat(Cluster.appliedIndex(joiner))
                    .as("the keyless joiner's applied index")
                    .isLessThan(clusterIndex);

            // our own Java client (JeroMQ's CURVE) with the server public key
            try (SynodClient bia = SynodClient.connect(
                    ClientConfig.defaults(Processes.endpoint(brokerFrontend), Processes.endpoint(proxyXpub))
                            .withServerPublicKey(serverPublic),
                    null)) {
                assertThat(bia.login("bia", "senha-da-bia").ok()).isTrue();
            }
        }
    }

    /** Whether a DEALER speaking {@code security} finishes the ZMTP handshake with {@code endpoint}, within bounds. */
    private static boolean handshakes(String endpoint, ZmtpSecurity security) throws Exception {
        ZmtpClient.Config config = new ZmtpClient.Config(
                100, 1_000, 5_000, 16, new ZmtpConnection.Limits(1 << 20, 8, 1 << 20, 16, 1 << 20, 64 << 10));
        try (Selector selector = Selector.open()) {
            ZmtpClient client = new ZmtpClient(
                            ZmtpCodec.SocketType.DEALER,
                            endpoint,
                            "probe".getBytes(StandardCharsets.UTF_8),
                            selector,
                            config,
                            System.nanoTime())
                    .secure(security);
            try {
                long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SILENCE_MILLIS);
                while (System.nanoTime() < end && !client.isConnected()) {
                    selector.select(20);
                    long now = System.nanoTime();
                    for (var key : selector.selectedKeys()) {
                        if (key.attachment() instanceof SelectorParty party) {
                            party.handle(key, now);
                        }
                    }
                    selector.selectedKeys().clear();
                    client.tick(now);
                    client.flush();
                }
                return client.isConnected();
            } finally {
                client.close();
            }
        }
    }

    private static List<String> serverArguments(
            String name,
            int brokerBackend,
            int proxyXsub,
            int reference,
            Path data,
            Path logs,
            String advertise,
            List<String> more) {
        List<String> arguments = new ArrayList<>(List.of(
                "server",
                "--name",
                name,
                "--broker",
                Processes.endpoint(brokerBackend),
                "--proxy",
                Processes.endpoint(proxyXsub),
                "--reference",
                Processes.endpoint(reference),
                "--data-dir",
                data.resolve(name).toString(),
                "--admin-port",
                "0",
                "--advertise",
                advertise,
                "--log",
                logs.resolve(name + ".jsonl").toString()));
        arguments.addAll(more);
        return arguments;
    }

    private static List<String> with(List<String> arguments, List<String> more) {
        List<String> all = new ArrayList<>(arguments);
        all.addAll(more);
        return all;
    }

    /** Runs {@code synod <arguments>} to its end (bounded) and returns its exit status. */
    private static int runToEnd(Processes processes, String... arguments) throws Exception {
        List<String> command = new ArrayList<>(Processes.javaCommand());
        command.addAll(List.of(arguments));
        Path output = processes.directory().resolve(arguments[0] + ".out");
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()))
                .start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            throw new AssertionError("synod " + arguments[0] + " did not finish in 60 s");
        }
        return process.exitValue();
    }
}
