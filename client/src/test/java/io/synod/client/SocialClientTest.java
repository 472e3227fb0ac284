package io.synod.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.synod.messaging.InteractionLog;
import io.synod.messaging.ProcessClock;
import io.synod.protocol.Envelope;
import io.synod.protocol.Publication;
import io.synod.protocol.Services;
import io.synod.protocol.Social;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client's social calls and live social topics against a {@link FakeCluster}: the fields each call sends, and
 * the notification and post topics delivered in {@code seq} order with gaps filled from {@code notifications} and
 * {@code profile}.
 */
class SocialClientTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private FakeCluster cluster;
    private SynodClient client;
    private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    private final InteractionLog log = InteractionLog.inMemory("test-client");

    @BeforeEach
    void start() {
        cluster = new FakeCluster();
        client = new SynodClient(
                ClientConfig.defaults(cluster.brokerEndpoint(), cluster.proxyEndpoint())
                        .withRequestTimeoutMillis(1_000)
                        .withGapRetryDelayMillis(20),
                ProcessClock.system(),
                log,
                deliveries::add);
    }

    @AfterEach
    void stop() {
        client.close();
        cluster.close();
        log.close();
    }

    private List<Long> seqsOn(String topic) {
        return deliveries.stream()
                .filter(d -> d.topic().equals(topic))
                .map(Delivery::seq)
                .toList();
    }

    @Test
    void theCallsSendTheirFieldsAsTheLoggedInUserWithExactlyOnceIds() {
        assertThatThrownBy(() -> client.social().post("too early", null))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("log in");
        client.login("bob");

        ClientReply.SocialPage post = client.social().post("olá @ana", null);
        ClientReply.SocialPage follow = client.social().follow("ana");
        ClientReply.SocialPage again = client.social().follow("ana");
        ClientReply.SocialPage search =
                client.social().search("acao", new SynodSocial.SearchOptions("best", "post", null, "ana", 5, "c0"));

        assertThat(post.ok()).isTrue();
        assertThat(post.text("id")).isNotBlank();
        assertThat(follow.ok()).isTrue();
        assertThat(again.ok()).isFalse();
        assertThat(again.errorText()).contains("target");
        Envelope sent = cluster.requests(Services.POST).get(0);
        assertThat(sent.data())
                .containsEntry("user", "bob")
                .containsEntry("message", "olá @ana")
                .containsKeys("client_id", "request_id")
                .doesNotContainKey("reply_to");
        assertThat(cluster.requests(Services.FOLLOW).get(0).data())
                .containsEntry("user", "bob")
                .containsEntry("target", "ana");
        assertThat(cluster.requests(Services.FOLLOW).get(0).data().get("request_id"))
                .isNotEqualTo(cluster.requests(Services.FOLLOW).get(1).data().get("request_id"));
        assertThat(cluster.requests(Services.SEARCH).get(0).data())
                .containsEntry("user", "bob")
                .containsEntry("query", "acao")
                .containsEntry("sort", "best")
                .containsEntry("kind", "post")
                .containsEntry("author", "ana")
                .containsEntry("limit", 5L)
                .containsEntry("cursor", "c0")
                .doesNotContainKey("channel");
        assertThat(search.maps("results")).hasSize(1);
        assertThat(search.text("next_cursor")).isEqualTo("c1");
        assertThat(search.more()).isTrue();

        assertThat(client.social().feed(0, 10).items())
                .as("bob follows ana, who has not posted")
                .isEmpty();
        ClientReply.SocialPage timeline = client.social().timeline(0, 10);
        assertThat(timeline.items()).singleElement().satisfies(p -> {
            assertThat(p).isInstanceOf(Publication.SocialPost.class);
            assertThat(((Publication.SocialPost) p).message()).isEqualTo("olá @ana");
        });
        ClientReply.SocialPage profile = client.social().profile("bob", 0, 0);
        assertThat(profile.number("post_count")).isEqualTo(1);
        assertThat(cluster.requests(Services.PROFILE).get(0).data()).doesNotContainKeys("limit", "before");
    }

    @Test
    void notificationsStartAfterTheLastSeqAndAGapIsFilledFromNotificationsBySeq() {
        cluster.social.store("ana", "follower", "bob", "");
        cluster.social.store("ana", "follower", "carl", "");
        String topic = Social.notificationsTopic("ana");

        client.login("ana");
        await().atMost(WAIT).until(() -> cluster.subscriptions.contains(topic));
        // the login's read of last_seq (limit 1), then the start's fetch after it: the start is known
        await().atMost(WAIT)
                .until(() -> cluster.requests(Services.NOTIFICATIONS).size() >= 2);
        assertThat(cluster.requests(Services.NOTIFICATIONS).get(0).data())
                .containsEntry("user", "ana")
                .containsEntry("limit", 1L);
        assertThat(cluster.requests(Services.NOTIFICATIONS).get(1).data()).containsEntry("after_seq", 2L);

        cluster.social.store("ana", "mention", "dora", "@ana oi"); // seq 3: never published, lost live
        cluster.publish(cluster.social.store("ana", "follower", "eva", "")); // seq 4: shows the gap

        await().atMost(WAIT).until(() -> seqsOn(topic).size() >= 2);
        assertThat(seqsOn(topic)).containsExactly(3L, 4L);
        Delivery filled = deliveries.stream()
                .filter(d -> d.topic().equals(topic))
                .findFirst()
                .orElseThrow();
        assertThat(filled.source()).isEqualTo(Delivery.Source.HISTORY);
        assertThat(((Publication.Notification) filled.publication()).actor()).isEqualTo("dora");

        Publication.Notification five = cluster.social.store("ana", "follower", "eva", "");
        cluster.publish(five);
        cluster.publish(five); // the same copy again: a repeat, dropped
        await().atMost(WAIT).until(() -> seqsOn(topic).size() >= 3);
        cluster.publish(cluster.social.store("ana", "follower", "fil", ""));
        await().atMost(WAIT).until(() -> seqsOn(topic).size() >= 4);
        assertThat(seqsOn(topic)).containsExactly(3L, 4L, 5L, 6L);
    }

    @Test
    void postsOfAnAuthorAreLiveFromTheFirstAndAGapIsFilledFromProfile() {
        client.login("bob");
        client.social().subscribePosts("ana");
        String topic = Social.postsTopic("ana");
        assertThat(client.social().subscribedPostAuthors()).containsExactly("ana");
        await().atMost(WAIT).until(() -> cluster.subscriptions.contains(topic));

        cluster.publish(cluster.social.storePost("ana", "one"));
        await().atMost(WAIT).until(() -> seqsOn(topic).size() >= 1);
        cluster.social.storePost("ana", "two"); // lost live
        cluster.social.storePost("ana", "three"); // lost live
        cluster.publish(cluster.social.storePost("ana", "four"));
        cluster.publish(cluster.social.storePost("anabel", "not ana's")); // another topic, never delivered here

        await().atMost(WAIT).until(() -> seqsOn(topic).size() >= 4);
        assertThat(seqsOn(topic)).containsExactly(1L, 2L, 3L, 4L);
        assertThat(deliveries)
                .extracting(d -> ((Publication.SocialPost) d.publication()).message())
                .containsExactly("one", "two", "three", "four");
        assertThat(deliveries.get(1).source()).isEqualTo(Delivery.Source.HISTORY);
        assertThat(cluster.requests(Services.PROFILE))
                .isNotEmpty()
                .allSatisfy(r -> assertThat(r.data()).containsEntry("user", "ana"));

        client.social().unsubscribePosts("ana");
        assertThat(client.social().subscribedPostAuthors()).isEmpty();
        await().atMost(WAIT).until(() -> !cluster.subscriptions.contains(topic));
    }
}
