package io.synod.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.protocol.Envelope;
import io.synod.protocol.Limits;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * A server keeps every publication while the proxy falls behind: its PUB queues far more than ZeroMQ's default
 * of 1,000 messages, beyond which a PUB drops silently (seen as gaps at 64 clients x 16 requests in flight). The
 * "proxy" here is an XSUB owned by the test that stops reading while thousands of 4 KB publications are sent,
 * more than its queue, both TCP buffers and the old limit hold together; then every one must arrive.
 */
class PublicationBurstTest {
    /** The Lamport clock of the test's client: each request a new send (the same one twice is a retry). */
    private static final AtomicLong SENT_CLOCK = new AtomicLong();

    private static final int PUBLICATIONS = 8_000;
    private static final String TEXT = "x".repeat(4_000);

    @TempDir
    Path root;

    @Test
    void noPublicationIsDroppedWhileTheProxyIsNotReading() {
        try (Harness harness = new Harness(root);
                ZContext context = new ZContext()) {
            ZMQ.Socket stalledProxy = context.createSocket(SocketType.XSUB);
            stalledProxy.setLinger(0);
            stalledProxy.bind("tcp://127.0.0.1:*");
            stalledProxy.send(new byte[] {1, 'g', 'e', 'r', 'a', 'l'}); // subscribe to topic "geral"
            ServerConfig config = ServerConfig.defaults(
                            "s1",
                            harness.broker.backendEndpoint(),
                            stalledProxy.getLastEndpoint(),
                            harness.reference.endpoint(),
                            root.resolve("s1"),
                            0)
                    .withAdvertisedAddress("tcp://127.0.0.1:0");
            harness.startServer(config);
            RawReq client = harness.client();
            assertThat(Harness.call(client, "login", data("user", "ana")).data())
                    .containsEntry("status", "sucesso");
            assertThat(Harness.call(client, "channel", data("channel", "geral")).data())
                    .containsEntry("status", "sucesso");
            // publish until one arrives: the subscription has then reached the server's PUB (slow joiner)
            stalledProxy.setReceiveTimeOut(200);
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
            boolean subscribed = false;
            while (!subscribed && System.nanoTime() < deadline) {
                assertThat(Harness.call(client, "publish", publish(-1)).data()).containsEntry("status", "OK");
                subscribed = nextGeral(stalledProxy) != null;
            }
            assertThat(subscribed)
                    .as("a publication reached the proxy within 20 s")
                    .isTrue();
            while (nextGeral(stalledProxy) != null) {
                // the other warm-up publications
            }

            ZMQ.Socket dealer = context.createSocket(SocketType.DEALER);
            dealer.setLinger(0);
            dealer.setReceiveTimeOut(30_000);
            dealer.setSndHWM(0);
            dealer.setRcvHWM(0);
            dealer.connect(harness.broker.frontendEndpoint());
            for (int i = 0; i < PUBLICATIONS; i++) {
                dealer.sendMore(new byte[0]);
                dealer.send(new Envelope("publish", publish(i)).encode());
            }
            for (int i = 0; i < PUBLICATIONS; i++) {
                byte[] empty = dealer.recv();
                assertThat(empty).as("reply %d within 30 s", i).isNotNull();
                Envelope reply = Envelope.decode(dealer.recv(), Limits.DEFAULT);
                assertThat(reply.data()).containsEntry("status", "OK");
            }

            stalledProxy.setReceiveTimeOut(2_000); // reading again: what was kept arrives at once
            int received = 0;
            while (nextGeral(stalledProxy) != null) {
                received++;
            }
            assertThat(received).as("publications after the proxy caught up").isEqualTo(PUBLICATIONS);
        }
    }

    /** The next publication on topic {@code geral} (other topics skipped), or null after the receive timeout. */
    private static byte[] nextGeral(ZMQ.Socket xsub) {
        while (true) {
            byte[] topic = xsub.recv();
            if (topic == null) {
                return null;
            }
            byte[] payload = xsub.hasReceiveMore() ? xsub.recv() : null;
            while (xsub.hasReceiveMore()) {
                xsub.recv();
            }
            if (new String(topic, StandardCharsets.UTF_8).equals("geral")) {
                return payload;
            }
        }
    }

    private static Map<String, Object> publish(int i) {
        return data("user", "ana", "channel", "geral", "message", i + " " + TEXT);
    }

    private static Map<String, Object> data(Object... keyValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put((String) keyValues[i], keyValues[i + 1]);
        }
        map.put("timestamp", 1_763_900_000.5);
        map.put("clock", SENT_CLOCK.incrementAndGet()); // a statement client increments it before each send
        return map;
    }
}
