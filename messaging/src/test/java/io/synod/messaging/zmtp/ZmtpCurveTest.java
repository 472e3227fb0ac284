package io.synod.messaging.zmtp;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.messaging.zmtp.ZmtpCodec.SocketType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
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
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ZmtpTestLoop loop = new ZmtpTestLoop();
    private final ZContext context = new ZContext();

    @AfterEach
    void stop() throws IOException {
        loop.close();
        context.close();
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
        ZmtpClient dealer = loop.add(new ZmtpClient(
                        SocketType.DEALER,
                        router.getLastEndpoint(),
                        utf8("me"),
                        loop.selector(),
                        CONFIG,
                        System.nanoTime())
                .secure(new ZmtpSecurity.CurveClient(CurveCrypto.generate(RANDOM), serverKeys.publicKey())));
        loop.turnUntil(dealer::isConnected);
        byte[] large = new byte[70_000]; // a long frame (8-byte size) boxed
        RANDOM.nextBytes(large);
        dealer.send(List.of(utf8("hello"), large));
        dealer.flush();
        List<byte[]> got = loop.receive(router);
        assertThat(got).hasSize(3);
        assertThat(got.get(0)).isEqualTo(utf8("me"));
        assertThat(got.get(1)).isEqualTo(utf8("hello"));
        assertThat(got.get(2)).isEqualTo(large);
        for (int i = 0; i < 3; i++) {
            router.sendMore(utf8("me"));
            router.send(utf8("reply " + i));
        }
        List<List<byte[]>> replies = new ArrayList<>();
        loop.turnUntil(() -> {
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
        ZmtpClient dealer = loop.add(
                new ZmtpClient(SocketType.DEALER, router.getLastEndpoint(), loop.selector(), CONFIG, System.nanoTime())
                        .secure(new ZmtpSecurity.CurveClient(
                                CurveCrypto.generate(RANDOM),
                                CurveCrypto.generate(RANDOM).publicKey())));
        dealer.send(List.of(utf8("secret")));
        loop.turnFor(1_000);
        assertThat(dealer.isConnected()).isFalse();
        assertThat(router.recv(ZMQ.DONTWAIT)).isNull();
    }

    @Test
    void ourCurveRouterLetsInOnlyAllowedKeysAndRefusesNull() throws IOException {
        CurveCrypto.KeyPair serverKeys = CurveCrypto.generate(RANDOM);
        ZmtpRouter router = loop.add(new ZmtpRouter("tcp://127.0.0.1:*", loop.selector(), ROUTER)
                .secure(ZmtpSecurity.curveServerFor(serverKeys, List.of(serverKeys.publicKey()))));
        ZmtpClient member = loop.add(new ZmtpClient(
                        SocketType.DEALER,
                        router.boundEndpoint(),
                        utf8("member"),
                        loop.selector(),
                        CONFIG,
                        System.nanoTime())
                .secure(new ZmtpSecurity.CurveClient(serverKeys, serverKeys.publicKey())));
        ZmtpClient stranger = loop.add(new ZmtpClient(
                        SocketType.DEALER,
                        router.boundEndpoint(),
                        utf8("stranger"),
                        loop.selector(),
                        CONFIG,
                        System.nanoTime())
                .secure(new ZmtpSecurity.CurveClient(CurveCrypto.generate(RANDOM), serverKeys.publicKey())));
        ZmtpClient plain = loop.add(new ZmtpClient(
                SocketType.DEALER, router.boundEndpoint(), utf8("plain"), loop.selector(), CONFIG, System.nanoTime()));
        member.send(List.of(utf8("from the member")));
        stranger.send(List.of(utf8("from the stranger")));
        plain.send(List.of(utf8("in clear")));
        List<String> received = new ArrayList<>();
        loop.turnUntil(() -> {
            List<byte[]> message;
            while ((message = router.receive()) != null) {
                received.add(new String(message.get(1), StandardCharsets.UTF_8));
            }
            return received.contains("from the member");
        });
        loop.turnFor(500);
        List<byte[]> message;
        while ((message = router.receive()) != null) {
            received.add(new String(message.get(1), StandardCharsets.UTF_8));
        }
        assertThat(received).containsExactly("from the member");
        assertThat(stranger.isConnected()).isFalse();
        assertThat(plain.isConnected()).isFalse();
    }
}
