package io.synod.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.protocol.Publication;
import io.synod.protocol.Social;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The social network's commands ({@link SocialRules}) and reads ({@link SocialReads}). */
class SocialRulesTest {
    private final ChatStateMachine machine = new ChatStateMachine(new InMemoryChatStore(), ChatConfig.DEFAULT);
    private long index;

    private Result apply(ChatCommand operation) {
        index++;
        return machine.apply(Command.of(index, 1_700_000_000.0 + index, 100 + index, operation));
    }

    private Result applyAs(String clientId, long requestId, ChatCommand operation) {
        index++;
        return machine.apply(new Command(index, 1_700_000_000.0 + index, 100 + index, clientId, requestId, operation));
    }

    private void login(String... users) {
        for (String user : users) {
            assertThat(apply(new ChatCommand.Login(user)).isOk()).isTrue();
        }
    }

    private Result post(String user, String text) {
        return apply(new ChatCommand.Post(user, text, ""));
    }

    private SocialReads social() {
        return machine.social();
    }

    @SuppressWarnings("unchecked")
    private static List<String> texts(SocialReads.Page page) {
        assertThat(page.isOk()).as(page.errorText()).isTrue();
        return page.items().stream()
                .map(item -> (String) ((Map<String, Object>) item).get("message"))
                .toList();
    }

    @SuppressWarnings("unchecked")
    private static List<Object> field(SocialReads.Page page, String field) {
        return page.items().stream()
                .map(item -> ((Map<String, Object>) item).get(field))
                .toList();
    }

    @Test
    void aPostIsStoredUnderItsAuthorAndPublishedOnItsTopic() {
        login("ana");
        Result first = post("ana", "primeiro");
        Result second = post("ana", "segundo");
        assertThat(first.isOk()).isTrue();
        Publication.SocialPost published =
                (Publication.SocialPost) second.publications().get(0);
        assertThat(published.topic()).isEqualTo("\u001Fposts\u001Fana\u001F");
        assertThat(published.seq()).isEqualTo(2);
        assertThat(published.id()).isEqualTo(index + "-0");
        assertThat(published.clock()).isEqualTo(100 + index);

        SocialReads.Page profile = social().profile("ana", 0, 10);
        assertThat(texts(profile)).containsExactly("segundo", "primeiro");
        assertThat(profile.extra()).containsEntry("post_count", 2L).containsEntry("follower_count", 0L);
        assertThat(texts(social().timeline(0, 10))).containsExactly("segundo", "primeiro");
    }

    @Test
    void postsAreRefusedForUnknownAuthorsBlankOrLongTextAndBadReplies() {
        login("ana");
        long before = machine.appliedIndex();
        assertThat(post("zé", "oi").errorText()).isEqualTo("user 'zé' has never logged in");
        assertThat(post("ana", "  \n").errorText()).isEqualTo("field 'message' must not be blank");
        String tooLong = "a".repeat(Social.POST_CHARS_MAX + 1);
        assertThat(post("ana", tooLong).errorText()).isEqualTo("field 'message' is 1001 characters, the limit is 1000");
        assertThat(post("ana", "😀".repeat(Social.POST_CHARS_MAX)).isOk())
                .as("code points, not UTF-16")
                .isTrue();
        for (String bad : List.of("1-0", "x-0", "-0", "99999999999999999999-0", "3-1", "abc", "00")) {
            assertThat(apply(new ChatCommand.Post("ana", "re", bad)).errorText())
                    .isEqualTo("field 'reply_to': '" + bad + "' is not the id of a post");
        }
        String id =
                ((Publication.SocialPost) post("ana", "original").publications().get(0)).id();
        Result reply = apply(new ChatCommand.Post("ana", "resposta", id));
        assertThat(((Publication.SocialPost) reply.publications().get(0)).replyTo())
                .isEqualTo(id);
        assertThat(social().profile("ana", 0, 10).extra()).containsEntry("post_count", 3L);
        assertThat(machine.appliedIndex()).isGreaterThan(before);
    }

    @Test
    void followNotifiesTheFollowedUserAndRefusesBadTargets() {
        login("ana", "bob");
        Result follow = apply(new ChatCommand.Follow("bob", "ana"));
        assertThat(follow.isOk()).isTrue();
        Publication.Notification n =
                (Publication.Notification) follow.publications().get(0);
        assertThat(n.user()).isEqualTo("ana");
        assertThat(n.kind()).isEqualTo("follower");
        assertThat(n.actor()).isEqualTo("bob");
        assertThat(n.seq()).isEqualTo(1);
        assertThat(n.topic()).isEqualTo("\u001Fnotifications\u001Fana\u001F");

        assertThat(apply(new ChatCommand.Follow("bob", "ana")).errorText())
                .isEqualTo("user 'bob' already follows 'ana'");
        assertThat(apply(new ChatCommand.Follow("bob", "bob")).errorText())
                .isEqualTo("user 'bob' cannot follow themselves");
        assertThat(apply(new ChatCommand.Follow("bob", "zé")).errorText()).isEqualTo("user 'zé' does not exist");
        assertThat(apply(new ChatCommand.Follow("zé", "bob")).errorText()).isEqualTo("user 'zé' has never logged in");
        assertThat(social().followers("ana", "", 10).items()).containsExactly("bob");
        assertThat(social().following("bob", "", 10).items()).containsExactly("ana");
        assertThat(social().profile("ana", 0, 1).extra()).containsEntry("follower_count", 1L);
        assertThat(social().notifications("ana", 0, 10).extra()).containsEntry("last_seq", 1L);
    }

    @Test
    void unfollowUndoesAFollowAndRefusesWhatIsNotFollowed() {
        login("ana", "bob");
        apply(new ChatCommand.Follow("bob", "ana"));
        assertThat(apply(new ChatCommand.Unfollow("bob", "ana")).isOk()).isTrue();
        assertThat(apply(new ChatCommand.Unfollow("bob", "ana")).errorText())
                .isEqualTo("user 'bob' does not follow 'ana'");
        assertThat(apply(new ChatCommand.Unfollow("bob", "zé")).errorText()).isEqualTo("user 'zé' does not exist");
        assertThat(social().followers("ana", "", 10).items()).isEmpty();
        assertThat(social().profile("bob", 0, 1).extra()).containsEntry("following_count", 0L);
        assertThat(apply(new ChatCommand.Follow("bob", "ana")).isOk())
                .as("again after unfollowing")
                .isTrue();
    }

    @Test
    void oneUserFollowsAtMostFollowingMax() {
        login("ana");
        for (int i = 0; i < Social.FOLLOWING_MAX; i++) {
            login("u" + i);
            assertThat(apply(new ChatCommand.Follow("ana", "u" + i)).isOk()).isTrue();
        }
        login("extra");
        assertThat(apply(new ChatCommand.Follow("ana", "extra")).errorText())
                .isEqualTo("user 'ana' already follows 1000 users, the most one may follow");
        assertThat(apply(new ChatCommand.Unfollow("ana", "u7")).isOk()).isTrue();
        assertThat(apply(new ChatCommand.Follow("ana", "extra")).isOk()).isTrue();
    }

    @Test
    void followersAndFollowingArePagedByName() {
        login("ana", "bia", "caio", "davi", "eva");
        for (String u : List.of("eva", "bia", "davi", "caio")) {
            apply(new ChatCommand.Follow(u, "ana"));
        }
        SocialReads.Page first = social().followers("ana", "", 2);
        assertThat(first.items()).containsExactly("bia", "caio");
        assertThat(first.more()).isTrue();
        SocialReads.Page second = social().followers("ana", (String) first.next(), 2);
        assertThat(second.items()).containsExactly("davi", "eva");
        assertThat(second.more()).isFalse();
        assertThat(social().followers("ana", "zzz", 2).items()).isEmpty();
        assertThat(social().followers("nobody", "", 2).errorText()).isEqualTo("user 'nobody' does not exist");
    }

    @Test
    void theFeedMergesFollowedAuthorsNewestFirstWithTheirOlderPostsAndAStableCursor() {
        login("ana", "bob", "caio", "eva");
        post("ana", "a1");
        post("caio", "c1");
        post("eva", "e1");
        post("ana", "a2");
        apply(new ChatCommand.Follow("bob", "ana"));
        apply(new ChatCommand.Follow("bob", "caio"));
        post("caio", "c2");
        assertThat(texts(social().feed("bob", 0, 10))).containsExactly("c2", "a2", "c1", "a1");

        SocialReads.Page first = social().feed("bob", 0, 2);
        assertThat(texts(first)).containsExactly("c2", "a2");
        assertThat(first.more()).isTrue();
        post("ana", "a3"); // newer than the cursor: the next page neither repeats nor skips
        SocialReads.Page second = social().feed("bob", (Long) first.next(), 2);
        assertThat(texts(second)).containsExactly("c1", "a1");
        assertThat(second.more()).isFalse();

        apply(new ChatCommand.Unfollow("bob", "caio"));
        assertThat(texts(social().feed("bob", 0, 10))).containsExactly("a3", "a2", "a1");
        assertThat(texts(social().feed("eva", 0, 10))).isEmpty();
        assertThat(social().feed("nobody", 0, 10).errorText()).isEqualTo("user 'nobody' does not exist");
        assertThat(texts(social().feed("bob", Long.MAX_VALUE, 10)))
                .as("a hostile cursor")
                .hasSize(3);
        assertThat(texts(social().feed("bob", 1, 10))).isEmpty();
        assertThat(texts(social().timeline(0, 100))).hasSize(6);
        assertThat(texts(social().timeline(0, 1_000)))
                .as("clamped to the page max")
                .hasSize(6);
    }

    @Test
    void mentionsInPostsAndChannelMessagesNotifyExistingUsers() {
        login("ana", "bob", "caio");
        apply(new ChatCommand.CreateChannel("geral"));
        Result post = post("ana", "oi @bob, e @caio! e @ana e @zé e email@bob");
        assertThat(post.publications()).hasSize(3);
        Publication.Notification toBob =
                (Publication.Notification) post.publications().get(1);
        assertThat(toBob.kind()).isEqualTo("mention");
        assertThat(toBob.ref()).isEqualTo(post.publications().get(0).id());
        assertThat(toBob.channel()).isEmpty();
        assertThat(toBob.id()).isEqualTo(index + "-1");

        Result channel = apply(new ChatCommand.Publish("caio", "geral", "@bob olha"));
        Publication.Notification inChannel =
                (Publication.Notification) channel.publications().get(1);
        assertThat(inChannel.channel()).isEqualTo("geral");
        assertThat(inChannel.seq()).as("bob's second notification").isEqualTo(2);
        assertThat(SocialRules.mentioned("@a @b. (@c) @a @ x@y @e\u0301")).containsExactly("a", "b", "\u00e9");
    }

    @Test
    void oneTextNotifiesAtMostMentionsPerTextMax() {
        login("ana");
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < Social.MENTIONS_PER_TEXT_MAX + 3; i++) {
            login("u" + i);
            text.append("@u").append(i).append(' ');
        }
        assertThat(post("ana", text.toString()).publications()).hasSize(1 + Social.MENTIONS_PER_TEXT_MAX);
    }

    @Test
    void notificationsHaveGapFreeSeqsUnreadCountsAndReadMarks() {
        login("ana", "bob", "caio");
        apply(new ChatCommand.Follow("bob", "ana"));
        apply(new ChatCommand.SendMessage("bob", "ana", "oi"));
        post("caio", "@ana veja");
        SocialReads.Page page = social().notifications("ana", 0, 10);
        assertThat(field(page, "seq")).containsExactly(1L, 2L, 3L);
        assertThat(field(page, "kind")).containsExactly("follower", "message", "mention");
        assertThat(page.extra()).containsEntry("unread", 3L).containsEntry("unread_total", 3L);
        assertThat(field(social().notifications("ana", 2, 10), "seq")).containsExactly(3L);

        assertThat(apply(new ChatCommand.NotificationsRead("ana", 2, 0)).isOk()).isTrue();
        assertThat(social().notifications("ana", 0, 1).extra()).containsEntry("unread", 1L);
        assertThat(apply(new ChatCommand.NotificationsRead("ana", 1, 0)).isOk())
                .as("marks only move on")
                .isTrue();
        assertThat(social().notifications("ana", 0, 1).extra()).containsEntry("read_seq", 2L);
        assertThat(apply(new ChatCommand.NotificationsRead("ana", 4, 0)).errorText())
                .isEqualTo("field 'seq' is 4, above the last notification of user 'ana' (3)");
        assertThat(apply(new ChatCommand.NotificationsRead("ana", 3, 1_000)).errorText())
                .startsWith("field 'post_index' is 1000, not below this write's index");
        assertThat(apply(new ChatCommand.NotificationsRead("zé", 0, 0)).errorText())
                .isEqualTo("user 'zé' has never logged in");
        assertThat(social().notifications("ana", 0, 1).extra()).containsEntry("unread", 1L);
    }

    @Test
    void postsOfFollowedUsersCountAsUnreadUntilReadUpToTheirIndex() {
        login("ana", "bob");
        post("ana", "antes"); // before the follow: in the feed, not unread
        apply(new ChatCommand.Follow("bob", "ana"));
        Result posted = post("ana", "depois");
        assertThat(social().notifications("bob", 0, 10).extra())
                .containsEntry("unread", 0L)
                .containsEntry("unread_posts", 1L)
                .containsEntry("unread_total", 1L);
        long postIndex = posted.publications().get(0) instanceof Publication.SocialPost p ? p.index() : -1;
        assertThat(apply(new ChatCommand.NotificationsRead("bob", 0, postIndex)).isOk())
                .isTrue();
        assertThat(social().notifications("bob", 0, 10).extra())
                .containsEntry("unread_posts", 0L)
                .containsEntry("posts_read_index", postIndex);
        post("ana", "mais");
        assertThat(social().notifications("bob", 0, 10).extra()).containsEntry("unread_total", 1L);
    }

    @Test
    void conversationsListTheLastMessageAndUnreadCountsMostRecentFirst() {
        login("ana", "bob", "caio");
        apply(new ChatCommand.SendMessage("bob", "ana", "oi ana"));
        apply(new ChatCommand.SendMessage("caio", "ana", "oi de caio"));
        apply(new ChatCommand.SendMessage("bob", "ana", "tudo bem?"));
        SocialReads.Page ana = social().conversations("ana", 0, 10);
        assertThat(field(ana, "peer")).containsExactly("bob", "caio");
        assertThat(field(ana, "unread")).containsExactly(2L, 1L);
        @SuppressWarnings("unchecked")
        Map<String, Object> last =
                (Map<String, Object>) field(ana, "last_message").get(0);
        assertThat(last).containsEntry("message", "tudo bem?");
        assertThat(field(social().conversations("bob", 0, 10), "unread"))
                .as("the sender has read")
                .containsExactly(0L);

        SocialReads.Page first = social().conversations("ana", 0, 1);
        assertThat(first.more()).isTrue();
        assertThat(field(social().conversations("ana", (Long) first.next(), 1), "peer"))
                .containsExactly("caio");

        assertThat(apply(new ChatCommand.ConversationRead("ana", "bob", 1)).isOk())
                .isTrue();
        assertThat(field(social().conversations("ana", 0, 10), "unread")).containsExactly(1L, 1L);
        assertThat(apply(new ChatCommand.ConversationRead("ana", "bob", 3)).errorText())
                .isEqualTo("field 'seq' is 3, above the last message of the conversation (2)");
        assertThat(apply(new ChatCommand.ConversationRead("bob", "caio", 0)).errorText())
                .isEqualTo("user 'bob' has no conversation with 'caio'");
        assertThat(apply(new ChatCommand.ConversationRead("ana", "zé", 0)).errorText())
                .isEqualTo("user 'zé' does not exist");

        apply(new ChatCommand.SendMessage("ana", "caio", "respondendo"));
        assertThat(field(social().conversations("ana", 0, 10), "peer")).containsExactly("caio", "bob");
        assertThat(apply(new ChatCommand.SendMessage("ana", "ana", "nota")).publications())
                .hasSize(1);
        assertThat(field(social().conversations("ana", 0, 10), "peer")).containsExactly("ana", "caio", "bob");
    }

    @Test
    void aRetriedSocialWriteAppliesOnce() {
        login("ana", "bob");
        Result first = applyAs("c1", 1, new ChatCommand.Post("ana", "uma vez", ""));
        Result again = applyAs("c1", 1, new ChatCommand.Post("ana", "uma vez", ""));
        assertThat(again.replayed()).isTrue();
        assertThat(again.publications()).isEmpty();
        assertThat(texts(social().profile("ana", 0, 10))).containsExactly("uma vez");
        assertThat(first.isOk()).isTrue();

        assertThat(applyAs("c1", 2, new ChatCommand.Follow("bob", "ana")).isOk())
                .isTrue();
        assertThat(applyAs("c1", 2, new ChatCommand.Follow("bob", "ana")).replayed())
                .isTrue();
        assertThat(social().notifications("ana", 0, 10).items()).hasSize(1);

        Result refused = applyAs("c1", 3, new ChatCommand.Follow("bob", "bob"));
        Result refusedAgain = applyAs("c1", 3, new ChatCommand.Follow("bob", "bob"));
        assertThat(refusedAgain.errorText()).isEqualTo(refused.errorText());
        assertThat(refusedAgain.replayed()).isTrue();

        ChatCommand read = new ChatCommand.NotificationsRead("ana", 1, 0);
        Fingerprint fingerprint = Fingerprint.of(read, 9, 1_700_000_000.5);
        index++;
        assertThat(machine.apply(new Command(index, 1.0, 1, "~s/1/1", 1, read, fingerprint))
                        .isOk())
                .isTrue();
        index++;
        Result retry = machine.apply(new Command(index, 1.0, 1, "~s/1/2", 1, read, fingerprint));
        assertThat(retry.replayed())
                .as("an id-less retry, recognised by its fingerprint")
                .isTrue();
    }

    /** A store that remembers the size of the last batch written. */
    private static final class BatchSizes extends ForwardingStore {
        int lastBatchSize;

        @Override
        public void write(StoreBatch batch) {
            lastBatchSize = batch.size();
            super.write(batch);
        }
    }

    /** Delegates to an in-memory store. */
    private static class ForwardingStore implements ChatStore {
        private final InMemoryChatStore inner = new InMemoryChatStore();

        public byte[] get(byte[] key) {
            return inner.get(key);
        }

        public List<StoreEntry> scan(byte[] fromInclusive, byte[] toExclusive, int limit) {
            return inner.scan(fromInclusive, toExclusive, limit);
        }

        public long appliedIndex() {
            return inner.appliedIndex();
        }

        public void write(StoreBatch batch) {
            inner.write(batch);
        }

        public void sync() {
            inner.sync();
        }

        public void replaceAll(List<StoreEntry> entries, long appliedIndex) {
            inner.replaceAll(entries, appliedIndex);
        }
    }

    @Test
    void aPostWritesTheSameFewKeysWhateverItsFollowerCount() {
        BatchSizes store = new BatchSizes();
        ChatStateMachine m = new ChatStateMachine(store, ChatConfig.DEFAULT);
        long i = 0;
        m.apply(Command.of(++i, 1.0, 1, new ChatCommand.Login("star")));
        m.apply(Command.of(++i, 1.0, 1, new ChatCommand.Post("star", "no followers", "")));
        int alone = store.lastBatchSize;
        for (int f = 0; f < 2_000; f++) {
            m.apply(Command.of(++i, 1.0, 1, new ChatCommand.Login("f" + f)));
            m.apply(Command.of(++i, 1.0, 1, new ChatCommand.Follow("f" + f, "star")));
        }
        Result post = m.apply(Command.of(++i, 1.0, 1, new ChatCommand.Post("star", "2,000 followers", "")));
        assertThat(store.lastBatchSize)
                .as("post, author counts, timeline, digest")
                .isEqualTo(alone)
                .isEqualTo(4);
        assertThat(post.publications())
                .as("one publication; the proxy fans it out")
                .hasSize(1);
        assertThat(m.social().notifications("f1999", 0, 1).extra()).containsEntry("unread_posts", 1L);
        assertThat(m.social().feed("f0", 0, 5).items()).hasSize(2);
    }

    @Test
    void twoMachinesFedTheSameSocialCommandsHaveTheSameDigestAndReads() {
        ChatStateMachine a = new ChatStateMachine(new InMemoryChatStore(), ChatConfig.DEFAULT);
        ChatStateMachine b = new ChatStateMachine(new InMemoryChatStore(), ChatConfig.DEFAULT);
        SplittableRandom random = new SplittableRandom(21);
        List<String> users = List.of("ana", "bob", "caio", "eva");
        List<Command> commands = new ArrayList<>();
        for (String u : users) {
            commands.add(Command.of(commands.size() + 1, 1.0, 1, new ChatCommand.Login(u)));
        }
        for (int i = 0; i < 400; i++) {
            String u = users.get(random.nextInt(users.size()));
            String v = users.get(random.nextInt(users.size()));
            ChatCommand op = switch (random.nextInt(6)) {
                case 0 -> new ChatCommand.Post(u, "post " + i + " @" + v, "");
                case 1 -> new ChatCommand.Follow(u, v);
                case 2 -> new ChatCommand.Unfollow(u, v);
                case 3 -> new ChatCommand.SendMessage(u, v, "dm " + i);
                case 4 -> new ChatCommand.NotificationsRead(u, random.nextInt(5), random.nextInt(commands.size()));
                default -> new ChatCommand.ConversationRead(u, v, random.nextInt(3));
            };
            commands.add(new Command(commands.size() + 1, 2.0 + i, 10 + i, "c", i + 1, op));
        }
        for (Command c : commands) {
            Command decoded = ChatCommands.decode(ChatCommands.encode(c));
            assertThat(a.apply(c)).isEqualTo(b.apply(decoded));
        }
        assertThat(a.stateDigestHex()).isEqualTo(b.stateDigestHex());
        for (String u : users) {
            assertThat(a.social().feed(u, 0, 100)).isEqualTo(b.social().feed(u, 0, 100));
            assertThat(a.social().notifications(u, 0, 100)).isEqualTo(b.social().notifications(u, 0, 100));
            assertThat(a.social().conversations(u, 0, 100)).isEqualTo(b.social().conversations(u, 0, 100));
        }
        ChatStateMachine restored = new ChatStateMachine(new InMemoryChatStore(), ChatConfig.DEFAULT);
        restored.importSnapshot(a.exportSnapshot());
        assertThat(restored.social().feed("ana", 0, 100)).isEqualTo(a.social().feed("ana", 0, 100));
    }
}
