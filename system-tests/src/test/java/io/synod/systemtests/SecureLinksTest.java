package io.synod.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.synod.client.ClientConfig;
import io.synod.client.SynodClient;
import io.synod.messaging.PythonScript;
import io.synod.messaging.peer.PeerRequests;
import io.synod.messaging.zmtp.CurveCrypto;
import io.synod.messaging.zmtp.Z85Keys;
import io.synod.messaging.zmtp.ZmtpClient;
import io.synod.messaging.zmtp.ZmtpCodec;
import io.synod.messaging.zmtp.ZmtpConnection;
import io.synod.messaging.zmtp.ZmtpSecurity;
import io.synod.messaging.zmtp.ZmtpTestLoop;
import io.synod.protocol.Envelope;
import io.synod.protocol.Limits;
import java.io.IOException;
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
    private static final long SILENCE_MILLIS = 2_000;

    @Test
    @Timeout(240)
    void aSecureClusterServesCurveClientsAndShutsOutEveryoneWithoutTheKey() throws Exception {
        try (Processes processes = new Processes("secure-links")) {
            Path keys = processes.directory().resolve("keys");
            assertThat(processes
                            .runToEnd("keys", List.of("keys", "--out", keys.toString()))
                            .status())
                    .as("synod keys")
                    .isZero();
            Path serverSecret = keys.resolve("server.key_secret");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(serverSecret)))
                    .isEqualTo("rw-------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keys.resolve("admin.key_secret"))))
                    .isEqualTo("rw-------");
            assertThat(keys.resolve("README")).exists();
            byte[] before = Files.readAllBytes(serverSecret);
            assertThat(processes
                            .runToEnd("keys", List.of("keys", "--out", keys.toString()))
                            .status())
                    .as("synod keys never overwrites keys")
                    .isEqualTo(1);
            assertThat(Files.readAllBytes(serverSecret)).isEqualTo(before);

            List<String> secure = List.of("--secure", "--server-key", serverSecret.toString());
            Cluster cluster = new Cluster(processes, secure); // stopped with processes
            assertThat(cluster.brokerProcess.outputText()).contains("broker mode=secure");

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
                        Cluster.with(
                                cluster.serverArguments(name, peerEndpoints.get(name)),
                                List.of("--initial-members", Cluster.initialMembers(members)),
                                secure)));
            }
            Cluster.awaitLeader(servers);
            // a server without the key: its links stay NULL (it says so), so the broker never hands it a request
            Processes.Started intruder = processes.start(
                    "intruder",
                    Cluster.with(
                            cluster.serverArguments("intruder", Processes.endpoint(Processes.freePort())),
                            List.of("--secure")));
            assertThat(intruder.outputText()).contains("links are NOT encrypted");

            PythonScript.runPassing(
                    "the CURVE client",
                    PythonScript.fromResource("/secure_links_client.py", processes.directory()),
                    List.of(
                            keys.resolve("server.key").toString(),
                            Processes.endpoint(cluster.brokerFrontend),
                            Processes.endpoint(cluster.proxyXpub),
                            Processes.endpoint(cluster.proxyXsub)),
                    processes.directory().resolve("python.out"),
                    120,
                    "all checks passed");
            Path intruderLog = Path.of(cluster.log("intruder"));
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
                    Cluster.with(
                            cluster.serverArguments("server-4", Processes.endpoint(Processes.freePort())),
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
                    ClientConfig.defaults(
                                    Processes.endpoint(cluster.brokerFrontend), Processes.endpoint(cluster.proxyXpub))
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
        try (ZmtpTestLoop loop = new ZmtpTestLoop()) {
            ZmtpClient client = loop.add(new ZmtpClient(
                            ZmtpCodec.SocketType.DEALER,
                            endpoint,
                            "probe".getBytes(StandardCharsets.UTF_8),
                            loop.selector(),
                            config,
                            System.nanoTime())
                    .secure(security));
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SILENCE_MILLIS);
            while (System.nanoTime() < end && !client.isConnected()) {
                loop.turn();
            }
            return client.isConnected();
        }
    }
}
