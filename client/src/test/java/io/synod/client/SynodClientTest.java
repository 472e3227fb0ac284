package io.synod.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.synod.messaging.InteractionLog;
import io.synod.messaging.ProcessClock;
import io.synod.protocol.Envelope;
import io.synod.protocol.Publication;
import io.synod.protocol.Services;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SynodClientTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private FakeCluster cluster;
    private SynodClient client;
    private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    private final List<String> gaps = new CopyOnWriteArrayList<>();
    private final InteractionLog log = InteractionLog.inMemory("test-client");

    private final DeliveryListener listener = new DeliveryListener() {
        @Override
        public void onDelivery(Delivery delivery) {
            deliveries.add(delivery);
        }

        @Override
        public void onGapSkipped(String topic, long fromSeq, long toSeq) {
            gaps.add(topic + ":" + fromSeq + "-" + toSeq);
        }
    };

    @BeforeEach
    void start() {
        cluster = new FakeCluster();
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        cluster.close();
        log.close();
    }

    private SynodClient connect(ClientConfig config) {
        client = new SynodClient(config, ProcessClock.system(), log, listener);
        return client;
    }

    private SynodClient connect() {
        return connect(ClientConfig.defaults(cluster.brokerEndpoint(), cluster.proxyEndpoint())
                .withRequestTimeoutMillis(1_000)
                .withGapRetryDelayMillis(20));
    }

    @Test
    void requestsAreStampedAndRepliesAdvanceTheLamportClock() {
        connect();
        cluster.replyClock = 100;
        double before = client.clock().nowSeconds();

        assertThat(client.login("ana").ok()).isTrue();

        Envelope login = cluster.requests(Services.LOGIN).get(0);
        assertThat(login.data()).containsEntry("user", "ana").containsKeys("client_id", "request_id");
        assertThat((Long) login.data().get("clock")).isPositive();
        assertThat((Double) login.data().get("timestamp"))
                .isBetween(before, client.clock().nowSeconds());
        assertThat(client.clock().lamport().current()).isGreaterThan(100);

        client.users();
        Envelope users = cluster.requests(Services.USERS).get(0);
        assertThat((Long) users.data().get("clock")).isGreaterThan(101);
        assertThat(users.data().get("request_id")).isNotEqualTo(login.data().get("request_id"));
        assertThat(log.recentLines())
                .anyMatch(line -> line.contains("\"dir\":\"out\"") && line.contains("login"))
                .anyMatch(line -> line.contains("\"dir\":\"in\"") && line.contains("login"));
    }

    @Test
    void typedRepliesCarryListsAndServerErrors() {
        connect();
        client.login("ana");
        assertThat(client.createChannel("general").ok()).isTrue();
        ClientReply.Status again = client.createChannel("general");
        assertThat(again.ok()).isFalse();
        assertThat(again.errorText()).isEqualTo("channel already exists");
        assertThat(client.channels().names()).containsExactly("general");
        assertThat(client.users().names()).containsExactly("ana");
        assertThat(client.publish("general", "hello").ok()).isTrue();
        assertThat(client.publish("nowhere", "hello").errorText()).contains("no such channel");
        ClientReply.HistoryPage page = client.history("general", 0, 10);
        assertThat(page.messages()).extracting(Publication::seq).containsExactly(1L);
        assertThat(((Publication.ChannelPost) page.messages().get(0)).message()).isEqualTo("hello");
    }

    @Test
    void lazyPirateRetriesWithTheSameRequestIdOnANewSocket() {
        connect(ClientConfig.defaults(cluster.brokerEndpoint(), cluster.proxyEndpoint())
                .withRequestTimeoutMillis(300));
        client.login("ana");
        client.createChannel("general");
        // the login's notification reads (last_seq, then the fetch after it) run in the background: let them end
        await().atMost(WAIT)
                .until(() -> cluster.requests(Services.NOTIFICATIONS).size() >= 2);
        client.users(); // answered after them: the fake serves one request at a time
        cluster.repliesToDrop.set(1);

        assertThat(client.publish("general", "once").ok()).isTrue();

        List<FakeCluster.Received> publishes = cluster.received.stream()
                .filter(r -> r.request().service().equals(Services.PUBLISH))
                .toList();
        // At least the dropped attempt and the answered retry (a slow machine may need more).
        assertThat(publishes).hasSizeGreaterThanOrEqualTo(2);
        FakeCluster.Received first = publishes.get(0);
        FakeCluster.Received last = publishes.get(publishes.size() - 1);
        assertThat(publishes)
                .allSatisfy(p -> assertThat(p.request().data())
                        .containsEntry("request_id", first.request().data().get("request_id"))
                        .containsEntry("client_id", first.request().data().get("client_id")));
        assertThat(last.identity()).as("a new socket").isNotEqualTo(first.identity());
        assertThat((Long) last.request().data().get("clock"))
                .isGreaterThan((Long) first.request().data().get("clock"));
    }

    @Test
    void aSilentClusterFailsTheRequestNamingTheBroker() {
        connect(ClientConfig.defaults(cluster.brokerEndpoint(), cluster.proxyEndpoint())
                .withRequestTimeoutMillis(200)
                .withRequestRetriesMax(2));
        cluster.silent = true;

        assertThatThrownBy(() -> client.users())
                .isInstanceOf(ClientException.RequestTimeout.class)
                .hasMessageContaining(cluster.brokerEndpoint())
                .hasMessageContaining("3 attempts");
        // An attempt on a socket closed before its connection was up never reaches the server.
        assertThat(cluster.requests(Services.USERS))
                .hasSizeBetween(1, 3)
                .extracting(r -> r.data().get("request_id"))
                .containsOnly(1L);
    }

    @Test
    void aLateReplyNudgesTheContextsIoThreadWhileItWaits() {
        connect(ClientConfig.defaults(cluster.brokerEndpoint(), cluster.proxyEndpoint())
                .withRequestTimeoutMillis(2_000)
                .withRequestRetriesMax(0));
        cluster.silent = true;

        assertThatThrownBy(() -> client.users()).isInstanceOf(ClientException.RequestTimeout.class);
        // JeroMQ's connect race (ZmqOptions.nudge): nudged while the reply is late, at most every 200 ms
        assertThat(log.recentLines())
                .filteredOn(line -> line.contains("io-nudge"))
                .hasSizeBetween(2, (int) (2_000 / ClientLoop.NUDGE_AFTER_MILLIS));
    }

    @Test
    void manyRequestsInFlightCompleteWhenServersEchoRequestIds() {
        connect();
        client.login("ana");
        client.createChannel("general");
        List<CompletableFuture<ClientReply.Status>> futures = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            futures.add(client.publishAsync("general", "m" + i));
        }
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).join();
        assertThat(futures).allMatch(f -> f.join().ok());
        assertThat(cluster.channelHistory.get("general")).hasSize(50);
    }

    @Test
    void aDroppedReplyAmongManyInFlightResendsThemWithTheirOwnIds() {
        connect(ClientConfig.defaults(cluster.brokerEndpoint(), cluster.proxyEndpoint())
                .withRequestTimeoutMillis(300));
        client.login("ana");
        client.createChannel("general");
        // the login's notification reads (last_seq, then the fetch after it) run in the background: let them end
        await().atMost(WAIT)
                .until(() -> cluster.requests(Services.NOTIFICATIONS).size() >= 2);
        client.users(); // answered after them: the fake serves one request at a time
        cluster.repliesToDrop.set(1);
        List<CompletableFuture<ClientReply.Status>> futures = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            futures.add(client.publishAsync("general", "m" + i));
        }
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).join();

        assertThat(futures).allMatch(f -> f.join().ok());
        java.util.Map<Object, List<Envelope>> byId = cluster.requests(Services.PUBLISH).stream()
                .collect(java.util.stream.Collectors.groupingBy(r -> r.data().get("request_id")));
        assertThat(byId).hasSize(20);
        byId.values()
                .forEach(sends -> assertThat(sends)
                        .extracting(r -> r.data().get("message"))
                        .containsOnly(sends.get(0).data().get("message")));
    }

    @Test
    void foreignServersWithoutRequestIdEchoGetOneRequestAtATime() {
        cluster.echoRequestId = false;
        connect();
        client.login("ana");
        client.createChannel("general");
        List<CompletableFuture<ClientReply.Status>> futures = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            futures.add(client.publishAsync("general", "m" + i));
        }
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).join();
        assertThat(futures).allMatch(f -> f.join().ok());
        assertThat(cluster.channelHistory.get("general"))
                .extracting(p -> ((Publication.ChannelPost) p).message())
                .containsExactly(java.util.stream.IntStream.range(0, 20)
                        .mapToObj(i -> "m" + i)
                        .toArray(String[]::new));
    }

    @Test
    void loginSubscribesToTheOwnNameAndTopicsMatchExactly() {
        connect();
        client.login("ana");
        await().atMost(WAIT).until(() -> cluster.subscriptions.contains("ana"));

        cluster.publish(new Publication.DirectMessage("bob", "anabel", "not for ana", 1.0, 1, 1, "x1", 1, 1));
        cluster.publish(new Publication.DirectMessage("bob", "ana", "for ana", 1.0, 1, 1, "x2", 2, 1));

        await().atMost(WAIT).until(() -> !deliveries.isEmpty());
        assertThat(deliveries)
                .extracting(d -> ((Publication.DirectMessage) d.publication()).message())
                .containsExactly("for ana");
        assertThat(deliveries.get(0).topic()).isEqualTo("ana");
    }

    @Test
    void aGapIsFilledFromHistoryAndEverythingIsDeliveredOnceInOrder() {
        connect();
        client.subscribe("general", false);
        await().atMost(WAIT).until(() -> cluster.subscriptions.contains("general"));
        Publication p1 = cluster.store("general", 1, "bob", "one");
        Publication p2 = cluster.store("general", 2, "bob", "two");
        cluster.store("general", 3, "bob", "three");
        Publication p4 = cluster.store("general", 4, "bob", "four");

        cluster.publish(p1);
        cluster.publish(p2);
        cluster.publish(p4);
        await().atMost(WAIT).until(() -> deliveries.size() >= 4);
        cluster.publish(p4);
        cluster.publish(p2);
        Publication p5 = cluster.store("general", 5, "bob", "five");
        cluster.publish(p5);
        await().atMost(WAIT).until(() -> deliveries.size() >= 5);

        assertThat(deliveries).extracting(Delivery::seq).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(deliveries.get(2).source()).isEqualTo(Delivery.Source.HISTORY);
        assertThat(cluster.requests(Services.HISTORY))
                .first()
                .satisfies(r ->
                        assertThat(r.data()).containsEntry("channel", "general").containsEntry("after_seq", 2L));
        assertThat(gaps).isEmpty();
    }

    /**
     * A live seq the history never has (here: not stored, as a forged one would not be) is dropped once the
     * history, asked every attempt, ends before it; nothing is skipped, and later real ones are delivered.
     */
    @Test
    void aLiveSeqTheHistoryNeverHasIsDroppedAsUnconfirmed() {
        connect();
        client.subscribe("general", false);
        await().atMost(WAIT).until(() -> cluster.subscriptions.contains("general"));
        Publication p1 = cluster.store("general", 1, "bob", "one");
        Publication p3 = new Publication.ChannelPost("general", "bob", "three", 1.0, 3, 3, "m3", 3);
        cluster.publish(p1);
        cluster.publish(p3);

        await().atMost(WAIT)
                .until(() ->
                        log.recentLines().stream().anyMatch(line -> line.contains("\"kind\":\"unconfirmed-dropped\"")));
        assertThat(deliveries).extracting(Delivery::seq).containsExactly(1L);
        assertThat(gaps).isEmpty();
        assertThat(cluster.requests(Services.HISTORY)).hasSize(client.config().gapFillAttemptsMax());
        cluster.publish(cluster.store("general", 2, "bob", "two"));
        await().atMost(WAIT).until(() -> deliveries.size() >= 2);
        assertThat(deliveries).extracting(Delivery::seq).containsExactly(1L, 2L);
    }

    @Test
    void loginLearnsTheInboxSeqSoAMessageLostBeforeTheSubscriptionIsFetched() {
        List<Publication> inbox = new CopyOnWriteArrayList<>();
        for (long seq = 1; seq <= 4; seq++) {
            inbox.add(new Publication.DirectMessage("bob", "ana", "old " + seq, 1.0, seq, seq, "d" + seq, seq, seq));
        }
        cluster.inboxHistory.put("ana", inbox);
        connect();
        client.login("ana");
        await().atMost(WAIT)
                .until(() -> cluster.subscriptions.contains("ana")
                        && log.recentLines().stream()
                                .anyMatch(line -> line.contains("\"dir\":\"in\"")
                                        && line.contains("\"kind\":\"private_history\"")));
        // Seq 5 was "published before the subscription propagated": only in history.
        inbox.add(new Publication.DirectMessage("bob", "ana", "lost", 1.0, 5, 5, "d5", 5, 5));
        Publication.DirectMessage sixth = new Publication.DirectMessage("bob", "ana", "six", 1.0, 6, 6, "d6", 6, 6);
        inbox.add(sixth);
        cluster.publish(sixth);

        await().atMost(WAIT).until(() -> deliveries.size() >= 2);
        assertThat(deliveries).extracting(Delivery::seq).containsExactly(5L, 6L);
    }

    @Test
    void anInboxGapIsFilledFromPrivateHistory() {
        connect();
        client.login("ana");
        await().atMost(WAIT).until(() -> cluster.subscriptions.contains("ana"));
        client.sendMessageAsync("ana", "hello me").join();
        await().atMost(WAIT).until(() -> deliveries.size() == 1);
        cluster.repliesToDrop.set(0);
        // Seq 2 is stored but never published: the client sees 3 and fetches 2.
        cluster.handler = null;
        List<Publication> inbox = cluster.inboxHistory.get("ana");
        inbox.add(new Publication.DirectMessage("bob", "ana", "lost", 1.0, 2, 2, "d2", 2, 1));
        Publication.DirectMessage third = new Publication.DirectMessage("bob", "ana", "third", 1.0, 3, 3, "d3", 3, 2);
        inbox.add(third);
        cluster.publish(third);

        await().atMost(WAIT).until(() -> deliveries.size() >= 3);
        assertThat(deliveries).extracting(Delivery::seq).containsExactly(1L, 2L, 3L);
        assertThat(cluster.requests(Services.PRIVATE_HISTORY).get(0).data())
                .containsEntry("user", "ana")
                .doesNotContainKey("peer");
    }

    @Test
    void subscribingWithHistoryReplaysTheRecentMessagesThenGoesLive() {
        for (int seq = 1; seq <= 30; seq++) {
            cluster.store("general", seq, "bob", "m" + seq);
        }
        connect(ClientConfig.defaults(cluster.brokerEndpoint(), cluster.proxyEndpoint())
                .withHistoryPageSize(7));
        client.subscribe("general", true);
        await().atMost(WAIT).until(() -> cluster.subscriptions.contains("general"));
        await().atMost(WAIT).until(() -> deliveries.size() >= 20);
        cluster.publish(cluster.store("general", 31, "bob", "m31"));
        await().atMost(WAIT).until(() -> deliveries.size() >= 21);

        assertThat(deliveries)
                .extracting(Delivery::seq)
                .containsExactlyElementsOf(
                        java.util.stream.LongStream.rangeClosed(11, 31).boxed().toList());
        assertThat(deliveries.get(0).source()).isEqualTo(Delivery.Source.HISTORY);
        assertThat(deliveries.get(20).source()).isEqualTo(Delivery.Source.LIVE);
    }

    @Test
    void subscribingFromASeqDeliversEverythingAfterItThenGoesLive() {
        for (int seq = 1; seq <= 30; seq++) {
            cluster.store("general", seq, "bob", "m" + seq);
        }
        connect(ClientConfig.defaults(cluster.brokerEndpoint(), cluster.proxyEndpoint())
                .withHistoryPageSize(7));
        client.subscribeFrom("general", 4);
        await().atMost(WAIT).until(() -> cluster.subscriptions.contains("general") && deliveries.size() >= 26);
        cluster.publish(cluster.store("general", 31, "bob", "m31"));
        await().atMost(WAIT).until(() -> deliveries.size() >= 27);

        assertThat(deliveries)
                .extracting(Delivery::seq)
                .containsExactlyElementsOf(
                        java.util.stream.LongStream.rangeClosed(5, 31).boxed().toList());
    }

    @Test
    void publicationsWithoutSeqAreDeliveredAsTheyCome() {
        connect();
        client.subscribe("general", false);
        await().atMost(WAIT).until(() -> cluster.subscriptions.contains("general"));
        cluster.publish("general", Map.of("user", "bob", "message", "first", "timestamp", 1.0, "clock", 5L));
        cluster.publish("general", Map.of("user", "bob", "message", "first", "timestamp", 1.0, "clock", 6L));
        await().atMost(WAIT).until(() -> deliveries.size() >= 2);
        assertThat(deliveries).allMatch(d -> d.seq() == 0);
        assertThat(client.clock().lamport().current()).isGreaterThan(6);
    }

    private static Publication.ChannelPost forgedPost(long seq) {
        return new Publication.ChannelPost("general", "mallory", "forged", 1.0, 1, seq, "x" + seq, seq);
    }

    @Test
    void aForgedDeliveryShownBeforeTheRealOneIsCorrectedFromHistory() {
        connect();
        client.subscribe("general", false);
        await().atMost(WAIT).until(() -> cluster.subscriptions.contains("general"));
        Publication p1 = cluster.store("general", 1, "bob", "one");
        Publication p2 = cluster.store("general", 2, "bob", "two");
        cluster.publish(p1);
        cluster.publish(forgedPost(2)); // anyone may publish into the proxy, with the seq a real post will take
        cluster.publish(p2);
        await().atMost(WAIT).until(() -> deliveries.size() >= 3);

        assertThat(deliveries)
                .containsExactly(
                        new Delivery(p1, Delivery.Source.LIVE),
                        new Delivery(forgedPost(2), Delivery.Source.LIVE),
                        new Delivery(p2, Delivery.Source.CORRECTION));
        assertThat(cluster.requests(Services.HISTORY))
                .singleElement()
                .satisfies(r -> assertThat(r.data()).containsEntry("after_seq", 1L));
        cluster.publish(forgedPost(2));
        Publication p3 = cluster.store("general", 3, "bob", "three");
        cluster.publish(p3);
        await().atMost(WAIT).until(() -> deliveries.size() >= 4);
        assertThat(deliveries.get(3)).isEqualTo(new Delivery(p3, Delivery.Source.LIVE));
        assertThat(cluster.requests(Services.HISTORY))
                .as("the history's copy is kept: no new check")
                .hasSize(1);
    }

    @Test
    void aForgedDeliveryAfterTheRealOneIsDroppedOnceHistoryConfirmsTheRealOne() {
        connect();
        client.subscribe("general", false);
        await().atMost(WAIT).until(() -> cluster.subscriptions.contains("general"));
        Publication p1 = cluster.store("general", 1, "bob", "one");
        cluster.publish(p1);
        cluster.publish(forgedPost(1));
        await().atMost(WAIT).until(() -> cluster.requests(Services.HISTORY).size() == 1);
        Publication p2 = cluster.store("general", 2, "bob", "two");
        cluster.publish(p2);
        await().atMost(WAIT).until(() -> deliveries.size() >= 2);
        assertThat(deliveries)
                .containsExactly(new Delivery(p1, Delivery.Source.LIVE), new Delivery(p2, Delivery.Source.LIVE));
        assertThat(cluster.requests(Services.HISTORY).get(0).data()).containsEntry("after_seq", 0L);
    }

    @Test
    void aMalformedEndpointFailsTheConstructor() {
        assertThatThrownBy(() -> connect(ClientConfig.defaults("nonsense", cluster.proxyEndpoint())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot connect to the broker at nonsense");
        client = null;
    }

    @Test
    void closingFailsLaterCalls() {
        connect();
        client.close();
        assertThatThrownBy(() -> client.users()).isInstanceOf(ClientException.Closed.class);
        client = null;
    }

    @Test
    void readsCarryTheHighestIndexARepliedSoTheyNeverGoBackwards() {
        connect();
        client.login("ana");
        client.users();
        assertThat(cluster.requests(Services.USERS).get(0).data()).doesNotContainKey("min_index");
        client.createChannel("geral");
        cluster.store("geral", 1, "bob", "one"); // index 1 in the history reply
        assertThat(client.history("geral", 0, 10).messages()).hasSize(1);
        client.subscribe("geral", false);
        // issue 19: anyone can publish into the proxy; a live publication's index must not become the floor of
        // every later read, or a forged huge one would make them all wait and fail
        cluster.publish(
                "geral",
                Map.of(
                        "user",
                        "bob",
                        "message",
                        "x",
                        "timestamp",
                        1.0,
                        "clock",
                        5L,
                        "channel",
                        "geral",
                        "seq",
                        2L,
                        "id",
                        "p2",
                        "index",
                        4_000_000_000_000L));
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(5))
                .until(() -> deliveries.stream().anyMatch(d -> d.seq() == 2)
                        || !cluster.requests(Services.HISTORY).isEmpty());
        client.users();
        assertThat(cluster.requests(Services.USERS).get(1).data()).containsEntry("min_index", 1L);
    }
}
