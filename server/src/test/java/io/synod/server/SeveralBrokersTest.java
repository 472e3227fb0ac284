package io.synod.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.synod.messaging.BrokerCommand;
import io.synod.messaging.Forwarder;
import io.synod.messaging.InteractionLog;
import io.synod.messaging.ProcessClock;
import io.synod.messaging.ProxyCommand;
import io.synod.messaging.ZmqOptions;
import io.synod.messaging.ZmqTestSockets;
import io.synod.protocol.Services;
import io.synod.server.coordination.CoordinationConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zeromq.ZMQ;

/**
 * A server given two brokers and two proxies: a plain REQ client on either broker is answered through that broker,
 * a subscriber on either proxy gets every publication and the coordinator's {@code servers} announcement, and with
 * one broker gone the other serves on.
 */
class SeveralBrokersTest {
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
    void eachBrokerIsAnsweredThroughItselfAndEachProxyGetsEveryPublication() throws Exception {
        InteractionLog log = InteractionLog.inMemory("test");
        try (Harness harness = new Harness(root)) {
            Forwarder broker2 =
                    BrokerCommand.start("tcp://127.0.0.1:*", "tcp://127.0.0.1:*", log, ProcessClock.system());
            Forwarder proxy2 = ProxyCommand.start("tcp://127.0.0.1:*", "tcp://127.0.0.1:*", log, ProcessClock.system());
            try {
                harness.startServer(ServerConfig.defaults(
                                "s1",
                                harness.broker.backendEndpoint() + "," + broker2.backendEndpoint(),
                                harness.proxy.frontendEndpoint() + "," + proxy2.frontendEndpoint(),
                                harness.reference.endpoint(),
                                root.resolve("s1"),
                                0)
                        .withAdvertisedAddress("tcp://127.0.0.1:0"));
                RawReq viaFirst = harness.client();
                RawReq viaSecond = new RawReq(harness.clientContext, broker2.frontendEndpoint());
                assertThat(viaFirst.call("login", data("user", "ana")).data()).containsEntry("status", "sucesso");
                assertThat(viaSecond.call("login", data("user", "bia")).data()).containsEntry("status", "sucesso");
                assertThat(viaSecond.call("channel", data("channel", "geral")).data())
                        .containsEntry("status", "sucesso");

                ZMQ.Socket subFirst = harness.subscriber("geral");
                ZMQ.Socket subSecond = harness.clientContext.createSocket(org.zeromq.SocketType.SUB);
                subSecond.setLinger(0);
                subSecond.setReceiveTimeOut(200);
                subSecond.connect(proxy2.backendEndpoint());
                subSecond.subscribe("geral".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                String firstGot = null;
                String secondGot = null;
                for (int i = 0; i < 100 && (firstGot == null || secondGot == null); i++) { // until subscribed
                    RawReq via = i % 2 == 0 ? viaFirst : viaSecond;
                    assertThat(via.call("publish", data("user", "ana", "channel", "geral", "message", "m" + i))
                                    .data())
                            .containsEntry("status", "OK");
                    firstGot = firstGot != null ? firstGot : messageOf(Harness.nextPublication(subFirst));
                    secondGot = secondGot != null ? secondGot : messageOf(Harness.nextPublication(subSecond));
                    if (i % 5 == 4) {
                        ZmqOptions.nudge(harness.clientContext); // JeroMQ's connecting SUB (ZmqOptions)
                    }
                }
                assertThat(firstGot).as("a publication through the first proxy").startsWith("m");
                assertThat(secondGot)
                        .as("a publication through the second proxy")
                        .startsWith("m");

                harness.broker.close();
                assertThat(viaSecond
                                .call("channels", data())
                                .data()
                                .get("channels")
                                .toString())
                        .contains("geral");
            } finally {
                broker2.close();
                proxy2.close();
            }
        }
    }

    @Test
    void theCoordinatorAnnouncementReachesASubscriberOnEitherProxy() {
        InteractionLog log = InteractionLog.inMemory("test");
        try (Harness harness = new Harness(root)) {
            Forwarder proxy2 = ProxyCommand.start("tcp://127.0.0.1:*", "tcp://127.0.0.1:*", log, ProcessClock.system());
            try {
                String proxies = harness.proxy.frontendEndpoint() + "," + proxy2.frontendEndpoint();
                ZMQ.Socket subFirst = harness.subscriber(Services.SERVERS_TOPIC);
                ZMQ.Socket subSecond = harness.clientContext.createSocket(org.zeromq.SocketType.SUB);
                subSecond.setLinger(0);
                subSecond.setReceiveTimeOut(200);
                subSecond.connect(proxy2.backendEndpoint());
                subSecond.subscribe(Services.SERVERS_TOPIC.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                ServerConfig config = ServerConfig.defaults(
                                "s1",
                                harness.broker.backendEndpoint(),
                                proxies,
                                harness.reference.endpoint(),
                                root.resolve("s1"),
                                0)
                        .withAdvertisedAddress("tcp://127.0.0.1:0");
                CoordinationConfig coordination =
                        CoordinationConfig.defaults("s1", "tcp://127.0.0.1:0", harness.reference.endpoint(), proxies);
                try (ChatServer server = ChatServer.start(config, coordination)) {
                    Object firstSaw = null;
                    Object secondSaw = null;
                    for (int i = 0; i < 50 && (firstSaw == null || secondSaw == null); i++) { // 200 ms each, 10 s
                        firstSaw = firstSaw != null ? firstSaw : coordinatorIn(Harness.nextPublication(subFirst));
                        secondSaw = secondSaw != null ? secondSaw : coordinatorIn(Harness.nextPublication(subSecond));
                        if (i % 5 == 4) {
                            ZmqOptions.nudge(harness.clientContext); // JeroMQ's connecting SUB (ZmqOptions)
                        }
                    }
                    assertThat(firstSaw)
                            .as("the announcement through the first proxy")
                            .isEqualTo("s1");
                    assertThat(secondSaw)
                            .as("the announcement through the second proxy")
                            .isEqualTo("s1");
                }
            } finally {
                proxy2.close();
            }
        }
    }

    /** The coordinator named by an {@code election} publication on {@code servers}; null for anything else. */
    private static Object coordinatorIn(ZmqTestSockets.ReceivedPublication publication) {
        if (publication == null
                || !Services.SERVERS_TOPIC.equals(publication.topic())
                || !Services.ELECTION.equals(publication.payload().get("service"))) {
            return null;
        }
        return ((Map<?, ?>) publication.payload().get("data")).get("coordinator");
    }

    @Test
    void anEmptyOrRepeatedEndpointIsRefusedNamingTheField() {
        assertThatThrownBy(() -> ServerConfig.defaults(
                        "s1", "tcp://127.0.0.1:1,", "tcp://127.0.0.1:2", "tcp://127.0.0.1:3", root, 0))
                .hasMessageContaining("brokerEndpoint");
        assertThatThrownBy(() -> ServerConfig.defaults(
                        "s1", "tcp://127.0.0.1:1", "tcp://127.0.0.1:2,tcp://127.0.0.1:2", "tcp://127.0.0.1:3", root, 0))
                .hasMessageContaining("proxyEndpoint");
    }

    private static String messageOf(ZmqTestSockets.ReceivedPublication publication) {
        return publication == null ? null : (String) publication.payload().get("message");
    }
}
