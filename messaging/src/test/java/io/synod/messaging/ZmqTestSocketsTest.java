package io.synod.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

class ZmqTestSocketsTest {
    @Test
    void receiveNudgingReturnsTheFrameThatArrivesOrNullOnceTheWaitIsOver() {
        try (ZContext context = new ZContext(1)) {
            ZMQ.Socket server = context.createSocket(SocketType.DEALER);
            server.setLinger(0);
            server.bind("tcp://127.0.0.1:*");
            ZMQ.Socket client = context.createSocket(SocketType.DEALER);
            client.setLinger(0);
            client.connect(server.getLastEndpoint());
            client.send("hello");
            assertThat(ZmqTestSockets.receiveNudging(context, server, 10_000)).isEqualTo("hello".getBytes());
            assertThat(ZmqTestSockets.receiveNudging(context, server, 2 * ZmqOptions.NUDGE_INTERVAL_MILLIS))
                    .isNull();
            assertThat(context.getSockets()).containsExactlyInAnyOrder(server, client);
        }
    }
}
