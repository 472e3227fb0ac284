package io.synod.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.core.ChatConfig;
import io.synod.core.ChatStateMachine;
import io.synod.core.Command;
import io.synod.core.InMemoryChatStore;
import io.synod.core.Result;
import io.synod.protocol.Envelope;
import io.synod.protocol.Limits;
import io.synod.protocol.Names;
import io.synod.protocol.Publication;
import io.synod.protocol.Social;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The social services through the request handler: writes through the (simulated) log, reads, bad input. */
class SocialServiceTest {
    private final ChatStateMachine machine = new ChatStateMachine(new InMemoryChatStore(), ChatConfig.DEFAULT);
    private final ChatService service = TestChatServices.of(machine);
    private long requestId;

    private ChatService.Handled handle(String service, Map<String, Object> data) {
        return this.service.handle(new Envelope(service, data).encode(), "peer");
    }

    private record Decided(Envelope reply, Result result) {}

    /** Sends a write with ids, decides it at the next index and applies it, as replication does. */
    private Decided write(String service, Map<String, Object> fields) {
        Map<String, Object> data = new HashMap<>(fields);
        data.put("client_id", "social-test");
        data.put("request_id", ++requestId);
        ChatService.Handled handled = handle(service, data);
        if (handled.reply() != null) {
            return new Decided(handled.reply(), null); // refused, or answered from the applied state
        }
        Command command = handled.deferred().command().withIndex(machine.appliedIndex() + 1);
        Result result = machine.apply(command);
        return new Decided(
                this.service
                        .complete(handled.deferred(), result, command.index())
                        .reply(),
                result);
    }

    private Map<String, Object> read(String service, Map<String, Object> data) {
        ChatService.Handled handled = handle(service, data);
        assertThat(handled.reply()).as("a read is answered at once").isNotNull();
        return handled.reply().data();
    }

    @Test
    void bobFollowsAnaAnaPostsAndBobSeesTheUnreadPostAndTheFeed() {
        write("login", Map.of("user", "ana"));
        write("login", Map.of("user", "bob"));
        Decided follow = write("follow", Map.of("user", "bob", "target", "ana"));
        assertThat(follow.reply().data()).containsEntry("status", "OK");
        Publication.Notification toAna =
                (Publication.Notification) follow.result().publications().get(0);
        assertThat(toAna.topic()).isEqualTo(Social.notificationsTopic("ana"));

        Decided post = write("post", Map.of("user", "ana", "message", "olá, mundo"));
        assertThat(post.reply().data()).containsEntry("status", "OK").containsKeys("index", "id");
        Publication.SocialPost published =
                (Publication.SocialPost) post.result().publications().get(0);
        assertThat(published.topic()).isEqualTo(Social.postsTopic("ana"));
        assertThat(post.reply().data()).containsEntry("id", published.id());

        Map<String, Object> notifications = read("notifications", Map.of("user", "bob"));
        assertThat(notifications).containsEntry("status", "OK").containsEntry("unread_total", 1L);
        Map<String, Object> feed = read("feed", Map.of("user", "bob", "limit", 5L));
        assertThat((List<?>) feed.get("posts")).hasSize(1);
        assertThat(feed).containsEntry("next_before", published.index()).containsEntry("more", false);
        assertThat(read("followers", Map.of("user", "ana"))).containsEntry("users", List.of("bob"));
        assertThat(read("following", Map.of("user", "bob"))).containsEntry("users", List.of("ana"));
        assertThat(read("profile", Map.of("user", "ana"))).containsEntry("posts", List.of(published.toPayload()));
        assertThat(read("timeline", Map.of())).containsEntry("next_before", published.index());
        assertThat(read("notifications", Map.of("user", "ana")))
                .containsEntry("unread", 1L)
                .containsEntry("next_seq", 1L);

        Decided replyTo = write("post", Map.of("user", "bob", "message", "@ana oi", "reply_to", published.id()));
        assertThat(replyTo.reply().data()).containsEntry("status", "OK");
        assertThat(read("notifications", Map.of("user", "ana"))).containsEntry("unread", 2L);
        assertThat(write("notifications_read", Map.of("user", "ana", "seq", 2L))
                        .reply()
                        .data())
                .containsEntry("status", "OK");
        assertThat(read("notifications", Map.of("user", "ana"))).containsEntry("unread", 0L);

        write("message", Map.of("src", "bob", "dst", "ana", "message", "psiu"));
        Map<String, Object> conversations = read("conversations", Map.of("user", "ana"));
        assertThat((List<?>) conversations.get("conversations")).hasSize(1);
        assertThat(write("conversation_read", Map.of("user", "ana", "peer", "bob", "seq", 1L))
                        .reply()
                        .data())
                .containsEntry("status", "OK");
        assertThat(write("unfollow", Map.of("user", "bob", "target", "ana"))
                        .reply()
                        .data())
                .containsEntry("status", "OK");
    }

    @Test
    void aRetriedPostIsAnsweredFromTheAppliedStateAndPostedOnce() {
        write("login", Map.of("user", "ana"));
        Map<String, Object> post = Map.of("user", "ana", "message", "uma vez", "client_id", "c9", "request_id", 1L);
        ChatService.Handled first = handle("post", post);
        Command command = first.deferred().command().withIndex(machine.appliedIndex() + 1);
        machine.apply(command);
        ChatService.Handled retry = handle("post", post);
        assertThat(retry.reply().data()).containsEntry("status", "OK").doesNotContainKey("id");
        assertThat((List<?>) read("timeline", Map.of()).get("posts")).hasSize(1);
    }

    @Test
    void badInputGetsAnErroNamingTheFieldAndChangesNothing() {
        write("login", Map.of("user", "ana"));
        write("login", Map.of("user", "bob"));
        long applied = machine.appliedIndex();
        String digest = machine.stateDigestHex();
        assertError(read("feed", Map.of("user", "ana", "before", -1L)), "'before'");
        assertError(read("feed", Map.of("user", "ana", "before", "x")), "'before'");
        assertError(read("timeline", Map.of("limit", 0L)), "'limit'");
        assertError(read("timeline", Map.of("limit", (long) Social.PAGE_ITEMS_MAX + 1)), "'limit'");
        assertError(read("notifications", Map.of("user", "ana", "after_seq", -5L)), "'after_seq'");
        assertError(read("followers", Map.of("user", "ana", "after", "")), "'after'");
        assertError(read("profile", Map.of()), "'user'");
        assertError(read("feed", Map.of("user", "zé")), "user 'zé' does not exist");
        assertError(
                write("post", Map.of("user", "ana", "message", "a".repeat(1_001)))
                        .reply()
                        .data(),
                "'message'");
        assertError(write("post", Map.of("user", "ana", "message", "")).reply().data(), "'message'");
        assertError(write("notifications_read", Map.of("user", "ana")).reply().data(), "'seq'");
        assertError(write("follow", Map.of("user", "ana")).reply().data(), "'target'");
        assertThat(machine.appliedIndex()).isEqualTo(applied);
        assertThat(machine.stateDigestHex()).isEqualTo(digest);

        // refused by the state machine: ordered (so the index moves) but nothing changes
        assertError(
                write("follow", Map.of("user", "ana", "target", "ana")).reply().data(), "themselves");
        assertError(
                write("follow", Map.of("user", "ana", "target", "zé")).reply().data(), "'zé' does not exist");
        assertError(
                write("post", Map.of("user", "ana", "message", "x", "reply_to", "7-0"))
                        .reply()
                        .data(),
                "'reply_to'");
        assertError(
                write("notifications_read", Map.of("user", "ana", "seq", 9L))
                        .reply()
                        .data(),
                "'seq'");
        assertThat((List<?>) read("following", Map.of("user", "ana")).get("users"))
                .isEmpty();
        assertThat((List<?>) read("timeline", Map.of()).get("posts")).isEmpty();
        assertThat(handle("users", Map.of()).reply().data()).containsEntry("users", List.of("ana", "bob"));
    }

    @Test
    void noUserNamePrefixesASocialTopic() {
        for (String topic : List.of(Social.notificationsTopic("ana"), Social.postsTopic("ana"))) {
            for (int end = 1; end <= topic.length(); end++) {
                assertThat(Names.isValid(topic.substring(0, end), Limits.DEFAULT.nameCharsMax()))
                        .isFalse();
            }
        }
        assertThat(Social.notificationsTopic("ana b")).doesNotStartWith(Social.notificationsTopic("ana"));
    }

    private static void assertError(Map<String, Object> reply, String mentioned) {
        assertThat(reply).containsEntry("status", "erro");
        assertThat((String) reply.get("message")).contains(mentioned);
    }
}
