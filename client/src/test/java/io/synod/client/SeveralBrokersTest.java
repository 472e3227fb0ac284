package io.synod.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.synod.messaging.InteractionLog;
import io.synod.messaging.ProcessClock;
import io.synod.protocol.Envelope;
import io.synod.protocol.Publication;
import io.synod.protocol.Replies;
import io.synod.protocol.Services;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A client given two brokers and two proxies (two fake clusters): a request whose broker connection is lost is sent
 * again through the other with the same ids without waiting for its timeout, and a publication that comes from both
 * proxies is delivered once.
 */
class SeveralBrokersTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** Far beyond {@link #WAIT}: only the lost connection can make the client send again within it. */
    private static final long REQUEST_TIMEOUT_MILLIS = 120_000;

    private FakeCluster first;
    private FakeCluster second;
    private SynodClient client;
    private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    private final List<String> gaps = new CopyOnWriteArrayList<>();
    private final InteractionLog log = InteractionLog.inMemory("test-client");

    @BeforeEach
    void start() {
        first = new FakeCluster();
        second = new FakeCluster();
        ClientConfig config = ClientConfig.defaults(
                        first.brokerEndpoint() + "," + second.brokerEndpoint(),
                        first.proxyEndpoint() + "," + second.proxyEndpoint())
                .withRequestTimeoutMillis(REQUEST_TIMEOUT_MILLIS)
                .withRequestRetriesMax(0)
                .withGapRetryDelayMillis(20);
        client = new SynodClient(config, ProcessClock.system(), log, new DeliveryListener() {
            @Override
            public void onDelivery(Delivery delivery) {
                deliveries.add(delivery);
            }

            @Override
            public void onGapSkipped(String topic, long fromSeq, long toSeq) {
                gaps.add(topic + ":" + fromSeq + "-" + toSeq);
            }
        });
    }

    @AfterEach
    void stop() {
        client.close();
        first.close();
        second.close();
        log.close();
    }

    @Test
    void aRequestOnALostBrokerConnectionIsSentThroughTheOtherWithTheSameIds() {
        // both connections made: a request then goes to either broker
        await().atMost(WAIT).until(() -> {
            client.users();
            return !first.requests(Services.USERS).isEmpty()
                    && !second.requests(Services.USERS).isEmpty();
        });
        first.silent = true;
        second.silent = true;
        CompletableFuture<Envelope> created = client.requestAsync(Services.CHANNEL, Map.of("channel", "general"));
        await().atMost(WAIT)
                .until(() -> first.requests(Services.CHANNEL).size()
                                + second.requests(Services.CHANNEL).size()
                        > 0);
        FakeCluster lost = first.requests(Services.CHANNEL).isEmpty() ? second : first;
        FakeCluster other = lost == first ? second : first;
        Envelope sent = lost.requests(Services.CHANNEL).get(0);
        other.silent = false;
        lost.close(); // its connection drops, as a killed broker's does

        Envelope reply = created.orTimeout(WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                .join();

        assertThat(reply.data()).containsEntry("status", Replies.SUCESSO);
        assertThat(other.requests(Services.CHANNEL))
                .first()
                .satisfies(resent -> assertThat(resent.data())
                        .containsEntry("client_id", sent.data().get("client_id"))
                        .containsEntry("request_id", sent.data().get("request_id")));
    }

    @Test
    void aPublicationFromEachProxyIsDeliveredOnceInOrder() {
        client.subscribe("general", false);
        await().atMost(WAIT)
                .until(() -> first.subscriptions.contains("general") && second.subscriptions.contains("general"));
        List<Publication> posts =
                List.of(store("general", 1, "one"), store("general", 2, "two"), store("general", 3, "three"));

        first.publish(posts.get(0));
        second.publish(posts.get(0));
        second.publish(posts.get(1));
        first.publish(posts.get(1));
        second.publish(posts.get(2)); // only one proxy carries the third
        await().atMost(WAIT).until(() -> deliveries.size() >= 3);
        first.publish(posts.get(2)); // the late copy of the third
        Publication fourth = store("general", 4, "four");
        first.publish(fourth);
        second.publish(fourth);
        await().atMost(WAIT).until(() -> deliveries.size() >= 4);

        assertThat(deliveries).extracting(Delivery::seq).containsExactly(1L, 2L, 3L, 4L);
        assertThat(gaps).isEmpty();
    }

    @Test
    void anEmptyOrRepeatedEndpointIsRefusedNamingTheField() {
        assertThatThrownBy(() -> ClientConfig.defaults("tcp://127.0.0.1:1,", "tcp://127.0.0.1:2"))
                .hasMessageContaining("brokerEndpoint");
        assertThatThrownBy(() -> ClientConfig.defaults("tcp://127.0.0.1:1", "tcp://127.0.0.1:2,tcp://127.0.0.1:2"))
                .hasMessageContaining("proxyEndpoint");
    }

    /** The same post in both fakes' histories, as every server holds it. */
    private Publication store(String channel, long seq, String message) {
        second.store(channel, seq, "bob", message);
        return first.store(channel, seq, "bob", message);
    }
}
