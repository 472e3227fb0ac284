package io.synod.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.messaging.BrokerCommand;
import io.synod.messaging.Forwarder;
import io.synod.messaging.InteractionLog;
import io.synod.messaging.ProcessClock;
import io.synod.messaging.ProxyCommand;
import io.synod.messaging.ZmqOptions;
import io.synod.protocol.Envelope;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/**
 * A server's links to the broker and to the proxy (its own ZeroMQ protocol code, not JeroMQ sockets) come back by
 * themselves when the broker and the proxy are restarted on the same ports: requests are served again and
 * publications reach subscribers again, with no restart of the server.
 */
class LinksReconnectTest {
    @TempDir
    Path root;

    private static Map<String, Object> data(Object... keyValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put((String) keyValues[i], keyValues[i + 1]);
        }
        return map;
    }

    @Test
    void aServerIsServedAgainAfterTheBrokerAndTheProxyRestart() throws Exception {
        String front = Harness.freeEndpoint();
        String back = Harness.freeEndpoint();
        String xsub = Harness.freeEndpoint();
        String xpub = Harness.freeEndpoint();
        InteractionLog log = InteractionLog.inMemory("test");
        try (Harness harness = new Harness(root)) {
            Forwarder broker = BrokerCommand.start(front, back, log, ProcessClock.system());
            Forwarder proxy = ProxyCommand.start(xsub, xpub, log, ProcessClock.system());
            try {
                harness.startServer(
                        ServerConfig.defaults("s1", back, xsub, harness.reference.endpoint(), root.resolve("s1"), 0)
                                .withAdvertisedAddress("tcp://127.0.0.1:0"));
                RawReq client = new RawReq(harness.clientContext, front);
                assertThat(client.call("login", data("user", "ana")).data()).containsEntry("status", "sucesso");
                assertThat(client.call("channel", data("channel", "geral")).data())
                        .containsEntry("status", "sucesso");

                broker.close();
                proxy.close();
                broker = BrokerCommand.start(front, back, log, ProcessClock.system());
                proxy = ProxyCommand.start(xsub, xpub, log, ProcessClock.system());

                // the server reconnects within its 100 ms interval; RawReq retries for up to 10 s
                RawReq again = new RawReq(harness.clientContext, front);
                assertThat(again.call("channels", data()).data().get("channels").toString())
                        .contains("geral");
                ZMQ.Socket sub = harness.clientContext.createSocket(SocketType.SUB);
                sub.setLinger(0);
                sub.setReceiveTimeOut(200);
                sub.connect(xpub);
                sub.subscribe("geral".getBytes(StandardCharsets.UTF_8));
                Envelope published = null;
                String delivered = null;
                for (int i = 0; i < 100 && delivered == null; i++) { // until the subscription has reached the server
                    published = again.call("publish", data("user", "ana", "channel", "geral", "message", "m" + i));
                    var publication = Harness.nextPublication(sub);
                    delivered = publication == null
                            ? null
                            : (String) publication.payload().get("message");
                    if (i % 5 == 4) {
                        ZmqOptions.nudge(harness.clientContext); // JeroMQ's connecting SUB (ZmqOptions)
                    }
                }
                assertThat(published.data()).containsEntry("status", "OK");
                assertThat(delivered).as("a publication after the restart").startsWith("m");
            } finally {
                broker.close();
                proxy.close();
            }
        }
    }
}
