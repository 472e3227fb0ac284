package io.synod.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.client.ClientConfig;
import io.synod.client.Delivery;
import io.synod.client.SynodClient;
import io.synod.protocol.Envelope;
import io.synod.protocol.Publication;
import io.synod.protocol.SessionTopics;
import io.synod.protocol.Social;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 23 item 3 on real processes. In secure mode a user's private messages and notifications go out only on the
 * topics of the user's sessions: an eavesdropper subscribed to bob's name and to bob's notification topic receives
 * none of them while bob receives every one live and gap-free, in Synod's client and on a raw session topic. In
 * compat mode they go out on the name as the statement says, and nothing on a session topic.
 */
class PrivateDeliveryTest {
    private static final int MESSAGES = 10;
    private static final int MENTIONS = 3;
    /** How long the eavesdropper keeps listening after the last write. */
    private static final int EAVESDROP_TAIL_MILLIS = 2_000;
    /** Bounded wait for a subscription to propagate through the proxy (ZeroMQ's slow joiner). */
    private static final int PROPAGATION_ATTEMPTS_MAX = 50;
    /** One attempt of a client request. */
    private static final long REQUEST_TIMEOUT_MILLIS = 10_000;

    @Test
    @Timeout(180)
    void secureModeDeliversPrivatelyOnlyOnTheSessionsTopics() throws Exception {
        try (Cluster cluster = new Cluster("private-delivery")) {
            Map<String, String> endpoints = new LinkedHashMap<>();
            for (String name : List.of("server-1", "server-2", "server-3")) {
                endpoints.put(name, Processes.endpoint(Processes.freePort()));
            }
            List<String> extra = List.of("--initial-members", Cluster.initialMembers(endpoints), "--secure");
            List<Processes.Started> servers = new ArrayList<>();
            for (String name : endpoints.keySet()) {
                servers.add(cluster.startServer(name, extra));
            }
            Cluster.awaitLeader(servers);
            String broker = Processes.endpoint(cluster.brokerFrontend);
            String proxy = Processes.endpoint(cluster.proxyXpub);
            // patient: password logins hash on the servers' loops, and the build machine is shared
            ClientConfig config = ClientConfig.defaults(broker, proxy).withRequestTimeoutMillis(REQUEST_TIMEOUT_MILLIS);
            List<Delivery> bobSees = new CopyOnWriteArrayList<>();
            try (SynodClient ana = SynodClient.connect(config, null);
                    SynodClient bob = SynodClient.connect(config, bobSees::add);
                    WireClient bobRaw = cluster.client();
                    WireClient eve = cluster.client()) {
                assertThat(ana.login("ana", "senha-da-ana").ok()).isTrue();
                assertThat(bob.login("bob", "senha-do-bob").ok()).isTrue();
                assertThat(ana.createChannel("geral").ok()).isTrue();

                // bob's second session, on the wire: the login returns the session's delivery string
                Envelope login = bobRaw.call("login", Map.of("user", "bob", "password", "senha-do-bob"));
                assertThat(login.data()).containsEntry("status", "sucesso");
                String delivery = (String) login.data().get("delivery");
                assertThat(delivery).hasSize(SessionTopics.DELIVERY_CHARS);
                String messagesTopic = SessionTopics.messagesTopic(delivery);
                String notificationsTopic = SessionTopics.notificationsTopic(delivery);
                bobRaw.subscribe(messagesTopic);
                bobRaw.subscribe(notificationsTopic);
                eve.subscribe("bob");
                eve.subscribe(Social.notificationsTopic("bob"));
                eve.subscribe("geral");

                // propagation: eve hears a channel post; bob's raw session hears a first private message
                awaitHeard(eve, "geral", () -> ana.publish("geral", "oi"));
                awaitHeard(bobRaw, messagesTopic, () -> ana.sendMessage("bob", "aquecimento"));

                for (int i = 0; i < MESSAGES; i++) {
                    assertThat(ana.sendMessage("bob", "segredo " + i).ok()).isTrue();
                }
                for (int i = 0; i < MENTIONS; i++) {
                    assertThat(ana.social().post("olá @bob " + i, null).ok()).isTrue();
                }

                List<WireClient.Received> raw = new ArrayList<>();
                for (WireClient.Received r; (r = bobRaw.receive(EAVESDROP_TAIL_MILLIS)) != null; ) {
                    raw.add(r);
                }
                assertGapFree(raw, messagesTopic, MESSAGES);
                assertGapFree(raw, notificationsTopic, MESSAGES + MENTIONS);
                assertThat(raw)
                        .allMatch(r -> "ana".equals(r.payload().get("src"))
                                || "ana".equals(r.payload().get("actor")));

                List<String> eveTopics = new ArrayList<>();
                for (WireClient.Received r; (r = eve.receive(EAVESDROP_TAIL_MILLIS)) != null; ) {
                    eveTopics.add(r.topic());
                }
                assertThat(eveTopics)
                        .as("eve, subscribed to bob's name and notification topic")
                        .allMatch("geral"::equals);

                long deadline = System.nanoTime() + 10_000_000_000L;
                while (measured(bobSees).size() < MESSAGES * 2 + MENTIONS && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                List<Delivery> measured = measured(bobSees);
                assertThat(measured).allMatch(d -> d.source() == Delivery.Source.LIVE);
                assertConsecutive(seqs(measured, Publication.DirectMessage.class), MESSAGES, "private messages");
                assertConsecutive(seqs(measured, Publication.Notification.class), MESSAGES + MENTIONS, "notifications");
            }
        }
    }

    @Test
    @Timeout(120)
    void compatModeDeliversOnTheNameAndNothingOnSessionTopics() throws Exception {
        try (Cluster cluster = new Cluster("private-delivery-compat")) {
            Cluster.awaitLeader(List.of(cluster.startServer("server-1", List.of())));
            try (WireClient ana = cluster.client();
                    WireClient bob = cluster.client()) {
                assertThat(ana.call("login", Map.of("user", "ana")).data()).containsEntry("status", "sucesso");
                Envelope login = bob.call("login", Map.of("user", "bob", "password", "senha-do-bob"));
                assertThat(login.data()).containsKey("token").doesNotContainKey("delivery");
                bob.subscribe("bob");
                bob.subscribe(SessionTopics.PREFIX);
                awaitHeard(bob, "bob", () -> ana.call("message", Map.of("src", "ana", "dst", "bob", "message", "1")));
                ana.call("message", Map.of("src", "ana", "dst", "bob", "message", "2"));
                List<String> topics = new ArrayList<>();
                for (WireClient.Received r; (r = bob.receive(EAVESDROP_TAIL_MILLIS)) != null; ) {
                    topics.add(r.topic());
                }
                assertThat(topics).as("compat: on the name only").containsExactly("bob");
            }
        }
    }

    /** Repeats {@code write} until {@code listener} hears a publication on {@code topic} (bounded). */
    private static void awaitHeard(WireClient listener, String topic, Runnable write) {
        for (int i = 0; i < PROPAGATION_ATTEMPTS_MAX; i++) {
            write.run();
            WireClient.Received r = listener.receive(200);
            while (r != null && !r.topic().equals(topic)) {
                r = listener.receive(200);
            }
            if (r != null) {
                for (WireClient.Received rest; (rest = listener.receive(200)) != null; ) {
                    // drains the other copies of the propagation writes
                }
                return;
            }
        }
        throw new AssertionError("no publication on " + topic + " after " + PROPAGATION_ATTEMPTS_MAX + " writes");
    }

    /** The publications on {@code topic} are {@code count} consecutive {@code seq}s. */
    private static void assertGapFree(List<WireClient.Received> received, String topic, int count) {
        List<Long> seqs = received.stream()
                .filter(r -> r.topic().equals(topic))
                .map(r -> (Long) r.payload().get("seq"))
                .toList();
        assertThat(seqs).as("seqs on %s", topic).hasSize(count);
        for (int i = 1; i < seqs.size(); i++) {
            assertThat(seqs.get(i))
                    .as("seq after %d on %s", seqs.get(i - 1), topic)
                    .isEqualTo(seqs.get(i - 1) + 1);
        }
    }

    private static List<Long> seqs(List<Delivery> deliveries, Class<? extends Publication> kind) {
        return deliveries.stream()
                .filter(d -> kind.isInstance(d.publication()))
                .map(Delivery::seq)
                .toList();
    }

    /** Bob's deliveries of the measured writes (not of the propagation ones, which may still be arriving). */
    private static List<Delivery> measured(List<Delivery> deliveries) {
        return deliveries.stream()
                .filter(d -> switch (d.publication()) {
                    case Publication.DirectMessage dm -> dm.message().startsWith("segredo ");
                    case Publication.Notification n ->
                        n.message().startsWith("segredo ") || n.message().startsWith("olá @bob ");
                    default -> false;
                })
                .toList();
    }

    private static void assertConsecutive(List<Long> seqs, int count, String what) {
        assertThat(seqs).as("bob's client: %s", what).hasSize(count);
        for (int i = 1; i < seqs.size(); i++) {
            assertThat(seqs.get(i))
                    .as("bob's client: %s in order, no gap", what)
                    .isEqualTo(seqs.get(i - 1) + 1);
        }
    }
}
