package io.synod.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.synod.messaging.zmtp.ZmtpCodec;
import io.synod.protocol.MsgPack;
import io.synod.protocol.Publication;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/** The proxy's dedup window through a running proxy, and hostile peers of the proxy and the broker. */
class ForwarderRobustnessTest {
    private final ZContext context = new ZContext();
    private final InteractionLog log = InteractionLog.inMemory("test");
    private final List<Socket> raws = new ArrayList<>();
    private Forwarder forwarder;

    @AfterEach
    void stop() throws IOException {
        for (Socket raw : raws) {
            raw.close();
        }
        if (forwarder != null) {
            forwarder.close();
        }
        context.close();
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static byte[] wire(List<byte[]> frames) {
        ByteBuffer buffer = ZmtpCodec.message(frames);
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    private static byte[] post(long seq, String text) {
        return new Publication.ChannelPost("room", "ana", text, 1_700_000_000.5, 7, seq, seq + "-0", seq)
                .encodePayload();
    }

    private ZMQ.Socket socket(SocketType type, String endpoint) {
        return ZmqTestSockets.connect(context, type, endpoint);
    }

    private Forwarder proxy(ForwarderConfig config) {
        return ProxyCommand.start("tcp://127.0.0.1:*", "tcp://127.0.0.1:*", config, log, ProcessClock.system());
    }

    /** A publisher whose first received frame tells that the subscriber's subscription reached the proxy. */
    private ZMQ.Socket publisherSeeing(String topic) {
        ZMQ.Socket publisher = socket(SocketType.XPUB, forwarder.frontendEndpoint());
        byte[] subscription = ZmqTestSockets.receiveNudging(context, publisher, 10_000);
        assertThat(subscription)
                .as("the subscription reached the publisher")
                .isEqualTo(concat(new byte[] {1}, utf8(topic)));
        publisher.setReceiveTimeOut(5_000);
        return publisher;
    }

    private ZMQ.Socket subscriber(String topic) {
        ZMQ.Socket sub = socket(SocketType.SUB, forwarder.backendEndpoint());
        sub.subscribe(utf8(topic));
        return sub;
    }

    private static void send(ZMQ.Socket publisher, String topic, byte[] payload) {
        publisher.sendMore(topic);
        publisher.send(payload);
    }

    /** Every payload that arrives until {@code last} (a payload sent last by the same publisher). */
    private static List<byte[]> receiveThrough(ZMQ.Socket sub, byte[] last) {
        List<byte[]> got = new ArrayList<>();
        while (got.isEmpty() || !java.util.Arrays.equals(got.get(got.size() - 1), last)) {
            byte[] topic = sub.recv(0);
            assertThat(topic).as("publications after %d received", got.size()).isNotNull();
            assertThat(sub.hasReceiveMore()).isTrue();
            got.add(sub.recv(0));
        }
        return got;
    }

    private long logged(String counter) {
        return log.recentLines().stream()
                .filter(line -> line.contains("\"forwarded\""))
                .mapToLong(line -> {
                    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + counter + "\":(\\d+)")
                            .matcher(line);
                    return m.find() ? Long.parseLong(m.group(1)) : 0;
                })
                .sum();
    }

    @Test
    void theProxyDropsIdenticalRepeatsOfASeqAndForwardsEverythingElse() {
        forwarder = proxy(ForwarderConfig.DEFAULT.withDedupWindow(1_000, 1 << 20, 60_000));
        ZMQ.Socket sub = subscriber("room");
        ZMQ.Socket publisher = publisherSeeing("room");
        ZMQ.Socket republisher = socket(SocketType.PUB, forwarder.frontendEndpoint()); // a new leader

        byte[] first = post(1, "hello");
        byte[] sameSeqOtherText = post(1, "forged");
        byte[] second = post(2, "again");
        byte[] foreign = MsgPack.encode(new LinkedHashMap<>(Map.of("user", "ana", "message", "no seq")));
        byte[] notMsgpack = utf8("plain text");
        send(publisher, "room", first);
        send(publisher, "room", first);
        send(publisher, "room", sameSeqOtherText);
        send(publisher, "room", sameSeqOtherText);
        send(publisher, "room", foreign);
        send(publisher, "room", foreign);
        send(publisher, "room", notMsgpack);
        send(publisher, "room", notMsgpack);
        send(publisher, "roomy", first); // another topic (the subscription prefixes it)
        send(publisher, "room", second);
        List<byte[]> got = receiveThrough(sub, second);
        assertThat(got)
                .containsExactly(first, sameSeqOtherText, foreign, foreign, notMsgpack, notMsgpack, first, second);

        // the republished copies from another publisher connection, then something new
        byte[] third = post(3, "new");
        sub.setReceiveTimeOut(1_000);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            send(republisher, "room", first);
            send(republisher, "room", second);
            send(republisher, "room", third);
            assertThat(sub.recv(0)).isNotNull(); // topic; third arrives once the PUB is connected
            assertThat(sub.recv(0)).isEqualTo(third);
        });
        sub.setReceiveTimeOut(300);
        assertThat(sub.recv(0))
                .as("nothing repeated after the first copy of seq 3")
                .isNull();
        await().atMost(Duration.ofSeconds(5)).until(() -> logged("deduplicated") >= 2);
    }

    @Test
    void aRepeatOlderThanTheWindowsEntriesIsForwarded() {
        forwarder = proxy(ForwarderConfig.DEFAULT.withDedupWindow(2, 1 << 20, 60_000));
        ZMQ.Socket sub = subscriber("room");
        ZMQ.Socket publisher = publisherSeeing("room");
        for (int seq = 1; seq <= 3; seq++) {
            send(publisher, "room", post(seq, "m"));
        }
        send(publisher, "room", post(3, "m")); // in the window: dropped
        send(publisher, "room", post(1, "m")); // fell out of a window of 2: forwarded
        byte[] last = post(4, "m");
        send(publisher, "room", last);
        assertThat(receiveThrough(sub, last))
                .containsExactly(post(1, "m"), post(2, "m"), post(3, "m"), post(1, "m"), last);
    }

    @Test
    void withTheWindowOffTheProxyForwardsRepeats() {
        forwarder = proxy(ForwarderConfig.DEFAULT.withDedupWindow(0, 1, 1));
        ZMQ.Socket sub = subscriber("room");
        ZMQ.Socket publisher = publisherSeeing("room");
        send(publisher, "room", post(1, "m"));
        send(publisher, "room", post(1, "m"));
        byte[] last = post(2, "m");
        send(publisher, "room", last);
        assertThat(receiveThrough(sub, last)).hasSize(3);
    }

    /** Opens a raw TCP connection to {@code endpoint} and writes {@code bytes}. */
    private Socket raw(String endpoint, byte[] bytes) throws IOException {
        InetSocketAddress address = TcpEndpoint.parse(endpoint, false);
        Socket raw = new Socket(address.getAddress(), address.getPort());
        raws.add(raw);
        raw.setSoTimeout(5_000);
        raw.getOutputStream().write(bytes);
        raw.getOutputStream().flush();
        return raw;
    }

    /** Reads until the forwarder closes the connection (bounded by the socket's timeout). */
    private static void closedByTheForwarder(Socket raw) throws IOException {
        InputStream in = raw.getInputStream();
        long read = 0;
        try {
            while (in.read() >= 0) {
                read++;
                assertThat(read).as("the forwarder closes the connection").isLessThan(10_000);
            }
        } catch (SocketException reset) {
            // closed with a reset: as good as an end of stream
        }
    }

    /** Checks that the forwarder has not closed {@code raw}: reading what it sent ends in a timeout, not an end. */
    private static void stillOpen(Socket raw) throws IOException {
        raw.setSoTimeout(300);
        InputStream in = raw.getInputStream();
        try {
            while (true) {
                assertThat(in.read())
                        .as("the forwarder kept the connection open")
                        .isNotNegative();
            }
        } catch (java.net.SocketTimeoutException expected) {
            // nothing more to read, and not closed
        }
    }

    private static byte[] handshake(ZmtpCodec.SocketType type) {
        return concat(ZmtpCodec.greeting(), ZmtpCodec.ready(type, null));
    }

    /** Bytes no ZeroMQ peer sends, each closing its connection. */
    private static List<byte[]> hostile(ZmtpCodec.SocketType type) {
        byte[] frames65 = new byte[0];
        for (int i = 0; i < 65; i++) {
            frames65 = concat(frames65, new byte[] {(byte) (i < 64 ? ZmtpCodec.FLAG_MORE : 0), 1, 'x'});
        }
        return List.of(
                utf8("GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
                new byte[64], // a greeting of zeros
                concat(new byte[] {(byte) 0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0x7F, 1, 0}, new byte[52]), // ZMTP 1
                concat(ZmtpCodec.greeting(), new byte[] {4, 3, 2, 'H', 'I'}), // a READY that is not one
                concat(ZmtpCodec.greeting(), ZmtpCodec.frame(ZmtpCodec.FLAG_COMMAND, new byte[] {
                    5, 'R', 'E', 'A', 'D', 'Y', 40, 'S'
                })), // READY with a cut property
                concat(handshake(type), new byte[] {(byte) 0x80, 1, 'x'}), // reserved flag bits
                concat(handshake(type), new byte[] {2, 0x40, 0, 0, 0, 0, 0, 0, 0}), // a frame of 2^62 bytes
                concat(handshake(type), new byte[] {
                    2,
                    (byte) 0xFF,
                    (byte) 0xFF,
                    (byte) 0xFF,
                    (byte) 0xFF,
                    (byte) 0xFF,
                    (byte) 0xFF,
                    (byte) 0xFF,
                    (byte) 0xFF
                }), // a negative size
                concat(handshake(type), frames65), // more frames than a message may have
                concat(handshake(type), new byte[] {
                    ZmtpCodec.FLAG_MORE, 1, 'x', ZmtpCodec.FLAG_COMMAND, 4, 4, 'P', 'I', 'N'
                }), // a command inside a message
                concat(handshake(type), ZmtpCodec.frame(ZmtpCodec.FLAG_COMMAND, new byte[] {4, 'P', 'I', 'N', 'G'
                })), // a PING without its TTL
                concat(handshake(type), ZmtpCodec.frame(ZmtpCodec.FLAG_COMMAND, new byte[] {(byte) 200, 'E'})),
                concat(handshake(type), ZmtpCodec.frame(ZmtpCodec.FLAG_COMMAND, new byte[0])));
    }

    @Test
    void hostilePeersOnEitherSideOfTheProxyAreClosedAndItKeepsForwarding() throws Exception {
        forwarder = ProxyCommand.start("tcp://127.0.0.1:*", "tcp://127.0.0.1:*", log, ProcessClock.system());
        ZMQ.Socket sub = subscriber("room");
        ZMQ.Socket publisher = publisherSeeing("room");
        for (byte[] attack : hostile(ZmtpCodec.SocketType.PUB)) {
            closedByTheForwarder(raw(forwarder.frontendEndpoint(), attack));
        }
        for (byte[] attack : hostile(ZmtpCodec.SocketType.SUB)) {
            closedByTheForwarder(raw(forwarder.backendEndpoint(), attack));
        }
        // valid ZMTP with odd content: kept open, and the odd messages forwarded or ignored as zmq.proxy does
        Map<String, Object> huge = new LinkedHashMap<>();
        huge.put("user", "ana");
        huge.put("message", "oi");
        huge.put("timestamp", Double.MAX_VALUE);
        huge.put("clock", Long.MAX_VALUE);
        huge.put("seq", Long.MAX_VALUE);
        byte[] hugePayload = MsgPack.encode(huge);
        Socket oddPublisher = raw(
                forwarder.frontendEndpoint(),
                concat(
                        handshake(ZmtpCodec.SocketType.PUB),
                        wire(List.of(utf8("room"), hugePayload)),
                        wire(List.of(utf8("room"))), // one frame
                        wire(List.of(new byte[0], new byte[0])), // an empty topic: matches no subscriber here
                        wire(List.of(utf8("room"), new byte[0], utf8("three frames"))),
                        wire(List.of(utf8("room"), new byte[] {(byte) 0xDF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF}))));
        Socket oddSubscriber = raw(
                forwarder.backendEndpoint(),
                concat(
                        handshake(ZmtpCodec.SocketType.SUB),
                        wire(List.of(new byte[0])), // neither a subscription nor a cancellation
                        wire(List.of(new byte[] {7, 'r'})),
                        wire(List.of(new byte[] {0, 'n', 'e', 'v', 'e', 'r'})), // cancels what it never subscribed
                        wire(List.of(utf8("a"), utf8("b")))));
        List<byte[]> odd = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            List<byte[]> message = new ArrayList<>();
            message.add(sub.recv(0));
            while (sub.hasReceiveMore()) {
                message.add(sub.recv(0));
            }
            odd.add(message.get(message.size() - 1));
        }
        assertThat(odd).containsExactly(hugePayload, utf8("room"), utf8("three frames"), new byte[] {
            (byte) 0xDF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF
        });
        theProxyStillForwards(sub, publisher, 1);
        stillOpen(oddPublisher);
        stillOpen(oddSubscriber);
        assertThat(forwarder.isRunning()).isTrue();
    }

    /**
     * A publication on {@code room} reaches {@code sub}. Up to {@link #STILL_FORWARDS_ATTEMPTS} publications, each
     * with its own {@code seq}: the test's publisher is an XPUB, which drops what it sends while its pipe to the proxy
     * is at its high-water mark (after a test's flood, on a loaded machine), as every PUB does.
     */
    private static void theProxyStillForwards(ZMQ.Socket sub, ZMQ.Socket publisher, long seq) {
        for (int attempt = 0; attempt < STILL_FORWARDS_ATTEMPTS; attempt++) {
            byte[] payload = post(seq + attempt, "still forwarding");
            send(publisher, "room", payload);
            String topic = sub.recvStr(0);
            if (topic != null) {
                assertThat(topic).isEqualTo("room");
                assertThat(sub.recv(0)).isEqualTo(payload);
                return;
            }
        }
        assertThat((String) null)
                .as("a publication on room after %d attempts", STILL_FORWARDS_ATTEMPTS)
                .isEqualTo("room");
    }

    private static final int STILL_FORWARDS_ATTEMPTS = 3;

    @Test
    void aMessageWhoseHandlingFailsClosesItsConnectionOnly() throws Exception {
        forwarder = ProxyCommand.start("tcp://127.0.0.1:*", "tcp://127.0.0.1:*", log, ProcessClock.system());
        forwarder.beforeRouting = frames -> {
            if (new String(frames.get(0), StandardCharsets.UTF_8).startsWith("boom")) {
                throw new IllegalStateException("a failure nobody foresaw");
            }
        };
        ZMQ.Socket sub = subscriber("room");
        ZMQ.Socket publisher = publisherSeeing("room");
        Socket failing = raw(
                forwarder.frontendEndpoint(),
                concat(handshake(ZmtpCodec.SocketType.PUB), wire(List.of(utf8("boom"), utf8("x")))));
        closedByTheForwarder(failing);
        theProxyStillForwards(sub, publisher, 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> logged("handling_errors") >= 1);
        assertThat(forwarder.isRunning()).isTrue();
    }

    @Test
    void subscribersResettingTheirConnectionWhileTheProxyWritesToThemStopNothing() throws Exception {
        forwarder = ProxyCommand.start("tcp://127.0.0.1:*", "tcp://127.0.0.1:*", log, ProcessClock.system());
        ZMQ.Socket sub = subscriber("room");
        ZMQ.Socket publisher = publisherSeeing("room");
        byte[] text = new byte[2_000];
        for (int round = 0; round < 40; round++) {
            String topic = "gone" + round;
            // a raw subscriber, the last one of its topic, that resets its connection while publications flow
            Socket raw = raw(
                    forwarder.backendEndpoint(),
                    concat(handshake(ZmtpCodec.SocketType.SUB), wire(List.of(concat(new byte[] {1}, utf8(topic))))));
            assertThat(ZmqTestSockets.receiveNudging(context, publisher, 10_000))
                    .isEqualTo(concat(new byte[] {1}, utf8(topic)));
            for (int i = 0; i < 200; i++) {
                publisher.sendMore(topic);
                publisher.send(text);
                if (i == 100) {
                    raw.setSoLinger(true, 0);
                    raw.close(); // a reset, not a close
                }
            }
            publisher.setReceiveTimeOut(5_000);
            assertThat(publisher.recv(0))
                    .as("the cancellation of %s", topic)
                    .isEqualTo(concat(new byte[] {0}, utf8(topic)));
        }
        theProxyStillForwards(sub, publisher, 1);
        assertThat(forwarder.isRunning()).isTrue();
    }

    @Test
    void hostileClientsAndServersOfTheBrokerAreClosedAndItKeepsServing() throws Exception {
        forwarder = BrokerCommand.start("tcp://127.0.0.1:*", "tcp://127.0.0.1:*", log, ProcessClock.system());
        for (byte[] attack : hostile(ZmtpCodec.SocketType.DEALER)) {
            closedByTheForwarder(raw(forwarder.frontendEndpoint(), attack));
            closedByTheForwarder(raw(forwarder.backendEndpoint(), attack));
        }
        ZMQ.Socket server = socket(SocketType.REP, forwarder.backendEndpoint());
        ZMQ.Socket client = socket(SocketType.REQ, forwarder.frontendEndpoint());
        // a request with a clock at 2^63-1 is forwarded as any other: the broker reads no payload
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("timestamp", 1.5);
        data.put("clock", Long.MAX_VALUE);
        byte[] request = new io.synod.protocol.Envelope("users", data).encode();
        client.send(request, 0);
        assertThat(server.recv(0)).isEqualTo(request);
        server.send(utf8("answer"), 0);
        assertThat(client.recv(0)).isEqualTo(utf8("answer"));
        // a server's replies naming nobody, or without a body, are dropped; the server is not closed for them
        Socket oddServer = raw(
                forwarder.backendEndpoint(),
                concat(
                        handshake(ZmtpCodec.SocketType.DEALER),
                        wire(List.of(utf8("nobody"), new byte[0], utf8("reply"))),
                        wire(List.of(utf8("alone")))));
        await().atMost(Duration.ofSeconds(5)).until(() -> logged("dropped") >= 2);
        stillOpen(oddServer);
        oddServer.close();
        server.setReceiveTimeOut(1_000);
        byte[] received = null;
        for (int attempt = 0; attempt < 10 && received == null; attempt++) { // the odd server may take one first
            client.close();
            client = socket(SocketType.REQ, forwarder.frontendEndpoint());
            client.send(utf8("still there? " + attempt), 0);
            received = server.recv(0);
        }
        assertThat(received).asString(StandardCharsets.UTF_8).startsWith("still there?");
        server.send(utf8("yes"), 0);
        assertThat(client.recv(0)).isEqualTo(utf8("yes"));
        assertThat(forwarder.isRunning()).isTrue();
    }
}
