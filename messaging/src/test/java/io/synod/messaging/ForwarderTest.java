package io.synod.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.synod.protocol.Envelope;
import io.synod.protocol.Limits;
import io.synod.protocol.Publication;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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
        ZMQ.Socket socket = context.createSocket(type);
        socket.setLinger(0);
        socket.setReceiveTimeOut(5_000);
        socket.connect(endpoint);
        return socket;
    }

    @Test
    void theBrokerConnectsAForeignReqClientToAForeignRepServer() {
        forwarder = BrokerCommand.start("tcp://127.0.0.1:*", "tcp://127.0.0.1:*", log, ProcessClock.system());
        assertThat(forwarder.frontendEndpoint()).matches("tcp://127\\.0\\.0\\.1:\\d+");
        ZMQ.Socket server = socket(SocketType.REP, forwarder.backendEndpoint());
        ZMQ.Socket client = socket(SocketType.REQ, forwarder.frontendEndpoint());
        for (int i = 0; i < 3; i++) {
            Envelope request = new Envelope("login", Map.of("user", "ana" + i));
            assertThat(ZmqMessages.sendEnvelope(client, request)).isTrue();
            Envelope received = ZmqMessages.receiveEnvelope(server, Limits.DEFAULT);
            assertThat(received).isEqualTo(request);
            ZmqMessages.sendEnvelope(server, new Envelope("login", Map.of("status", "sucesso")));
            assertThat(ZmqMessages.receiveEnvelope(client, Limits.DEFAULT).data())
                    .containsEntry("status", "sucesso");
        }
    }

    @Test
    void aDealerServerSeesTheRoutingFramesAndTheEmptyDelimiter() {
        forwarder = BrokerCommand.start("tcp://127.0.0.1:*", "tcp://127.0.0.1:*", log, ProcessClock.system());
        ZMQ.Socket server = socket(SocketType.DEALER, forwarder.backendEndpoint());
        ZMQ.Socket client = socket(SocketType.REQ, forwarder.frontendEndpoint());
        client.send("hello".getBytes(StandardCharsets.UTF_8), 0);
        List<byte[]> frames = ZmqMessages.receiveMultipart(server, 0);
        assertThat(frames).hasSize(3); // [client identity, empty delimiter, body]
        ZmqMessages.Routed routed = ZmqMessages.splitRouted(frames);
        assertThat(routed.routing()).hasSize(2);
        assertThat(routed.body()).hasSize(1);
        ZmqMessages.sendMultipart(server, routed.reply("world".getBytes(StandardCharsets.UTF_8)));
        assertThat(new String(client.recv(0), StandardCharsets.UTF_8)).isEqualTo("world");
    }

    @Test
    void aRequestSentBeforeAnyServerConnectsIsDeliveredWhenOneDoes() {
        forwarder = BrokerCommand.start("tcp://127.0.0.1:*", "tcp://127.0.0.1:*", log, ProcessClock.system());
        ZMQ.Socket client = socket(SocketType.REQ, forwarder.frontendEndpoint());
        ZmqMessages.sendEnvelope(client, new Envelope("users", Map.of()));
        ZMQ.Socket server = socket(SocketType.REP, forwarder.backendEndpoint());
        assertThat(ZmqMessages.receiveEnvelope(server, Limits.DEFAULT).service())
                .isEqualTo("users");
        ZmqMessages.sendEnvelope(server, new Envelope("users", Map.of("users", List.of())));
        assertThat(ZmqMessages.receiveEnvelope(client, Limits.DEFAULT).data()).containsKey("users");
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
        ZmqMessages.ReceivedPublication received = await().atMost(Duration.ofSeconds(10))
                .until(
                        () -> {
                            ZmqMessages.sendPublication(pub, post);
                            return ZmqMessages.receivePublication(nonBlockingSub, Limits.DEFAULT);
                        },
                        r -> r != null);
        assertThat(received.topic()).isEqualTo("geral");
        assertThat(received.payload())
                .containsEntry("user", "ana")
                .containsEntry("message", "oi")
                .containsEntry("seq", 1L);
    }

    @Test
    void bindingAPortInUseFails() {
        forwarder = BrokerCommand.start("tcp://127.0.0.1:*", "tcp://127.0.0.1:*", log, ProcessClock.system());
        try {
            Forwarder second =
                    BrokerCommand.start(forwarder.frontendEndpoint(), "tcp://127.0.0.1:*", log, ProcessClock.system());
            second.close();
            throw new AssertionError("the second bind should have failed");
        } catch (org.zeromq.ZMQException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }
}
