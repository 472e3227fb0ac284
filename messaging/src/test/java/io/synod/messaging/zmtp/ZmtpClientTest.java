package io.synod.messaging.zmtp;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.messaging.zmtp.ZmtpCodec.SocketType;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/** A {@link ZmtpClient} against JeroMQ peers, driven by the test as an owner loop would drive it. */
class ZmtpClientTest {
    private static final ZmtpClient.Config CONFIG = new ZmtpClient.Config(
            50, 100, 500, 100, new ZmtpConnection.Limits(1 << 20, 8, 1 << 20, 1_000, 1 << 20, 64 << 10));

    private final ZmtpTestLoop loop = new ZmtpTestLoop();
    private final ZContext context = new ZContext();

    @AfterEach
    void stop() throws IOException {
        loop.close();
        context.close();
    }

    private ZmtpClient client(SocketType type, String endpoint) {
        return loop.add(new ZmtpClient(type, endpoint, loop.selector(), CONFIG, System.nanoTime()));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aDealerConnectsWhenItsPeerAppearsAndAgainAfterItRestarts() throws Exception {
        String endpoint = "tcp://127.0.0.1:" + freePort();
        ZmtpClient dealer = client(SocketType.DEALER, endpoint);
        assertThat(dealer.send(List.of(new byte[0], utf8("sent before the peer was there"))))
                .isTrue();
        for (int i = 0; i < 5; i++) {
            loop.turn(); // connection refused, retried
        }
        assertThat(dealer.isConnected()).isFalse();
        ZMQ.Socket router = context.createSocket(org.zeromq.SocketType.ROUTER);
        router.setLinger(0);
        router.bind(endpoint);
        List<byte[]> first = loop.receive(router);
        assertThat(first).hasSize(3);
        assertThat(first.get(2)).isEqualTo(utf8("sent before the peer was there"));
        router.sendMore(first.get(0));
        router.sendMore(new byte[0]);
        router.send("answer");
        loop.turnUntil(dealer::hasReceived);
        assertThat(dealer.receive()).last().isEqualTo(utf8("answer"));

        router.close(); // the peer goes away, and comes back on the same port
        loop.turnUntil(() -> !dealer.isConnected());
        ZMQ.Socket again = context.createSocket(org.zeromq.SocketType.ROUTER);
        again.setLinger(0);
        bindWhenFree(again, endpoint); // JeroMQ closes the old listener in its I/O thread, a little later
        loop.turnUntil(dealer::isConnected);
        dealer.send(List.of(new byte[0], utf8("after the restart")));
        assertThat(loop.receive(again)).last().isEqualTo(utf8("after the restart"));
        assertThat(dealer.connects()).isEqualTo(2);
    }

    private static void bindWhenFree(ZMQ.Socket socket, String endpoint) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                socket.bind(endpoint);
                return;
            } catch (org.zeromq.ZMQException inUse) {
                if (attempt == 100) {
                    throw inUse;
                }
                Thread.sleep(50);
            }
        }
    }

    @Test
    void aPubSendsOnlyWhatTheOtherSideSubscribedToAndDropsWhileUnconnected() throws Exception {
        ZMQ.Socket xsub = context.createSocket(org.zeromq.SocketType.XSUB);
        xsub.setLinger(0);
        xsub.bind("tcp://127.0.0.1:*");
        ZmtpClient pub = client(SocketType.PUB, xsub.getLastEndpoint());
        assertThat(pub.send(List.of(utf8("geral"), utf8("too early")))).isFalse();
        assertThat(pub.dropped()).isEqualTo(1);
        loop.turnUntil(pub::isConnected);
        xsub.send(new byte[] {1, 'g', 'e', 'r', 'a', 'l'});
        // keep publishing until the subscription has arrived; then only the subscribed topic comes through
        List<byte[]> frames = new ArrayList<>();
        loop.turnUntil(() -> {
            pub.send(List.of(utf8("outro"), utf8("not subscribed")));
            pub.send(List.of(utf8("geral"), utf8("hello")));
            byte[] topic = xsub.recv(ZMQ.DONTWAIT);
            if (topic != null) {
                frames.add(topic);
                frames.add(xsub.recv(0));
            }
            return !frames.isEmpty();
        });
        assertThat(frames.get(0)).isEqualTo(utf8("geral"));
        assertThat(frames.get(1)).isEqualTo(utf8("hello"));
        for (int i = 0; i < 10; i++) {
            loop.turn();
        }
        byte[] topic;
        while ((topic = xsub.recv(ZMQ.DONTWAIT)) != null) {
            assertThat(new String(topic, StandardCharsets.UTF_8)).isEqualTo("geral");
            xsub.recv(0);
        }
    }

    @Test
    void aPeerThatNeverFinishesTheHandshakeIsLeftAndTriedAgain() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            silent.setSoTimeout(100);
            ZmtpClient dealer = client(SocketType.DEALER, "tcp://127.0.0.1:" + silent.getLocalPort());
            List<Socket> accepted = new ArrayList<>();
            try {
                loop.turnUntil(() -> {
                    try {
                        accepted.add(silent.accept());
                    } catch (IOException timeout) {
                        // none this time
                    }
                    return accepted.size() >= 2; // a second connection: the first was given up
                });
                assertThat(dealer.isConnected()).isFalse();
                assertThat(dealer.connects()).isZero();
            } finally {
                for (Socket socket : accepted) {
                    socket.close();
                }
            }
        }
    }
}
