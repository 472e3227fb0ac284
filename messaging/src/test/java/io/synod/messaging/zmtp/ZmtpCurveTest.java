package io.synod.messaging.zmtp;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.messaging.zmtp.ZmtpCodec.SocketType;
import java.io.IOException;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * Our CURVE client ({@link ZmtpClient#secure}) against JeroMQ's CURVE server (another implementation of RFC 26, on
 * jnacl), and our CURVE server ({@link ZmtpRouter#secure}) against our client with the allow list.
 */
class ZmtpCurveTest {
    private static final ZmtpClient.Config CONFIG = new ZmtpClient.Config(
            50, 100, 2_000, 100, new ZmtpConnection.Limits(1 << 20, 8, 1 << 20, 1_000, 1 << 20, 64 << 10));
    private static final ZmtpRouter.Config ROUTER =
            new ZmtpRouter.Config(16, 100, new ZmtpConnection.Limits(1 << 20, 8, 1 << 20, 1_000, 1 << 20, 64 << 10));
    private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Selector selector = open();
    private final ZContext context = new ZContext();
    private final List<ZmtpClient> clients = new ArrayList<>();
    private final List<ZmtpRouter> routers = new ArrayList<>();

    private static Selector open() {
        try {
            return Selector.open();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @AfterEach
    void stop() throws IOException {
        clients.forEach(ZmtpClient::close);
        routers.forEach(ZmtpRouter::close);
        selector.close();
        context.close();
    }

    private void turn() throws IOException {
        selector.select(10);
        long now = System.nanoTime();
        for (var key : selector.selectedKeys()) {
            if (key.attachment() instanceof SelectorParty party) {
                party.handle(key, now);
            }
        }
        selector.selectedKeys().clear();
        for (ZmtpClient client : clients) {
            client.tick(now);
            client.flush();
        }
    }

    private void turnUntil(BooleanSupplier condition) throws IOException {
        long deadline = System.nanoTime() + WAIT_NANOS;
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as("condition within 10 s").isNegative();
            turn();
        }
    }

    private void turnFor(long millis) throws IOException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < end) {
            turn();
        }
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private ZMQ.Socket jeromqCurveRouter(CurveCrypto.KeyPair serverKeys) {
        ZMQ.Socket router = context.createSocket(org.zeromq.SocketType.ROUTER);
        router.setCurveServer(true);
        router.setCurveSecretKey(serverKeys.secretKey());
        router.setCurvePublicKey(serverKeys.publicKey());
        router.bind("tcp://127.0.0.1:*");
        return router;
    }

    @Test
    void ourCurveDealerTalksToJeromqsCurveRouter() throws IOException {
        CurveCrypto.KeyPair serverKeys = CurveCrypto.generate(RANDOM);
        ZMQ.Socket router = jeromqCurveRouter(serverKeys);
        ZmtpClient dealer = new ZmtpClient(
                        SocketType.DEALER, router.getLastEndpoint(), utf8("me"), selector, CONFIG, System.nanoTime())
                .secure(new ZmtpSecurity.CurveClient(CurveCrypto.generate(RANDOM), serverKeys.publicKey()));
        clients.add(dealer);
        turnUntil(dealer::isConnected);
        byte[] large = new byte[70_000]; // a long frame (8-byte size) boxed
        RANDOM.nextBytes(large);
        dealer.send(List.of(utf8("hello"), large));
        dealer.flush();
        List<byte[]> got = new ArrayList<>();
        turnUntil(() -> {
            byte[] frame = router.recv(ZMQ.DONTWAIT);
            if (frame == null) {
                return false;
            }
            got.add(frame);
            while (router.hasReceiveMore()) {
                got.add(router.recv(0));
            }
            return true;
        });
        assertThat(got).hasSize(3);
        assertThat(got.get(0)).isEqualTo(utf8("me"));
        assertThat(got.get(1)).isEqualTo(utf8("hello"));
        assertThat(got.get(2)).isEqualTo(large);
        for (int i = 0; i < 3; i++) {
            router.sendMore(utf8("me"));
            router.send(utf8("reply " + i));
        }
        List<List<byte[]>> replies = new ArrayList<>();
        turnUntil(() -> {
            List<byte[]> reply = dealer.receive();
            if (reply != null) {
                replies.add(reply);
            }
            return replies.size() == 3;
        });
        for (int i = 0; i < 3; i++) {
            assertThat(new String(replies.get(i).get(0), StandardCharsets.UTF_8))
                    .isEqualTo("reply " + i);
        }
    }

    @Test
    void ourCurveDealerWithAWrongServerKeyNeverConnects() throws IOException {
        CurveCrypto.KeyPair serverKeys = CurveCrypto.generate(RANDOM);
        ZMQ.Socket router = jeromqCurveRouter(serverKeys);
        ZmtpClient dealer = new ZmtpClient(
                        SocketType.DEALER, router.getLastEndpoint(), selector, CONFIG, System.nanoTime())
                .secure(new ZmtpSecurity.CurveClient(
                        CurveCrypto.generate(RANDOM),
                        CurveCrypto.generate(RANDOM).publicKey()));
        clients.add(dealer);
        dealer.send(List.of(utf8("secret")));
        turnFor(1_000);
        assertThat(dealer.isConnected()).isFalse();
        assertThat(router.recv(ZMQ.DONTWAIT)).isNull();
    }

    @Test
    void ourCurveRouterLetsInOnlyAllowedKeysAndRefusesNull() throws IOException {
        CurveCrypto.KeyPair serverKeys = CurveCrypto.generate(RANDOM);
        ZmtpRouter router = new ZmtpRouter("tcp://127.0.0.1:*", selector, ROUTER)
                .secure(ZmtpSecurity.curveServerFor(serverKeys, List.of(serverKeys.publicKey())));
        routers.add(router);
        ZmtpClient member = new ZmtpClient(
                        SocketType.DEALER, router.boundEndpoint(), utf8("member"), selector, CONFIG, System.nanoTime())
                .secure(new ZmtpSecurity.CurveClient(serverKeys, serverKeys.publicKey()));
        ZmtpClient stranger = new ZmtpClient(
                        SocketType.DEALER,
                        router.boundEndpoint(),
                        utf8("stranger"),
                        selector,
                        CONFIG,
                        System.nanoTime())
                .secure(new ZmtpSecurity.CurveClient(CurveCrypto.generate(RANDOM), serverKeys.publicKey()));
        ZmtpClient plain = new ZmtpClient(
                SocketType.DEALER, router.boundEndpoint(), utf8("plain"), selector, CONFIG, System.nanoTime());
        clients.addAll(List.of(member, stranger, plain));
        member.send(List.of(utf8("from the member")));
        stranger.send(List.of(utf8("from the stranger")));
        plain.send(List.of(utf8("in clear")));
        List<String> received = new ArrayList<>();
        turnUntil(() -> {
            List<byte[]> message;
            while ((message = router.receive()) != null) {
                received.add(new String(message.get(1), StandardCharsets.UTF_8));
            }
            return received.contains("from the member");
        });
        turnFor(500);
        List<byte[]> message;
        while ((message = router.receive()) != null) {
            received.add(new String(message.get(1), StandardCharsets.UTF_8));
        }
        assertThat(received).containsExactly("from the member");
        assertThat(stranger.isConnected()).isFalse();
        assertThat(plain.isConnected()).isFalse();
    }
}
