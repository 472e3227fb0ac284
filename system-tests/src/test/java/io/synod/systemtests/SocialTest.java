package io.synod.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.protocol.Envelope;
import io.synod.protocol.Social;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The social network on three replicated servers as real processes (issue 21): bob follows ana; ana posts; bob
 * receives the post and a mention live on their own topics (and nothing on the topic of his name); the leader is
 * killed with kill -9 between two posts; after reconnecting bob's unread counts are there, and every server answers
 * the same feed and notifications at the same digest.
 */
class SocialTest {
    /** Reads through the broker, which hands them to the servers in turn: every server answers some. */
    private static final int READS = 6;

    @Test
    @Timeout(180)
    void bobFollowsAnaAndSeesHerPostsLiveAndAfterReconnectingOnEveryServer() throws Exception {
        try (Cluster cluster = new Cluster("social")) {
            List<String> names = List.of("server-1", "server-2", "server-3");
            List<String> extra = Cluster.initialMembersOption(names);
            Map<String, Processes.Started> running = cluster.startServers(names, extra);
            Processes.Started leader = Cluster.awaitLeader(List.copyOf(running.values()));

            WireClient bobLive = cluster.client();
            bobLive.subscribe(Social.notificationsTopic("bob"));
            bobLive.subscribe(Social.postsTopic("ana"));
            WireClient bobCourse = cluster.client(); // a course client: subscribed to its name only
            bobCourse.subscribe("bob");
            Thread.sleep(300); // subscription propagation (PUB/SUB slow joiner)
            String broker = Processes.endpoint(cluster.brokerFrontend);
            try (Cluster.RetryingClient ana = new Cluster.RetryingClient(broker, "ana-client");
                    Cluster.RetryingClient bob = new Cluster.RetryingClient(broker, "bob-client")) {
                ana.write("login", Map.of("user", "ana"));
                bob.write("login", Map.of("user", "bob"));
                bob.write("follow", Map.of("user", "bob", "target", "ana"));
                ana.write("post", Map.of("user", "ana", "message", "primeiro post"));

                WireClient.Received post = bobLive.receive();
                assertThat(post).as("ana's post, live").isNotNull();
                assertThat(post.topic()).isEqualTo(Social.postsTopic("ana"));
                assertThat(post.payload())
                        .containsEntry("message", "primeiro post")
                        .containsEntry("seq", 1L);

                String killed = leader.name();
                Processes.kill(leader);
                running.remove(killed);
                ana.write("post", Map.of("user", "ana", "message", "@bob segundo post"));
                Map<String, Object> secondPost = null;
                Map<String, Object> mention = null;
                for (WireClient.Received r = bobLive.receive();
                        r != null && (secondPost == null || mention == null);
                        r = bobLive.receive()) { // a new leader's republished copy of the first post is skipped
                    if (r.topic().equals(Social.notificationsTopic("bob"))) {
                        mention = r.payload();
                    } else if (Long.valueOf(2).equals(r.payload().get("seq"))) {
                        secondPost = r.payload();
                    }
                }
                assertThat(secondPost).as("ana's second post, live").isNotNull();
                assertThat(secondPost).containsEntry("message", "@bob segundo post");
                assertThat(mention).as("bob's mention, live").isNotNull();
                assertThat(mention)
                        .containsEntry("kind", "mention")
                        .containsEntry("actor", "ana")
                        .containsEntry("seq", 1L);
                assertThat(bobCourse.receive(1_000))
                        .as("nothing social on the topic of bob's name")
                        .isNull();

                running.put(killed, cluster.startServer(killed, extra));
                String converged = Cluster.awaitConverged(List.copyOf(running.values()));
                System.out.println("social: converged at " + converged + " after killing " + killed);
            }
            try (Cluster.RetryingClient bob = new Cluster.RetryingClient(broker, "bob-again")) { // reconnected
                Object firstFeed = null;
                Object firstNotifications = null;
                for (int read = 0; read < READS; read++) {
                    Envelope feed = bob.call("feed", Map.of("user", "bob"));
                    assertThat(feed.data()).containsEntry("status", "OK");
                    List<Object> texts = new ArrayList<>();
                    for (Object p : WireClient.list(feed, "posts")) {
                        texts.add(((Map<?, ?>) p).get("message"));
                    }
                    assertThat(texts).as("feed read %d", read).containsExactly("@bob segundo post", "primeiro post");
                    Envelope notifications = bob.call("notifications", Map.of("user", "bob"));
                    assertThat(notifications.data())
                            .containsEntry("unread", 1L)
                            .containsEntry("unread_posts", 2L)
                            .containsEntry("unread_total", 3L);
                    firstFeed = firstFeed == null ? feed.data().get("posts") : firstFeed;
                    firstNotifications =
                            firstNotifications == null ? notifications.data().get("notifications") : firstNotifications;
                    assertThat(feed.data().get("posts")).isEqualTo(firstFeed);
                    assertThat(notifications.data().get("notifications")).isEqualTo(firstNotifications);
                }
                bob.write("notifications_read", Map.of("user", "bob", "seq", 1L));
                Envelope after = bob.call("notifications", Map.of("user", "bob", "linearizable", true));
                assertThat(after.data()).containsEntry("unread", 0L);
            }
            bobLive.close();
            bobCourse.close();
        }
    }
}
