package io.synod.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.messaging.zmtp.ZmtpCodec;
import io.synod.protocol.Limits;
import io.synod.protocol.MsgPack;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * The broker and the proxy as real processes, sent bytes no ZeroMQ peer sends (on both sides of each) and a
 * publication whose {@code clock} is 2^63-1: each hostile connection is closed, the odd publication is forwarded
 * like any other, and both go on forwarding a plain client's requests and deliveries.
 */
class ForwarderHostilePeersTest {
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

    private static byte[] handshake(ZmtpCodec.SocketType type) {
        return concat(ZmtpCodec.greeting(), ZmtpCodec.ready(type, null));
    }

    private static List<byte[]> attacks(ZmtpCodec.SocketType type) {
        return List.of(
                utf8("GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
                new byte[64],
                concat(ZmtpCodec.greeting(), new byte[] {4, 3, 2, 'H', 'I'}),
                concat(handshake(type), new byte[] {(byte) 0x80, 1, 'x'}),
                concat(handshake(type), new byte[] {2, 0x7F, -1, -1, -1, -1, -1, -1, -1}),
                concat(handshake(type), new byte[] {2, -1, -1, -1, -1, -1, -1, -1, -1}),
                concat(handshake(type), ZmtpCodec.frame(ZmtpCodec.FLAG_COMMAND, new byte[] {4, 'P', 'I', 'N', 'G'})));
    }

    /** Sends {@code bytes} on a new connection and reads until the process closes it (bounded). */
    private static void sendAndExpectClose(int port, byte[] bytes) throws IOException {
        try (Socket raw = new Socket(InetAddress.getLoopbackAddress(), port)) {
            raw.setSoTimeout(5_000);
            raw.getOutputStream().write(bytes);
            raw.getOutputStream().flush();
            InputStream in = raw.getInputStream();
            long read = 0;
            try {
                while (in.read() >= 0) {
                    read++;
                    assertThat(read)
                            .as("closed by the process on port %d", port)
                            .isLessThan(10_000);
                }
            } catch (SocketException reset) {
                // closed with a reset
            }
        }
    }

    @Test
    @Timeout(120)
    void theBrokerAndTheProxyCloseHostilePeersAndGoOnForwarding() throws Exception {
        try (Cluster cluster = new Cluster("forwarder-hostile");
                ZContext context = new ZContext()) {
            cluster.startServer("server-1");
            ZMQ.Socket sub = context.createSocket(SocketType.SUB);
            sub.setLinger(0);
            sub.subscribe(utf8("room"));
            sub.connect(Processes.endpoint(cluster.proxyXpub));

            for (int port : List.of(cluster.brokerFrontend, cluster.brokerBackend)) {
                for (byte[] attack : attacks(ZmtpCodec.SocketType.DEALER)) {
                    sendAndExpectClose(port, attack);
                }
            }
            for (byte[] attack : attacks(ZmtpCodec.SocketType.PUB)) {
                sendAndExpectClose(cluster.proxyXsub, attack);
            }
            for (byte[] attack : attacks(ZmtpCodec.SocketType.SUB)) {
                sendAndExpectClose(cluster.proxyXpub, attack);
            }

            // any publisher may publish into the proxy: a delivery with clock and seq at 2^63-1 goes through
            List<byte[]> got = new ArrayList<>();
            try (Socket publisher = new Socket(InetAddress.getLoopbackAddress(), cluster.proxyXsub)) {
                publisher.setSoTimeout(5_000);
                publisher.getOutputStream().write(handshake(ZmtpCodec.SocketType.PUB));
                // the subscriber may still be joining: publish until it has one (bounded); each copy differs, as
                // the proxy drops identical ones
                for (int attempt = 0; attempt < 50 && got.isEmpty(); attempt++) {
                    Map<String, Object> extreme = new LinkedHashMap<>();
                    extreme.put("user", "mallory");
                    extreme.put("message", "forged " + attempt);
                    extreme.put("timestamp", 1.0e300);
                    extreme.put("clock", Long.MAX_VALUE);
                    extreme.put("seq", Long.MAX_VALUE);
                    publisher.getOutputStream().write(wire(List.of(utf8("room"), MsgPack.encode(extreme))));
                    publisher.getOutputStream().flush();
                    byte[] frame = io.synod.messaging.ZmqTestSockets.receiveNudging(context, sub, 200);
                    if (frame != null) {
                        got.add(sub.recv());
                    }
                }
            }
            assertThat(got).as("the extreme publication reached the subscriber").isNotEmpty();
            @SuppressWarnings("unchecked")
            Map<String, Object> forged = (Map<String, Object>) MsgPack.decode(got.get(0), Limits.DEFAULT);
            assertThat(forged).containsEntry("clock", Long.MAX_VALUE).containsEntry("user", "mallory");

            // a plain client's requests through the broker and its delivery through the proxy
            try (WireClient client = cluster.client()) {
                assertThat(client.call("login", Map.of("user", "ana")).data()).containsEntry("status", "sucesso");
                assertThat(client.call("channel", Map.of("channel", "room")).data())
                        .containsEntry("status", "sucesso");
                assertThat(client.call("publish", Map.of("user", "ana", "channel", "room", "message", "oi"))
                                .data())
                        .containsEntry("status", "OK");
            }
            sub.setReceiveTimeOut(10_000);
            Map<String, Object> delivery = Map.of();
            for (int skipped = 0; skipped < 50 && !"oi".equals(delivery.get("message")); skipped++) {
                assertThat(sub.recvStr()).as("a delivery within 10 s").isEqualTo("room");
                @SuppressWarnings("unchecked")
                Map<String, Object> next = (Map<String, Object>) MsgPack.decode(sub.recv(), Limits.DEFAULT);
                delivery = next; // copies of the forged one sent while the subscription joined come first
            }
            assertThat(delivery).containsEntry("message", "oi").containsEntry("seq", 1L);
        }
    }
}
