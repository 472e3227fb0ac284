package io.synod.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The social services' requests, their publications and topics (docs/protocol.md). */
class SocialProtocolTest {
    private static final Limits LIMITS = Limits.DEFAULT;

    private static Request parse(String service, Map<String, Object> data) {
        return Requests.parse(Envelope.decode(new Envelope(service, data).encode(), LIMITS), LIMITS);
    }

    @Test
    void parsesEverySocialServiceAndRoundTripsIt() {
        List<Request> requests = List.of(
                parse("post", Map.of("user", "ana", "message", "oi")),
                parse("post", Map.of("user", "ana", "message", "oi", "reply_to", "12-0")),
                parse("follow", Map.of("user", "bob", "target", "ana")),
                parse("unfollow", Map.of("user", "bob", "target", "ana")),
                parse("notifications_read", Map.of("user", "bob", "seq", 3L, "post_index", 7L)),
                parse("conversation_read", Map.of("user", "bob", "peer", "ana", "seq", 2L)),
                parse("followers", Map.of("user", "ana", "after", "bob", "limit", 5L)),
                parse("following", Map.of("user", "ana")),
                parse("profile", Map.of("user", "ana", "before", 99L)),
                parse("timeline", Map.of()),
                parse("feed", Map.of("user", "ana", "limit", 100L)),
                parse("notifications", Map.of("user", "ana", "after_seq", 4L)),
                parse("conversations", Map.of("user", "ana")));
        assertThat(requests.get(1)).isEqualTo(new Request.Post(RequestMeta.NONE, "ana", "oi", "12-0"));
        assertThat(requests.get(0)).isEqualTo(new Request.Post(RequestMeta.NONE, "ana", "oi", ""));
        assertThat(requests.get(4)).isEqualTo(new Request.NotificationsRead(RequestMeta.NONE, "bob", 3, 7));
        assertThat(requests.get(7)).isEqualTo(new Request.SocialRead(RequestMeta.NONE, "following", "ana", "", 0, 20));
        assertThat(requests.get(9)).isEqualTo(new Request.SocialRead(RequestMeta.NONE, "timeline", "", "", 0, 20));
        for (Request r : requests) {
            assertThat(Requests.parse(Envelope.decode(r.toEnvelope().encode(), LIMITS), LIMITS))
                    .isEqualTo(r);
            assertThat(r instanceof Request.SocialRead).isEqualTo(Services.READS.contains(r.service()));
        }
    }

    @Test
    void refusesBadFieldsNamingThem() {
        assertRefused("post", Map.of("user", "ana", "message", "x".repeat(Social.POST_CHARS_MAX + 1)), "'message'");
        assertRefused("post", Map.of("user", "ana", "message", "oi", "reply_to", 5L), "'reply_to'");
        assertRefused("follow", Map.of("user", "ana", "target", " ana"), "'target'");
        assertRefused("notifications_read", Map.of("user", "ana"), "'seq'");
        assertRefused("notifications_read", Map.of("user", "ana", "seq", -1L), "'seq'");
        assertRefused("conversation_read", Map.of("user", "ana", "peer", "bob", "seq", 1.5), "'seq'");
        assertRefused("feed", Map.of("user", "ana", "before", Limits.INTEGER_MAX + 1), "'before'");
        assertRefused("feed", Map.of("user", "ana", "limit", 0L), "'limit'");
        assertRefused("timeline", Map.of("limit", 101L), "'limit'");
        assertRefused("followers", Map.of("user", "ana", "after", 3L), "'after'");
        assertRefused("notifications", Map.of("user", "ana", "after_seq", "1"), "'after_seq'");
    }

    private static void assertRefused(String service, Map<String, Object> data, String field) {
        assertThatThrownBy(() -> parse(service, data))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining(field);
    }

    @Test
    void socialPublicationsRoundTripThroughTheirTopicAndPayload() {
        Publication post = new Publication.SocialPost("Ana Maria", "olá", "3-0", 1.5, 7, 2, "9-0", 9);
        Publication notification =
                new Publication.Notification("bob", "follower", "ana", "", "", "", 1.5, 7, 1, "9-0", 9);
        Publication mention =
                new Publication.Notification("bob", "mention", "ana", "8-0", "geral", "@bob oi", 1.5, 7, 4, "8-1", 8);
        for (Publication p : List.of(post, notification, mention)) {
            assertThat(Publication.fromPayload(p.topic(), p.toPayload(), LIMITS))
                    .isEqualTo(p);
        }
        assertThat(post.topic()).isEqualTo("\u001Fposts\u001FAna Maria\u001F").startsWith(Social.POSTS_TOPIC_PREFIX);
        assertThat(Publication.fromPayload("ana", Map.of("user", "x", "message", "m"), LIMITS))
                .as("a user's own topic still reads as before")
                .isInstanceOf(Publication.ChannelPost.class);
        assertThat(Social.nameIn("\u001Fposts\u001F\u001F", Social.POSTS_TOPIC_PREFIX))
                .isNull();
    }
}
