package io.synod.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.client.ClientConfig;
import io.synod.client.Delivery;
import io.synod.client.SynodClient;
import io.synod.consensus.Ballot;
import io.synod.consensus.PaxosCodec;
import io.synod.consensus.PaxosEnvelope;
import io.synod.consensus.PaxosMessage;
import io.synod.messaging.ZmqOptions;
import io.synod.messaging.ZmqTestSockets;
import io.synod.protocol.Envelope;
import io.synod.protocol.Limits;
import io.synod.protocol.MsgPack;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * Issue 19's outage, replayed on real processes: frames whose {@code clock} is 2^63-1 and its
 * neighbours, sent through the broker, into every server's peer and replication endpoints, to the
 * reference and into the proxy, plus a forged Paxos Prepare with the largest ballot round. Before
 * the fix one such frame ended a server's loop (three through the broker ended the cluster), and a
 * publication ended a client's. Afterwards every process must still serve, for longer than the
 * ~8 s in which the huge clock used to spread through heartbeats, and nothing refused was applied.
 */
class HostileInputTest {
    private static final long[] HOSTILE_CLOCKS = {
        Long.MAX_VALUE, Long.MAX_VALUE - 1, Long.MAX_VALUE - 1_001, Limits.INTEGER_MAX + 1, -1
    };
    /** How long the cluster must keep serving after the hostile frames (the old outage came ~8 s after). */
    private static final long SERVE_AFTER_MILLIS = 10_000;

    @Test
    @Timeout(240)
    void hostileFramesStopNoProcessAndApplyNothing() throws Exception {
        try (Cluster cluster = new Cluster("hostile-input");
                ZContext zmq = new ZContext()) {
            Map<String, String> paxosEndpoints = new LinkedHashMap<>();
            for (String name : List.of("server-1", "server-2", "server-3")) {
                paxosEndpoints.put(name, Processes.endpoint(Processes.freePort()));
            }
            List<String> extra = List.of("--initial-members", Cluster.initialMembers(paxosEndpoints));
            List<Processes.Started> servers = new ArrayList<>();
            for (String name : paxosEndpoints.keySet()) {
                servers.add(cluster.startServer(name, extra));
            }
            Cluster.awaitLeader(servers);
            String broker = Processes.endpoint(cluster.brokerFrontend);
            String proxy = Processes.endpoint(cluster.proxyXpub);

            List<Delivery> deliveries = new CopyOnWriteArrayList<>();
            try (WireClient wire = cluster.client();
                    SynodClient bea = SynodClient.connect(ClientConfig.defaults(broker, proxy), deliveries::add)) {
                assertThat(wire.call("login", Map.of("user", "ana")).data()).containsEntry("status", "sucesso");
                assertThat(wire.call("channel", Map.of("channel", "room")).data())
                        .containsEntry("status", "sucesso");
                assertThat(bea.login("bea").ok()).isTrue();
                bea.subscribeFrom("room", 0);
                Processes.Started bot = cluster.processes.start(
                        "bot-1",
                        List.of(
                                "bot",
                                "--name",
                                "robo",
                                "--broker",
                                broker,
                                "--proxy",
                                proxy,
                                "--rate",
                                "5",
                                "--log",
                                cluster.log("bot-1")));

                // 1. through the broker: refused, naming the field, and nothing applied
                for (long clock : HOSTILE_CLOCKS) {
                    Envelope reply = wire.sendRaw(envelope("login", Map.of("user", "evil"), clock));
                    assertThat(reply.data()).containsEntry("status", "erro");
                    assertThat(String.valueOf(reply.data().get("description"))).contains("'clock'");
                }
                // the largest clock the wire allows is served, and so are small ones after it
                assertThat(wire.sendRaw(envelope("login", Map.of("user", "max-clock"), Limits.INTEGER_MAX))
                                .data())
                        .containsEntry("status", "sucesso");
                assertThat(wire.sendRaw(envelope("login", Map.of("user", "low-clock"), 3))
                                .data())
                        .containsEntry("status", "sucesso");

                // 2. into every server's peer endpoint (ZeroMQ) and replication endpoint (TCP)
                for (String address : peerAddresses(zmq, cluster)) {
                    try (ZMQ.Socket dealer = zmq.createSocket(SocketType.DEALER)) {
                        dealer.setLinger(0);
                        dealer.setIdentity("mallory".getBytes(StandardCharsets.UTF_8));
                        dealer.connect(address);
                        for (long clock : HOSTILE_CLOCKS) {
                            for (String service : List.of("election", "clock", "coordinator_heartbeat", "members")) {
                                dealer.send(envelope(service, Map.of("coordinator", "server-9"), clock));
                            }
                        }
                        dealer.send(new byte[] {(byte) 0xc1, 0x00});
                        // a well-formed clock request is answered on this connection, after everything before it
                        dealer.send(envelope("clock", Map.of("request_id", 424_242L), 1));
                        long deadline = System.nanoTime()
                                + Duration.ofMillis(Cluster.WAIT_MILLIS_MAX).toNanos();
                        boolean answered = false;
                        while (!answered && System.nanoTime() < deadline) {
                            byte[] reply = ZmqTestSockets.receiveNudging(zmq, dealer, 1_000);
                            answered = reply != null
                                    && Long.valueOf(424_242L)
                                            .equals(Envelope.decode(reply, Limits.DEFAULT)
                                                    .data()
                                                    .get("request_id"));
                        }
                        assertThat(answered)
                                .as("%s answers a clock request after the hostile frames", address)
                                .isTrue();
                    }
                }
                int nodeId = 1;
                for (String endpoint : paxosEndpoints.values()) {
                    sendOnReplicationLink(endpoint, nodeId++);
                }

                // 3. into the reference: answered, and it still answers afterwards
                try (ZMQ.Socket req = zmq.createSocket(SocketType.REQ)) {
                    req.setLinger(0);
                    req.setReceiveTimeOut(5_000);
                    req.connect(Processes.endpoint(cluster.reference));
                    for (long clock : HOSTILE_CLOCKS) {
                        req.send(envelope("heartbeat", Map.of("user", "mallory"), clock));
                        assertThat(ZmqTestSockets.receiveNudging(zmq, req, 10_000))
                                .as("the reference answers a clock of %d", clock)
                                .isNotNull();
                    }
                }

                // 4. into the proxy, as any publisher can: on the channel, on bea's name, on the bot's, on 'servers'
                try (ZMQ.Socket pub = zmq.createSocket(SocketType.PUB);
                        ZMQ.Socket witness = zmq.createSocket(SocketType.SUB)) {
                    witness.setLinger(0);
                    witness.subscribe("room".getBytes(StandardCharsets.UTF_8));
                    witness.connect(proxy);
                    pub.setLinger(0);
                    pub.connect(Processes.endpoint(cluster.proxyXsub));
                    ZmqOptions.nudge(zmq);
                    Thread.sleep(500); // the proxy forwards the subscriptions to a new publisher
                    for (long clock : HOSTILE_CLOCKS) {
                        Map<String, Object> post = new LinkedHashMap<>();
                        post.put("user", "mallory");
                        post.put("message", "forged");
                        post.put("channel", "room");
                        post.put("seq", 1L);
                        post.put("clock", clock);
                        pub.sendMore("room");
                        pub.send(MsgPack.encode(post));
                        for (String name : List.of("bea", "robo")) {
                            pub.sendMore(name);
                            pub.send(MsgPack.encode(Map.of(
                                    "src", "mallory", "message", "forged", "dst", name, "seq", 1L, "clock", clock)));
                        }
                        pub.sendMore("servers");
                        pub.send(envelope("election", Map.of("coordinator", "server-9"), clock));
                    }
                    pub.sendMore("room");
                    pub.send(new byte[] {(byte) 0xc1});
                    // the forged posts went through the proxy (a plain subscriber sees them; Synod's client must not)
                    byte[] topic = ZmqTestSockets.receiveNudging(zmq, witness, 10_000);
                    assertThat(topic)
                            .as("the proxy forwarded the forged publications")
                            .isNotNull();
                }

                // 5. everything keeps serving for longer than the old outage took to spread
                long until = System.nanoTime()
                        + Duration.ofMillis(SERVE_AFTER_MILLIS).toNanos();
                int posted = 0;
                while (System.nanoTime() < until) {
                    assertThat(wire.call("publish", Map.of("user", "ana", "channel", "room", "message", "m-" + posted))
                                    .data())
                            .containsEntry("status", "OK");
                    posted++;
                    Thread.sleep(100);
                }
                for (Processes.Started process : List.of(bot, cluster.referenceProcess)) {
                    assertThat(process.process().isAlive())
                            .as(process.name() + " alive")
                            .isTrue();
                }
                for (Processes.Started server : servers) {
                    assertThat(server.process().isAlive())
                            .as(server.name() + " alive")
                            .isTrue();
                    Map<String, Object> status = Cluster.status(server);
                    assertThat(((Number) status.get("lamport")).longValue()).isLessThanOrEqualTo(Limits.INTEGER_MAX);
                }
                Cluster.awaitConverged(servers);
                assertThat(WireClient.list(wire.call("users", Map.of()), "users"))
                        .contains("ana", "bea", "robo", "max-clock", "low-clock")
                        .doesNotContain("evil", "mallory");

                // the Synod client still sends and receives, and never delivered the forged post
                assertThat(bea.publish("room", "after").ok()).isTrue();
                long deadline = System.nanoTime()
                        + Duration.ofMillis(Cluster.WAIT_MILLIS_MAX).toNanos();
                while (deliveries.stream()
                        .noneMatch(
                                d -> "after".equals(d.publication().toPayload().get("message")))) {
                    assertThat(System.nanoTime()).as("bea's own post delivered").isLessThan(deadline);
                    Thread.sleep(50);
                }
                // the forged post on the channel carried a seq a real post already had: the client kept the real one.
                // (A forged private message with a seq no real one has yet is shown: only secure mode stops it.)
                assertThat(deliveries)
                        .noneMatch(d -> "room".equals(d.publication().topic())
                                && "forged".equals(d.publication().toPayload().get("message")));
                // the bot still posts
                long botPosts = postsBy(wire, "robo");
                deadline = System.nanoTime()
                        + Duration.ofMillis(Cluster.WAIT_MILLIS_MAX).toNanos();
                while (postsBy(wire, "robo") <= botPosts) {
                    assertThat(System.nanoTime()).as("the bot posts again").isLessThan(deadline);
                    Thread.sleep(200);
                }
            }
        }
    }

    /** One request or peer message with any {@code clock}, encoded as the statement's envelope. */
    private static byte[] envelope(String service, Map<String, Object> fields, long clock) {
        Map<String, Object> data = new LinkedHashMap<>(fields);
        data.put("timestamp", System.currentTimeMillis() / 1000.0);
        data.put("clock", clock);
        return new Envelope(service, data).encode();
    }

    /** Every server's peer endpoint, as the reference lists it. */
    private static List<String> peerAddresses(ZContext zmq, Cluster cluster) {
        try (ZMQ.Socket req = zmq.createSocket(SocketType.REQ)) {
            req.setLinger(0);
            req.setReceiveTimeOut(5_000);
            req.connect(Processes.endpoint(cluster.reference));
            req.send(envelope("list", Map.of(), 1));
            byte[] frame = ZmqTestSockets.receiveNudging(zmq, req, 10_000);
            assertThat(frame).as("the reference lists the servers").isNotNull();
            Envelope reply = Envelope.decode(frame, Limits.DEFAULT);
            List<String> addresses = new ArrayList<>();
            for (Object item : WireClient.list(reply, "list")) {
                addresses.add(String.valueOf(((Map<?, ?>) item).get("address")));
            }
            assertThat(addresses).hasSize(3);
            return addresses;
        }
    }

    /**
     * A hello, then hostile frames: envelopes with huge clocks, one that is not MessagePack, and a Paxos
     * Prepare "from server-2" with the largest ballot round (a promise of it would make every later
     * ballot overflow).
     */
    private static void sendOnReplicationLink(String endpoint, int target) throws IOException, InterruptedException {
        URI uri = URI.create(endpoint);
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 2_000);
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            frame(out, "SYNODPL1mallory".getBytes(StandardCharsets.US_ASCII));
            byte[] prepare = PaxosCodec.encode(
                    new PaxosEnvelope(2, target, new PaxosMessage.Prepare(new Ballot(Long.MAX_VALUE, 2), 1)));
            for (long clock : HOSTILE_CLOCKS) {
                frame(out, envelope("paxos", Map.of("payload", prepare), clock));
                frame(out, envelope("no-such-service", Map.of(), clock));
            }
            frame(out, new byte[] {(byte) 0xc1, 1, 2, 3});
            out.flush();
            Thread.sleep(200);
        }
    }

    private static void frame(OutputStream out, byte[] bytes) throws IOException {
        DataOutputStream data = new DataOutputStream(out);
        data.writeInt(bytes.length);
        data.write(bytes);
    }

    private static long postsBy(WireClient wire, String user) {
        return WireClient.messages(wire.call("history", Map.of("channel", "room", "limit", 500))).stream()
                .filter(m -> user.equals(m.get("user")))
                .count();
    }
}
