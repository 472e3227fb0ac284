package io.synod.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.synod.messaging.zmtp.ZmtpCodec;
import io.synod.protocol.Envelope;
import io.synod.protocol.Limits;
import io.synod.protocol.Publication;
import io.synod.protocol.SessionTopics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

class ForwarderTest {
    private final ZContext context = new ZContext();
    private final InteractionLog log = InteractionLog.inMemory("test");
    private Forwarder forwarder;

    @AfterEach
    void stop() {
        if (forwarder != null) {
            forwarder.close();
        }
        context.close();
    }

    private ZMQ.Socket socket(SocketType type, String endpoint) {
        return ZmqTestSockets.connect(context, type, endpoint);
    }

    @Test
    void theBrokerConnectsAForeignReqClientToAForeignRepServer() {
        forwarder = BrokerCommand.start("tcp://127.0.0.1:*", "tcp://127.0.0.1:*", log, ProcessClock.system());
        assertThat(forwarder.frontendEndpoint()).matches("tcp://127\\.0\\.0\\.1:\\d+");
        ZMQ.Socket server = socket(SocketType.REP, forwarder.backendEndpoint());
        ZMQ.Socket client = socket(SocketType.REQ, forwarder.frontendEndpoint());
        for (int i = 0; i < 3; i++) {
            Envelope request = new Envelope("login", Map.of("user", "ana" + i));
            assertThat(ZmqTestSockets.sendEnvelope(client, request)).isTrue();
            Envelope received = ZmqTestSockets.receiveEnvelope(server, Limits.DEFAULT);
            assertThat(received).isEqualTo(request);
            ZmqTestSockets.sendEnvelope(server, new Envelope("login", Map.of("status", "sucesso")));
            assertThat(ZmqTestSockets.receiveEnvelope(client, Limits.DEFAULT).data())
                    .containsEntry("status", "sucesso");
        }
    }

    @Test
    void aDealerServerSeesTheRoutingFramesAndTheEmptyDelimiter() {
        forwarder = BrokerCommand.start("tcp://127.0.0.1:*", "tcp://127.0.0.1:*", log, ProcessClock.system());
        ZMQ.Socket server = socket(SocketType.DEALER, forwarder.backendEndpoint());
        ZMQ.Socket client = socket(SocketType.REQ, forwarder.frontendEndpoint());
        client.send("hello".getBytes(StandardCharsets.UTF_8), 0);
        List<byte[]> frames = ZmqTestSockets.receiveMultipart(server, 0);
        assertThat(frames).hasSize(3); // [client identity, empty delimiter, body]
        ZmqMessages.Routed routed = ZmqMessages.splitRouted(frames);
        assertThat(routed.routing()).hasSize(2);
        assertThat(routed.body()).hasSize(1);
        ZmqTestSockets.sendMultipart(server, routed.reply("world".getBytes(StandardCharsets.UTF_8)));
        assertThat(new String(client.recv(0), StandardCharsets.UTF_8)).isEqualTo("world");
    }

    @Test
    void aRequestSentBeforeAnyServerConnectsIsDeliveredWhenOneDoes() {
        forwarder = BrokerCommand.start("tcp://127.0.0.1:*", "tcp://127.0.0.1:*", log, ProcessClock.system());
        ZMQ.Socket client = socket(SocketType.REQ, forwarder.frontendEndpoint());
        ZmqTestSockets.sendEnvelope(client, new Envelope("users", Map.of()));
        ZMQ.Socket server = socket(SocketType.REP, forwarder.backendEndpoint());
        assertThat(ZmqTestSockets.receiveEnvelope(server, Limits.DEFAULT).service())
                .isEqualTo("users");
        ZmqTestSockets.sendEnvelope(server, new Envelope("users", Map.of("users", List.of())));
        assertThat(ZmqTestSockets.receiveEnvelope(client, Limits.DEFAULT).data())
                .containsKey("users");
    }

    @Test
    void splitRoutedHandlesDealerClientsWithoutDelimiter() {
        byte[] id = {1, 2};
        byte[] body = {9};
        ZmqMessages.Routed routed = ZmqMessages.splitRouted(List.of(id, body));
        assertThat(routed.routing()).containsExactly(id);
        assertThat(routed.body()).containsExactly(body);
        assertThat(routed.peer()).isEqualTo("0102");
        ZmqMessages.Routed two = ZmqMessages.splitRouted(List.of(id, new byte[0], body, body));
        assertThat(two.body()).hasSize(2);
    }

    @Test
    void theProxyForwardsPublicationsAsTwoFrames() {
        forwarder = ProxyCommand.start("tcp://127.0.0.1:*", "tcp://127.0.0.1:*", log, ProcessClock.system());
        ZMQ.Socket sub = socket(SocketType.SUB, forwarder.backendEndpoint());
        sub.subscribe("geral".getBytes(StandardCharsets.UTF_8));
        ZMQ.Socket pub = socket(SocketType.PUB, forwarder.frontendEndpoint());
        Publication post = new Publication.ChannelPost("geral", "ana", "oi", 1.5, 3, 1, "1-0", 1);
        ZMQ.Socket nonBlockingSub = sub;
        nonBlockingSub.setReceiveTimeOut(100);
        // Slow joiner: publish until the subscription has propagated through the proxy.
        ZmqTestSockets.ReceivedPublication received = await().atMost(Duration.ofSeconds(10))
                .until(
                        () -> {
                            ZmqTestSockets.sendPublication(pub, post);
                            return ZmqTestSockets.receivePublication(nonBlockingSub, Limits.DEFAULT);
                        },
                        r -> r != null);
        assertThat(received.topic()).isEqualTo("geral");
        assertThat(received.payload())
                .containsEntry("user", "ana")
                .containsEntry("message", "oi")
                .containsEntry("seq", 1L);
    }

    @Test
    void aSessionTopicReachesOnlySubscribersNamingItsWholeDelivery() {
        forwarder = ProxyCommand.start("tcp://127.0.0.1:*", "tcp://127.0.0.1:*", log, ProcessClock.system());
        String delivery = SessionTopics.delivery("ab".repeat(32));
        String topic = SessionTopics.messagesTopic(delivery);
        ZMQ.Socket owner = socket(SocketType.SUB, forwarder.backendEndpoint());
        owner.subscribe(utf8(topic));
        ZMQ.Socket everything = socket(SocketType.SUB, forwarder.backendEndpoint());
        everything.subscribe(new byte[0]);
        ZMQ.Socket partial = socket(SocketType.SUB, forwarder.backendEndpoint());
        partial.subscribe(utf8(SessionTopics.PREFIX + delivery.substring(0, SessionTopics.DELIVERY_CHARS - 1)));
        partial.subscribe(utf8("bob")); // after the other on the same link: hearing "bob" proves both arrived
        ZMQ.Socket pub = socket(SocketType.PUB, forwarder.frontendEndpoint());
        java.util.concurrent.atomic.AtomicLong seq = new java.util.concurrent.atomic.AtomicLong();
        Runnable sendBoth = () -> { // a new seq each time: the proxy drops identical repeats
            Publication dm =
                    new Publication.DirectMessage("ana", "bob", "segredo", 1.5, 3, seq.incrementAndGet(), "1-0", 1, 1);
            ZmqTestSockets.sendPublication(pub, new Publication.SessionDelivery(topic, dm));
            ZmqTestSockets.sendPublication(pub, dm);
        };
        for (ZMQ.Socket sub : List.of(owner, everything, partial)) {
            sub.setReceiveTimeOut(100);
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                sendBoth.run();
                return ZmqTestSockets.receivePublication(sub, Limits.DEFAULT) != null;
            });
        }
        for (int i = 0; i < 20; i++) {
            sendBoth.run();
        }
        for (ZMQ.Socket sub : List.of(everything, partial)) {
            for (ZmqTestSockets.ReceivedPublication r;
                    (r = ZmqTestSockets.receivePublication(sub, Limits.DEFAULT)) != null; ) {
                assertThat(r.topic()).as("a wildcard over session topics").isEqualTo("bob");
            }
        }
        assertThat(ZmqTestSockets.receivePublication(owner, Limits.DEFAULT).topic())
                .isEqualTo(topic);
    }

    @Test
    void bindingAPortInUseFails() {
        forwarder = BrokerCommand.start("tcp://127.0.0.1:*", "tcp://127.0.0.1:*", log, ProcessClock.system());
        try {
            Forwarder second =
                    BrokerCommand.start(forwarder.frontendEndpoint(), "tcp://127.0.0.1:*", log, ProcessClock.system());
            second.close();
            throw new AssertionError("the second bind should have failed");
        } catch (java.io.UncheckedIOException expected) {
            assertThat(expected.getMessage()).contains("cannot listen on", forwarder.frontendEndpoint());
        }
    }

    private static final ForwarderConfig SMALL = new ForwarderConfig(
            100, 5, 1 << 20, 4_096, 8, 64 << 10, 3, 1_000, 0, 1, 1, ForwarderConfig.CLIENT_IN_FLIGHT_DEFAULT);

    private Forwarder broker(ForwarderConfig config) {
        return start("broker", ZmtpCodec.SocketType.ROUTER, ZmtpCodec.SocketType.DEALER, config);
    }

    private Forwarder start(
            String name, ZmtpCodec.SocketType frontend, ZmtpCodec.SocketType backend, ForwarderConfig config) {
        return Forwarder.start(
                name, frontend, "tcp://127.0.0.1:*", backend, "tcp://127.0.0.1:*", config, log, ProcessClock.system());
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** A DEALER server that answers each request with "<name>:<body>" until the test ends. */
    private Thread echoServer(String name, String endpoint, java.util.concurrent.atomic.AtomicInteger served) {
        ZMQ.Socket server = socket(SocketType.DEALER, endpoint);
        server.setReceiveTimeOut(100);
        Thread thread = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                List<byte[]> frames;
                try {
                    frames = ZmqTestSockets.receiveMultipart(server, 0);
                } catch (org.zeromq.ZMQException e) {
                    return;
                }
                if (frames == null) {
                    continue;
                }
                ZmqMessages.Routed routed = ZmqMessages.splitRouted(frames);
                served.incrementAndGet();
                ZmqTestSockets.sendMultipart(
                        server,
                        routed.reply(utf8(name + ":" + new String(routed.body().get(0), StandardCharsets.UTF_8))));
            }
        });
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    @Test
    void everyClientGetsItsOwnRepliesAndTheServersShareTheRequests() throws Exception {
        forwarder = BrokerCommand.start("tcp://127.0.0.1:*", "tcp://127.0.0.1:*", log, ProcessClock.system());
        var servedA = new java.util.concurrent.atomic.AtomicInteger();
        var servedB = new java.util.concurrent.atomic.AtomicInteger();
        Thread a = echoServer("a", forwarder.backendEndpoint(), servedA);
        Thread b = echoServer("b", forwarder.backendEndpoint(), servedB);
        try {
            List<ZMQ.Socket> clients = new java.util.ArrayList<>();
            for (int i = 0; i < 20; i++) {
                clients.add(socket(SocketType.REQ, forwarder.frontendEndpoint()));
            }
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                // both servers connected: a burst of requests reaches both
                servedA.set(0);
                servedB.set(0);
                for (int round = 0; round < 3; round++) {
                    for (int i = 0; i < clients.size(); i++) {
                        clients.get(i).send(utf8("c" + i + "r" + round), 0);
                    }
                    for (int i = 0; i < clients.size(); i++) {
                        String reply = new String(clients.get(i).recv(0), StandardCharsets.UTF_8);
                        assertThat(reply).endsWith(":c" + i + "r" + round);
                    }
                }
                assertThat(servedA.get()).isPositive();
                assertThat(servedB.get()).isPositive();
            });
        } finally {
            a.interrupt();
            b.interrupt();
            a.join(5_000);
            b.join(5_000);
        }
    }

    @Test
    void aClientsOwnIdentityIsItsRoutingFrame() {
        forwarder = BrokerCommand.start("tcp://127.0.0.1:*", "tcp://127.0.0.1:*", log, ProcessClock.system());
        ZMQ.Socket server = socket(SocketType.DEALER, forwarder.backendEndpoint());
        ZMQ.Socket client = context.createSocket(SocketType.DEALER);
        client.setLinger(0);
        client.setReceiveTimeOut(5_000);
        client.setIdentity(utf8("ana-terminal"));
        client.connect(forwarder.frontendEndpoint());
        client.send(new byte[0], ZMQ.SNDMORE);
        client.send(utf8("oi"), 0);
        List<byte[]> frames = ZmqTestSockets.receiveMultipart(server, 0);
        assertThat(new String(frames.get(0), StandardCharsets.UTF_8)).isEqualTo("ana-terminal");
        ZmqTestSockets.sendMultipart(server, List.of(frames.get(0), new byte[0], utf8("ola")));
        assertThat(ZmqTestSockets.receiveMultipart(client, 0)).last().isEqualTo(utf8("ola"));
    }

    @Test
    void requestsHeldWithoutServersStayInOrderPastTheHighWaterMark() {
        forwarder = broker(SMALL);
        ZMQ.Socket client = socket(SocketType.DEALER, forwarder.frontendEndpoint());
        for (int i = 0; i < 200; i++) {
            client.send(new byte[0], ZMQ.SNDMORE);
            client.send(utf8("r" + i), 0);
        }
        ZMQ.Socket server = socket(SocketType.DEALER, forwarder.backendEndpoint());
        for (int i = 0; i < 200; i++) {
            List<byte[]> frames = ZmqTestSockets.receiveMultipart(server, 0);
            assertThat(frames).as("request %d", i).isNotNull();
            assertThat(new String(frames.get(2), StandardCharsets.UTF_8)).isEqualTo("r" + i);
            // answered: the client's next waiting request may go (its in-flight limit)
            ZmqTestSockets.sendMultipart(server, List.of(frames.get(0), new byte[0], utf8("ok" + i)));
        }
    }

    @Test
    void aClientAtItsInFlightLimitWaitsBehindItselfNotInFrontOfOthers() {
        forwarder = broker(ForwarderConfig.DEFAULT.withClientInFlightMax(4));
        ZMQ.Socket server = socket(SocketType.DEALER, forwarder.backendEndpoint());
        ZMQ.Socket flooder = socket(SocketType.DEALER, forwarder.frontendEndpoint());
        for (int i = 0; i < 100; i++) {
            flooder.send(new byte[0], ZMQ.SNDMORE);
            flooder.send(utf8("flood" + i), 0);
        }
        List<List<byte[]>> unanswered = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            unanswered.add(ZmqTestSockets.receiveMultipart(server, 0));
            assertThat(new String(unanswered.get(i).get(2), StandardCharsets.UTF_8))
                    .isEqualTo("flood" + i);
        }
        ZMQ.Socket other = socket(SocketType.DEALER, forwarder.frontendEndpoint());
        other.send(new byte[0], ZMQ.SNDMORE);
        other.send(utf8("mine"), 0);
        List<byte[]> next = ZmqTestSockets.receiveMultipart(server, 0);
        assertThat(new String(next.get(2), StandardCharsets.UTF_8))
                .as("the other client's request passes the flooder's 96 waiting ones")
                .isEqualTo("mine");
        ZmqTestSockets.sendMultipart(server, List.of(next.get(0), new byte[0], utf8("yours")));
        assertThat(ZmqTestSockets.receiveMultipart(other, 0)).last().isEqualTo(utf8("yours"));
        for (int i = 4; i < 100; i++) { // each answer lets one more of the flooder's go, in order
            List<byte[]> answered = unanswered.remove(0);
            ZmqTestSockets.sendMultipart(server, List.of(answered.get(0), new byte[0], utf8("ok")));
            List<byte[]> frames = ZmqTestSockets.receiveMultipart(server, 0);
            assertThat(frames).as("request %d", i).isNotNull();
            assertThat(new String(frames.get(2), StandardCharsets.UTF_8)).isEqualTo("flood" + i);
            unanswered.add(frames);
        }
    }

    @Test
    void hostileConnectionsAreClosedAndTheBrokerKeepsServing() throws Exception {
        forwarder = BrokerCommand.start("tcp://127.0.0.1:*", "tcp://127.0.0.1:*", log, ProcessClock.system());
        java.net.InetSocketAddress front = TcpEndpoint.parse(forwarder.frontendEndpoint(), false);
        List<byte[]> attacks = List.of(
                utf8("GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
                // a good greeting, then a READY that is not a READY
                concat(ZmtpCodec.greeting(), new byte[] {4, 3, 2, 'H', 'I'}),
                // a good handshake, then a frame announced at 2^62 bytes
                concat(ZmtpCodec.greeting(), ZmtpCodec.ready(ZmtpCodec.SocketType.DEALER, null), new byte[] {
                    2, 0x40, 0, 0, 0, 0, 0, 0, 0
                }),
                // a publisher knocking on the broker
                concat(ZmtpCodec.greeting(), ZmtpCodec.ready(ZmtpCodec.SocketType.PUB, null)));
        for (byte[] attack : attacks) {
            try (java.net.Socket raw = new java.net.Socket(front.getAddress(), front.getPort())) {
                raw.setSoTimeout(5_000);
                raw.getOutputStream().write(attack);
                raw.getOutputStream().flush();
                java.io.InputStream in = raw.getInputStream();
                long read = 0;
                try {
                    while (in.read() >= 0) {
                        read++;
                        assertThat(read).as("the broker closes the connection").isLessThan(10_000);
                    }
                } catch (java.net.SocketException reset) {
                    // closed with a reset: as good as an end of stream
                }
            }
        }
        theBrokerStillServes();
    }

    private void theBrokerStillServes() {
        ZMQ.Socket server = socket(SocketType.REP, forwarder.backendEndpoint());
        ZMQ.Socket client = socket(SocketType.REQ, forwarder.frontendEndpoint());
        client.send(utf8("still there?"), 0);
        assertThat(server.recv(0)).isEqualTo(utf8("still there?"));
        server.send(utf8("yes"), 0);
        assertThat(client.recv(0)).isEqualTo(utf8("yes"));
    }

    /**
     * Receives on a socket connected just now, nudging its context while nothing comes: JeroMQ's connecting side
     * sometimes sends nothing, not even its handshake, until its I/O thread gets another command (ZmqOptions).
     */
    private byte[] receiveNudging(ZMQ.Socket socket) {
        byte[] frame = ZmqTestSockets.receiveNudging(context, socket, 10_000);
        socket.setReceiveTimeOut(5_000);
        if (frame == null) {
            throw new AssertionError("nothing arrived in 10 s");
        }
        return frame;
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    @Test
    void connectionsBeyondTheLimitAreClosedAtOnce() throws Exception {
        forwarder = broker(SMALL);
        java.net.InetSocketAddress front = TcpEndpoint.parse(forwarder.frontendEndpoint(), false);
        List<java.net.Socket> held = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < SMALL.connectionsMax(); i++) {
                java.net.Socket socket = new java.net.Socket(front.getAddress(), front.getPort());
                socket.setSoTimeout(5_000);
                assertThat(socket.getInputStream().readNBytes(10))
                        .as("the greeting's signature")
                        .hasSize(10);
                held.add(socket);
            }
            try (java.net.Socket extra = new java.net.Socket(front.getAddress(), front.getPort())) {
                extra.setSoTimeout(5_000);
                int first;
                try {
                    first = extra.getInputStream().read();
                } catch (java.net.SocketException reset) {
                    first = -1;
                }
                assertThat(first).as("closed without a greeting").isEqualTo(-1);
            }
        } finally {
            for (java.net.Socket socket : held) {
                socket.close();
            }
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(this::theBrokerStillServes);
    }

    @Test
    void theProxySendsSubscriptionsUpstreamOnceAndCancelsThemWhenTheLastSubscriberLeaves() {
        forwarder = ProxyCommand.start("tcp://127.0.0.1:*", "tcp://127.0.0.1:*", log, ProcessClock.system());
        ZMQ.Socket publisher = socket(SocketType.XPUB, forwarder.frontendEndpoint());
        ZMQ.Socket first = socket(SocketType.SUB, forwarder.backendEndpoint());
        first.subscribe(utf8("geral"));
        assertThat(receiveNudging(publisher)).isEqualTo(concat(new byte[] {1}, utf8("geral")));
        ZMQ.Socket second = socket(SocketType.SUB, forwarder.backendEndpoint());
        second.subscribe(utf8("geral"));
        second.subscribe(utf8("ger"));
        assertThat(receiveNudging(publisher))
                .as("only the new topic goes upstream")
                .isEqualTo(concat(new byte[] {1}, utf8("ger")));
        ZMQ.Socket late = socket(SocketType.XPUB, forwarder.frontendEndpoint());
        java.util.Set<String> replayed = new java.util.HashSet<>();
        replayed.add(new String(receiveNudging(late), StandardCharsets.UTF_8));
        replayed.add(new String(late.recv(0), StandardCharsets.UTF_8));
        assertThat(replayed).containsExactlyInAnyOrder("\u0001geral", "\u0001ger");
        second.close();
        assertThat(publisher.recv(0))
                .as("the last subscriber of ger left")
                .isEqualTo(concat(new byte[] {0}, utf8("ger")));
        first.close();
        assertThat(publisher.recv(0)).isEqualTo(concat(new byte[] {0}, utf8("geral")));
    }

    @Test
    void aPublicationReachesEachMatchingSubscriberOnce() {
        forwarder = ProxyCommand.start("tcp://127.0.0.1:*", "tcp://127.0.0.1:*", log, ProcessClock.system());
        ZMQ.Socket publisher = socket(SocketType.XPUB, forwarder.frontendEndpoint());
        ZMQ.Socket both = socket(SocketType.SUB, forwarder.backendEndpoint());
        both.subscribe(utf8("geral"));
        both.subscribe(utf8("ge"));
        ZMQ.Socket other = socket(SocketType.SUB, forwarder.backendEndpoint());
        other.subscribe(utf8("esportes"));
        other.setReceiveTimeOut(300);
        for (int i = 0; i < 3; i++) {
            receiveNudging(publisher); // the subscriptions reached the publisher's side
        }
        publisher.sendMore("geral");
        publisher.send("um");
        publisher.sendMore("esportes");
        publisher.send("dois");
        assertThat(both.recvStr(0)).isEqualTo("geral");
        assertThat(both.recvStr(0)).isEqualTo("um");
        assertThat(other.recvStr(0)).isEqualTo("esportes");
        assertThat(other.recvStr(0)).isEqualTo("dois");
        both.setReceiveTimeOut(300);
        assertThat(both.recv(0))
                .as("delivered once although two subscriptions match")
                .isNull();
        assertThat(other.recv(0)).isNull();
    }

    @Test
    void aSubscriberThatDoesNotReadMissesPublicationsAndStopsNobodyElse() {
        ForwarderConfig tight = new ForwarderConfig(
                100, 5, 64 << 10, 4_096, 8, 64 << 10, 100, 200, 0, 1, 1, ForwarderConfig.CLIENT_IN_FLIGHT_DEFAULT);
        forwarder = start("proxy", ZmtpCodec.SocketType.XSUB, ZmtpCodec.SocketType.XPUB, tight);
        ZMQ.Socket publisher = socket(SocketType.XPUB, forwarder.frontendEndpoint());
        ZMQ.Socket stalled = socket(SocketType.SUB, forwarder.backendEndpoint());
        stalled.setRcvHWM(1);
        stalled.subscribe(utf8("geral"));
        receiveNudging(publisher); // the subscription is in
        byte[] text = new byte[4_000];
        for (int i = 0; i < 5_000; i++) { // ~20 MB: far more than the socket buffers and the queue hold
            publisher.sendMore("geral");
            publisher.send(text);
        }
        await().atMost(Duration.ofSeconds(20))
                .until(() -> log.recentLines().stream()
                        .anyMatch(line -> line.contains("\"forwarded\"") && !line.contains("\"dropped\":0")));
        // the proxy still serves: a new subscriber gets a new publication
        ZMQ.Socket fresh = socket(SocketType.SUB, forwarder.backendEndpoint());
        fresh.subscribe(utf8("outro"));
        assertThat(receiveNudging(publisher)).isEqualTo(concat(new byte[] {1}, utf8("outro")));
        fresh.setReceiveTimeOut(200);
        String received = null;
        for (int i = 0; i < 50 && received == null; i++) {
            publisher.sendMore("outro");
            publisher.send("still flowing");
            if (fresh.recv(0) != null) {
                received = fresh.recvStr(0);
            }
        }
        assertThat(received).isEqualTo("still flowing");
    }
}
