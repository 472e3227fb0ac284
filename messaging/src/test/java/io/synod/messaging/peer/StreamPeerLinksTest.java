package io.synod.messaging.peer;

import static io.synod.messaging.peer.PeerLinksPolling.LONG_FRAMES;
import static io.synod.messaging.peer.PeerLinksPolling.WAIT;
import static io.synod.messaging.peer.PeerLinksPolling.port;
import static io.synod.messaging.peer.PeerLinksPolling.receive;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.synod.messaging.InteractionLog;
import io.synod.messaging.ProcessClock;
import io.synod.messaging.zmtp.ZmtpClient;
import io.synod.messaging.zmtp.ZmtpCodec;
import io.synod.messaging.zmtp.ZmtpConnection;
import io.synod.protocol.Envelope;
import io.synod.protocol.Limits;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/** {@link StreamPeerLinks} on loopback: two or three of them polled by the test thread, and raw sockets. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StreamPeerLinksTest {

    private final List<StreamPeerLinks> opened = new ArrayList<>();
    private final List<Socket> rawSockets = new ArrayList<>();

    @AfterEach
    void stop() throws IOException {
        opened.forEach(StreamPeerLinks::close);
        for (Socket socket : rawSockets) {
            socket.close();
        }
    }

    private StreamPeerLinks links(String name, String endpoint, PeerLinkConfig config, InteractionLog log) {
        StreamPeerLinks links = new StreamPeerLinks(config, name, endpoint, ProcessClock.system(), log, LONG_FRAMES);
        opened.add(links);
        return links;
    }

    private StreamPeerLinks links(String name) {
        return links(name, "tcp://127.0.0.1:0", PeerLinkConfig.defaults(), InteractionLog.inMemory(name));
    }

    private static PeerLinkConfig config(int queueMax, long ageMaxMillis) {
        PeerLinkConfig d = PeerLinkConfig.defaults();
        return new PeerLinkConfig(
                queueMax,
                ageMaxMillis,
                d.socketHighWaterMarkMessages(),
                d.receiveMessagesPerPollMax(),
                10,
                20,
                d.unloggedServices());
    }

    /** Polls every link (10 ms waits) until {@code done}, collecting what {@code into}'s owner received. */
    private static void pollUntil(BooleanSupplier done, StreamPeerLinks... links) {
        await().atMost(WAIT)
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(1))
                .until(() -> {
                    for (StreamPeerLinks l : links) {
                        l.poll(1);
                    }
                    return done.getAsBoolean();
                });
    }

    private static Envelope message(String service, long n) {
        return new Envelope(service, Map.of("n", n));
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Socket raw(StreamPeerLinks target) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), port(target));
        socket.setSoTimeout(5_000);
        rawSockets.add(socket);
        return socket;
    }

    private static void writeFrame(DataOutputStream out, byte[] body) throws IOException {
        out.writeInt(body.length);
        out.write(body);
        out.flush();
    }

    private static byte[] hello(String name) {
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        byte[] frame = new byte[StreamPeerLinks.HELLO_MAGIC.length + nameBytes.length];
        System.arraycopy(StreamPeerLinks.HELLO_MAGIC, 0, frame, 0, StreamPeerLinks.HELLO_MAGIC.length);
        System.arraycopy(nameBytes, 0, frame, StreamPeerLinks.HELLO_MAGIC.length, nameBytes.length);
        return frame;
    }

    @Test
    void aMessageArrivesWithTheSenderNameAndItsClockAndTheReplyComesBackOnTheSameConnection() {
        InteractionLog logA = InteractionLog.inMemory("a");
        StreamPeerLinks a = links("a", "tcp://127.0.0.1:0", PeerLinkConfig.defaults(), logA);
        StreamPeerLinks b = links("b");
        a.setPeers(Map.of("a", a.boundEndpoint(), "b", b.boundEndpoint()));
        assertThat(a.peers()).containsOnlyKeys("b");

        assertThat(a.send("b", message("ping", 1))).isTrue();
        PeerInbound request = receive(1, b, a).get(0);
        assertThat(request.source()).isEqualTo("a");
        assertThat(request.envelope().service()).isEqualTo("ping");
        assertThat(request.envelope().data())
                .containsEntry("n", 1L)
                .containsKey("clock")
                .containsKey("timestamp");
        assertThat(request.arrivedOnAcceptedLink()).isTrue();

        b.reply(request, message("pong", 2));
        PeerInbound reply = receive(1, a, b).get(0);
        assertThat(reply.source()).isEqualTo("b");
        assertThat(reply.envelope().service()).isEqualTo("pong");
        assertThat(reply.arrivedOnAcceptedLink()).isFalse();
        assertThat(a.stats().sentCount()).isEqualTo(1);
        assertThat(a.stats().receivedCount()).isEqualTo(1);
        assertThat(String.join("\n", logA.recentLines())).contains("ping").contains("pong");
    }

    @Test
    void flushWritesWhatWasSentWithoutWaitingForTheSendersNextPoll() {
        StreamPeerLinks a = links("a");
        StreamPeerLinks b = links("b");
        a.setPeers(Map.of("b", b.boundEndpoint()));
        pollUntil(() -> Long.valueOf(1).equals(a.statsMap().get("connected")), a, b);
        a.send("b", message("m", 1));
        a.flush();
        // Only the receiver polls from here: without the flush the message would wait for a's next poll.
        assertThat(receive(1, b)).extracting(m -> m.envelope().data().get("n")).containsExactly(1L);
    }

    @Test
    void messagesSentWhileThePeerIsDownWaitAndArriveInOrderOnceItListens() {
        int port = freePort();
        StreamPeerLinks a = links("a");
        a.setPeers(Map.of("b", "tcp://127.0.0.1:" + port));
        for (long n = 1; n <= 5; n++) {
            a.send("b", message("m", n));
        }
        a.poll(20); // refused: they stay queued
        assertThat(a.stats().queuedMessages()).isEqualTo(5);

        StreamPeerLinks b =
                links("b", "tcp://127.0.0.1:" + port, PeerLinkConfig.defaults(), InteractionLog.inMemory("b"));
        List<PeerInbound> got = receive(5, b, a);
        assertThat(got).extracting(m -> m.envelope().data().get("n")).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(a.stats().queuedMessages()).isZero();
    }

    @Test
    void aFullQueueDropsTheOldestAndAStaleMessageExpiresInsteadOfArrivingLate() throws InterruptedException {
        int port = freePort();
        StreamPeerLinks a = links("a", "tcp://127.0.0.1:0", config(3, 60_000), InteractionLog.inMemory("a"));
        a.setPeers(Map.of("b", "tcp://127.0.0.1:" + port));
        for (long n = 1; n <= 5; n++) {
            a.send("b", message("m", n));
        }
        assertThat(a.stats().droppedQueueFullCount()).isEqualTo(2);
        StreamPeerLinks b =
                links("b", "tcp://127.0.0.1:" + port, PeerLinkConfig.defaults(), InteractionLog.inMemory("b"));
        assertThat(receive(3, b, a))
                .extracting(m -> m.envelope().data().get("n"))
                .containsExactly(3L, 4L, 5L);

        int port2 = freePort();
        StreamPeerLinks c = links("c", "tcp://127.0.0.1:0", config(10, 1), InteractionLog.inMemory("c"));
        c.setPeers(Map.of("d", "tcp://127.0.0.1:" + port2));
        c.send("d", message("m", 1));
        Thread.sleep(20); // older than the 1 ms allowed
        c.poll(0);
        assertThat(c.stats().droppedExpiredCount()).isEqualTo(1);
        assertThat(c.stats().queuedMessages()).isZero();
        assertThat(c.send("nobody", message("m", 2))).isFalse();
        assertThat(c.stats().droppedUnknownPeerCount()).isEqualTo(1);
    }

    @Test
    void thousandsOfMessagesAndLongFramesArriveWholeAndInOrderThroughFullSocketBuffers() {
        StreamPeerLinks a = links("a", "tcp://127.0.0.1:0", config(10_000, 60_000), InteractionLog.inMemory("a"));
        StreamPeerLinks b = links("b");
        a.setPeers(Map.of("b", b.boundEndpoint()));
        pollUntil(() -> Long.valueOf(1).equals(a.statsMap().get("connected")), a, b);
        byte[] big = new byte[3 << 20]; // 3 MiB: longer than a read buffer and a socket buffer
        new java.util.SplittableRandom(7).nextBytes(big);
        int count = 3_000;
        List<PeerInbound> got = new ArrayList<>();
        for (long n = 1; n <= count; n++) {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("n", n);
            if (n % 1_000 == 0) {
                data.put("payload", big);
            }
            a.send("b", new Envelope("m", data));
            if (n % 500 == 0) {
                got.addAll(b.poll(0)); // the receiver keeps up only now and then
            }
        }
        got.addAll(receive(count - got.size(), b, a));
        assertThat(got).hasSize(count);
        for (int i = 0; i < count; i++) {
            assertThat(got.get(i).envelope().data().get("n")).isEqualTo((long) i + 1);
        }
        assertThat((byte[]) got.get(999).envelope().data().get("payload")).isEqualTo(big);
        assertThat(a.stats().sentCount()).isEqualTo(count);
        assertThat(a.stats().droppedQueueFullCount()).isZero();
    }

    @Test
    void aRestartedPeerGetsWhatWasQueuedForItAndTheLinkCountsTheBreak() {
        StreamPeerLinks a = links("a");
        StreamPeerLinks b = links("b");
        String endpointB = b.boundEndpoint();
        a.setPeers(Map.of("b", endpointB));
        a.send("b", message("m", 1));
        receive(1, b, a);

        b.close();
        opened.remove(b);
        pollUntil(() -> ((Long) a.statsMap().get("connections_broken")) >= 1, a);
        a.send("b", message("m", 2));
        a.send("b", message("m", 3));
        StreamPeerLinks b2 = links("b", endpointB, PeerLinkConfig.defaults(), InteractionLog.inMemory("b"));
        assertThat(receive(2, b2, a))
                .extracting(m -> m.envelope().data().get("n"))
                .containsExactly(2L, 3L);
    }

    @Test
    void hostileConnectionsAreClosedOrTheirBadFramesDroppedAndTheLinksKeepServing() throws IOException {
        StreamPeerLinks b = links("b");
        StreamPeerLinks a = links("a");
        a.setPeers(Map.of("b", b.boundEndpoint()));

        // no hello: closed
        Socket noHello = raw(b);
        writeFrame(new DataOutputStream(noHello.getOutputStream()), new Envelope("m", Map.of()).encode());
        pollUntil(() -> b.stats().invalidReceivedCount() == 1, b);
        assertThat(noHello.getInputStream().read()).isEqualTo(-1);

        // a length over the limit: closed, nothing allocated for it
        Socket oversized = raw(b);
        DataOutputStream out = new DataOutputStream(oversized.getOutputStream());
        writeFrame(out, hello("x"));
        out.writeInt(Integer.MAX_VALUE);
        out.flush();
        pollUntil(() -> b.stats().invalidReceivedCount() == 2, b);
        assertThat(oversized.getInputStream().read()).isEqualTo(-1);

        // malformed MessagePack, then a frame that is not an envelope: dropped, the connection goes on
        Socket tool = raw(b);
        DataOutputStream toolOut = new DataOutputStream(tool.getOutputStream());
        writeFrame(toolOut, hello("tool"));
        writeFrame(toolOut, new byte[] {(byte) 0xc1, 1, 2});
        writeFrame(toolOut, new byte[] {(byte) 0x93, 1, 2, 3});
        writeFrame(toolOut, new Envelope("m", Map.of("n", 9L)).encode());
        List<PeerInbound> got = receive(1, b);
        assertThat(got).singleElement().satisfies(m -> {
            assertThat(m.source()).isEqualTo("tool");
            assertThat(m.envelope().data()).containsEntry("n", 9L);
        });
        assertThat(b.stats().invalidReceivedCount()).isEqualTo(4);

        // the tool gets its answer on its connection; a real peer is still served
        b.reply(got.get(0), new Envelope("answer", Map.of("ok", true)));
        pollUntil(() -> b.stats().queuedMessages() == 0, b);
        DataInputStream toolIn = new DataInputStream(tool.getInputStream());
        byte[] answer = new byte[toolIn.readInt()];
        toolIn.readFully(answer);
        assertThat(Envelope.decode(answer, Limits.DEFAULT).service()).isEqualTo("answer");
        a.send("b", message("m", 10));
        assertThat(receive(1, b, a).get(0).envelope().data()).containsEntry("n", 10L);
    }

    @Test
    void connectionsBeyondTheLimitAreClosedAtOnceAndCounted() throws IOException {
        StreamPeerLinks b = links("b");
        List<Socket> held = new ArrayList<>();
        for (int i = 0; i < StreamPeerLinks.INBOUND_CONNECTIONS_MAX; i++) {
            held.add(raw(b)); // silent: no hello, each holds a slot
        }
        pollUntil(() -> ((Integer) b.statsMap().get("accepted")) == StreamPeerLinks.INBOUND_CONNECTIONS_MAX, b);
        Socket extra = raw(b);
        pollUntil(() -> ((Long) b.statsMap().get("connections_refused")) == 1, b);
        assertThat(extra.getInputStream().read()).isEqualTo(-1);

        held.get(0).close(); // a slot frees up once the close is seen
        pollUntil(() -> ((Integer) b.statsMap().get("accepted")) == StreamPeerLinks.INBOUND_CONNECTIONS_MAX - 1, b);
        StreamPeerLinks a = links("a");
        a.setPeers(Map.of("b", b.boundEndpoint()));
        a.send("b", message("m", 1));
        assertThat(receive(1, b, a).get(0).source()).isEqualTo("a");
    }

    @Test
    void aToolsRequestIsAnsweredOnItsOwnConnection() {
        StreamPeerLinks b = links("b");
        CompletableFuture<Envelope> answer = CompletableFuture.supplyAsync(() -> {
            try {
                return PeerRequests.request(
                        b.boundEndpoint(),
                        "admin",
                        new Envelope("remove", Map.of("name", "x")),
                        10_000,
                        Limits.DEFAULT);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        PeerInbound request = receive(1, b).get(0);
        assertThat(request.source()).isEqualTo("admin");
        b.reply(request, new Envelope("remove", Map.of("status", "OK")));
        pollUntil(answer::isDone, b);
        assertThat(answer.join().data()).containsEntry("status", "OK").containsKey("clock");
    }

    @Test
    void anAnswerToAToolThatHungUpIsDroppedAndTheOtherConnectionsGoOn() throws IOException {
        StreamPeerLinks b = links("b");
        Socket tool = raw(b);
        DataOutputStream out = new DataOutputStream(tool.getOutputStream());
        writeFrame(out, hello("tool"));
        writeFrame(out, new Envelope("remove", Map.of("name", "x")).encode());
        PeerInbound request = receive(1, b).get(0);
        StreamPeerLinks a = links("a"); // accepted after the tool's connection, so handled after it
        a.setPeers(Map.of("b", b.boundEndpoint()));
        a.send("b", message("m", 1));
        assertThat(receive(1, b, a).get(0).source()).isEqualTo("a");

        tool.setSoLinger(true, 0);
        tool.close(); // a reset: the answer's write fails
        b.reply(request, new Envelope("remove", Map.of("status", "OK")));
        pollUntil(() -> ((Integer) b.statsMap().get("accepted")) == 1, b);
        b.reply(request, new Envelope("remove", Map.of("status", "OK"))); // its connection is gone now
        assertThat(b.stats().droppedUnknownPeerCount()).isEqualTo(1);
        a.send("b", message("m", 2));
        assertThat(receive(1, b, a).get(0).envelope().data()).containsEntry("n", 2L);
    }

    @Test
    void aRequestToAnEndpointNobodyListensOnFailsWithAnIoError() {
        int port = freePort();
        assertThatThrownBy(() -> PeerRequests.request(
                        "tcp://127.0.0.1:" + port, "admin", new Envelope("remove", Map.of()), 2_000, Limits.DEFAULT))
                .isInstanceOf(IOException.class);
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // < one 30 s wait
    void pollServesAWatchedZeroMqClientAndWakesWhenItReceives() throws Exception {
        StreamPeerLinks a = links("a");
        try (ZContext context = new ZContext()) {
            ZMQ.Socket router = context.createSocket(SocketType.ROUTER);
            router.setLinger(0);
            router.setReceiveTimeOut(100);
            router.bind("tcp://127.0.0.1:*");
            ZmtpClient client = new ZmtpClient(
                    ZmtpCodec.SocketType.DEALER,
                    router.getLastEndpoint(),
                    a.selector(),
                    new ZmtpClient.Config(
                            100,
                            1_000,
                            10_000,
                            100,
                            new ZmtpConnection.Limits(1 << 20, 8, 1 << 20, 1_000, 1 << 20, 64 << 10)),
                    System.nanoTime());
            a.watch(client);
            // the handshake runs inside the polls; a message sent meanwhile waits for it
            client.send(List.of(new byte[0], "hi".getBytes(StandardCharsets.UTF_8)));
            byte[] identity = null;
            while (identity == null) {
                a.poll(10);
                client.tick(System.nanoTime());
                client.flush();
                identity = router.recv(0);
            }
            assertThat(router.recv(0)).isEmpty();
            assertThat(router.recvStr(0)).isEqualTo("hi");
            byte[] to = identity;
            CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
                try {
                    Thread.sleep(100); // most likely while the poll below waits
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                router.sendMore(to);
                router.sendMore(new byte[0]);
                router.send("hello");
                router.sendMore(to);
                router.sendMore(new byte[0]);
                router.send("again");
            });
            while (!client.hasReceived()) {
                a.poll(30_000); // returns when the message is there, not after 30 s
            }
            sent.join();
            assertThat(client.receive()).last().isEqualTo("hello".getBytes(StandardCharsets.UTF_8));
            // a message already received (no new bytes on the socket) must not be slept on either
            while (!client.hasReceived()) {
                a.poll(30_000);
            }
            a.poll(30_000);
            assertThat(client.receive()).last().isEqualTo("again".getBytes(StandardCharsets.UTF_8));
            assertThat(client.connects()).isEqualTo(1);
            client.close();
        }
    }

    @Test
    void badEndpointsAndAnEndpointInUseAreRefusedWithAClearError() {
        assertThatThrownBy(() -> links("a", "ipc://x", PeerLinkConfig.defaults(), InteractionLog.inMemory("a")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tcp://HOST:PORT");
        assertThatThrownBy(() -> io.synod.messaging.TcpEndpoint.parse("tcp://127.0.0.1:99999", false))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> io.synod.messaging.TcpEndpoint.parse("tcp://127.0.0.1:0", false))
                .isInstanceOf(IllegalArgumentException.class);
        StreamPeerLinks a = links("a");
        assertThatThrownBy(() -> links("b", a.boundEndpoint(), PeerLinkConfig.defaults(), InteractionLog.inMemory("b")))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("cannot listen on");
        assertThat(io.synod.messaging.TcpEndpoint.parse("tcp://*:0", true)
                        .getAddress()
                        .isAnyLocalAddress())
                .isTrue();
        assertThat(a.boundEndpoint()).startsWith("tcp://127.0.0.1:").doesNotEndWith(":0");
    }
}
