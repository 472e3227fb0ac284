package io.synod.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.synod.protocol.Publication;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ChatStateMachineTest {
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

    @Test
    void loginIsRecordedEveryTime() {
        assertThat(apply(new ChatCommand.Login("ana")).isOk()).isTrue();
        assertThat(apply(new ChatCommand.Login("ana")).isOk()).isTrue();
        assertThat(apply(new ChatCommand.Login("bob")).isOk()).isTrue();

        assertThat(machine.users()).containsExactly("ana", "bob");
        List<LoginRecord> logins = machine.loginHistory("ana", 0, 10);
        assertThat(logins).extracting(LoginRecord::loginNumber).containsExactly(1L, 2L);
        assertThat(logins.get(0).timestampSeconds()).isEqualTo(1_700_000_001.0);
        assertThat(logins.get(1).index()).isEqualTo(2);
        assertThat(logins.get(1).clock()).isEqualTo(102);
        assertThat(machine.loginHistory("ana", 1, 10)).hasSize(1);
        assertThat(machine.appliedIndex()).isEqualTo(3);
    }

    @Test
    void usersAndChannelsAreSorted() {
        apply(new ChatCommand.Login("zé"));
        apply(new ChatCommand.Login("Ana"));
        apply(new ChatCommand.Login("bob"));
        apply(new ChatCommand.CreateChannel("geral"));
        apply(new ChatCommand.CreateChannel("avisos"));
        assertThat(machine.users()).containsExactly("Ana", "bob", "zé");
        assertThat(machine.channels()).containsExactly("avisos", "geral");
    }

    @Test
    void channelCreationFailsIfTheChannelExists() {
        assertThat(apply(new ChatCommand.CreateChannel("geral")).isOk()).isTrue();
        Result again = apply(new ChatCommand.CreateChannel("geral"));
        assertThat(again.isOk()).isFalse();
        assertThat(again.errorText()).isEqualTo("channel 'geral' already exists");
        assertThat(machine.channels()).containsExactly("geral");
    }

    @Test
    void publishNeedsAnExistingChannelAndAKnownUser() {
        apply(new ChatCommand.Login("ana"));
        Result noChannel = apply(new ChatCommand.Publish("ana", "geral", "oi"));
        assertThat(noChannel.errorText()).isEqualTo("channel 'geral' does not exist");
        apply(new ChatCommand.CreateChannel("geral"));
        Result noUser = apply(new ChatCommand.Publish("bob", "geral", "oi"));
        assertThat(noUser.errorText()).isEqualTo("user 'bob' has never logged in");
        assertThat(noUser.publications()).isEmpty();
        assertThat(((HistoryResult.Page) machine.channelHistory("geral", 0, 10)).messages())
                .isEmpty();
    }

    @Test
    void publishProducesGapFreeSequencesPerChannel() {
        apply(new ChatCommand.Login("ana"));
        apply(new ChatCommand.CreateChannel("a"));
        apply(new ChatCommand.CreateChannel("b"));
        List<Publication> published = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            published.addAll(apply(new ChatCommand.Publish("ana", i % 2 == 0 ? "a" : "b", "m" + i))
                    .publications());
            apply(new ChatCommand.Publish("ana", "nope", "x")); // errors in between use no seq
        }
        assertThat(published).extracting(Publication::topic).containsExactly("a", "b", "a", "b", "a");
        assertThat(published).extracting(Publication::seq).containsExactly(1L, 1L, 2L, 2L, 3L);
        Publication.ChannelPost first = (Publication.ChannelPost) published.get(0);
        assertThat(first.user()).isEqualTo("ana");
        assertThat(first.message()).isEqualTo("m0");
        assertThat(first.index()).isEqualTo(4);
        assertThat(first.id()).isEqualTo("4-0");
        assertThat(first.clock()).isEqualTo(104);
        assertThat(first.timestampSeconds()).isEqualTo(1_700_000_004.0);
        assertThat(published).extracting(Publication::id).doesNotHaveDuplicates();
    }

    @Test
    void channelHistoryPages() {
        apply(new ChatCommand.Login("ana"));
        apply(new ChatCommand.CreateChannel("geral"));
        for (int i = 1; i <= 5; i++) {
            apply(new ChatCommand.Publish("ana", "geral", "m" + i));
        }
        HistoryResult.Page first = (HistoryResult.Page) machine.channelHistory("geral", 0, 2);
        assertThat(first.messages()).extracting(Publication::seq).containsExactly(1L, 2L);
        assertThat(first.nextSeq()).isEqualTo(2);
        assertThat(first.more()).isTrue();
        HistoryResult.Page last = (HistoryResult.Page) machine.channelHistory("geral", 4, 2);
        assertThat(last.messages()).extracting(Publication::seq).containsExactly(5L);
        assertThat(last.more()).isFalse();
        HistoryResult.Page empty = (HistoryResult.Page) machine.channelHistory("geral", 5, 2);
        assertThat(empty.messages()).isEmpty();
        assertThat(empty.nextSeq()).isEqualTo(5);
        assertThat(machine.channelHistory("nope", 0, 2))
                .isEqualTo(new HistoryResult.Rejected("channel 'nope' does not exist"));
    }

    @Test
    void privateMessagesNeedAKnownRecipientAndSender() {
        apply(new ChatCommand.Login("ana"));
        assertThat(apply(new ChatCommand.SendMessage("ana", "bob", "oi")).errorText())
                .isEqualTo("user 'bob' does not exist");
        apply(new ChatCommand.Login("bob"));
        assertThat(apply(new ChatCommand.SendMessage("eve", "bob", "oi")).errorText())
                .isEqualTo("user 'eve' has never logged in");
    }

    @Test
    void privateMessagesHaveInboxAndConversationSequences() {
        apply(new ChatCommand.Login("ana"));
        apply(new ChatCommand.Login("bob"));
        apply(new ChatCommand.Login("cid"));
        Publication.DirectMessage m1 = (Publication.DirectMessage) apply(new ChatCommand.SendMessage("ana", "bob", "1"))
                .publications()
                .get(0);
        Publication.DirectMessage m2 = (Publication.DirectMessage) apply(new ChatCommand.SendMessage("bob", "ana", "2"))
                .publications()
                .get(0);
        Publication.DirectMessage m3 = (Publication.DirectMessage) apply(new ChatCommand.SendMessage("cid", "bob", "3"))
                .publications()
                .get(0);
        assertThat(m1.topic()).isEqualTo("bob");
        assertThat(m1.src()).isEqualTo("ana");
        assertThat(List.of(m1.seq(), m1.conversationSeq())).containsExactly(1L, 1L);
        assertThat(List.of(m2.seq(), m2.conversationSeq())).containsExactly(1L, 2L);
        assertThat(List.of(m3.seq(), m3.conversationSeq())).containsExactly(2L, 1L);

        HistoryResult.Page inbox = (HistoryResult.Page) machine.privateHistory("bob", null, 0, 10);
        assertThat(inbox.messages()).containsExactly(m1, m3);
        assertThat(inbox.nextSeq()).isEqualTo(2);
        HistoryResult.Page conversation = (HistoryResult.Page) machine.privateHistory("bob", "ana", 0, 10);
        assertThat(conversation.messages()).containsExactly(m1, m2);
        assertThat(machine.privateHistory("ana", "bob", 1, 10))
                .isEqualTo(new HistoryResult.Page(List.of(m2), 2, false));
        assertThat(machine.privateHistory("zoe", null, 0, 10)).isInstanceOf(HistoryResult.Rejected.class);
        assertThat(machine.privateHistory("ana", "zoe", 0, 10)).isInstanceOf(HistoryResult.Rejected.class);
    }

    @Test
    void aRetriedRequestReturnsTheOriginalResultAndAppliesNothing() {
        applyAs("c1", 1, new ChatCommand.Login("ana"));
        applyAs("c1", 2, new ChatCommand.CreateChannel("geral"));
        Result first = applyAs("c1", 3, new ChatCommand.Publish("ana", "geral", "oi"));
        Result retry = applyAs("c1", 3, new ChatCommand.Publish("ana", "geral", "oi"));
        assertThat(first.isOk()).isTrue();
        assertThat(first.replayed()).isFalse();
        assertThat(retry.isOk()).isTrue();
        assertThat(retry.replayed()).isTrue();
        assertThat(retry.publications()).isEmpty();
        assertThat(((HistoryResult.Page) machine.channelHistory("geral", 0, 10)).messages())
                .hasSize(1);

        Result failed = applyAs("c1", 4, new ChatCommand.CreateChannel("geral"));
        Result failedRetry = applyAs("c1", 4, new ChatCommand.CreateChannel("geral"));
        assertThat(failedRetry.errorText()).isEqualTo(failed.errorText());
        assertThat(failedRetry.replayed()).isTrue();

        // An older request id of the window is a retry too: its original result, nothing applied.
        Result olderRetry = applyAs("c1", 2, new ChatCommand.CreateChannel("outro"));
        assertThat(olderRetry.isOk()).isTrue();
        assertThat(olderRetry.replayed()).isTrue();
        assertThat(machine.channels()).containsExactly("geral");

        // Another client with the same request id is independent; no client id means no dedup.
        assertThat(applyAs("c2", 3, new ChatCommand.Publish("ana", "geral", "oi"))
                        .replayed())
                .isFalse();
        assertThat(apply(new ChatCommand.Publish("ana", "geral", "oi")).publications())
                .hasSize(1);
        assertThat(machine.appliedIndex()).isEqualTo(index);
    }

    @Test
    void writesInFlightTogetherMayBeDecidedInAnyOrderWithinTheWindow() {
        applyAs("c1", 1, new ChatCommand.Login("ana"));
        applyAs("c1", 2, new ChatCommand.CreateChannel("geral"));
        // ids 3..6 in flight; decided as 6, 4, 3, 5: each applies once, in decided order
        for (long id : new long[] {6, 4, 3, 5}) {
            Result r = applyAs("c1", id, new ChatCommand.Publish("ana", "geral", "m" + id));
            assertThat(r.isOk()).as("id %d", id).isTrue();
            assertThat(r.replayed()).as("id %d", id).isFalse();
        }
        for (long id = 3; id <= 6; id++) {
            assertThat(applyAs("c1", id, new ChatCommand.Publish("ana", "geral", "m" + id))
                            .replayed())
                    .as("retry of %d", id)
                    .isTrue();
        }
        assertThat(((HistoryResult.Page) machine.channelHistory("geral", 0, 10)).messages())
                .extracting(p -> ((Publication.ChannelPost) p).message())
                .containsExactly("m6", "m4", "m3", "m5");
    }

    @Test
    void requestsBelowTheWindowAreRefusedAndFailuresInsideItReplayTheirError() {
        applyAs("c1", 1, new ChatCommand.Login("ana"));
        Result failed = applyAs("c1", 2, new ChatCommand.Publish("ana", "nowhere", "x"));
        assertThat(failed.isOk()).isFalse();
        long top = 2 + ClientWindow.REQUESTS_MAX;
        assertThat(applyAs("c1", top, new ChatCommand.Login("ana")).isOk()).isTrue();
        // 2 is now below the window (top - 2 == REQUESTS_MAX): refused, nothing applied
        Result tooOld = applyAs("c1", 2, new ChatCommand.CreateChannel("late"));
        assertThat(tooOld.isOk()).isFalse();
        assertThat(tooOld.replayed()).isFalse();
        assertThat(tooOld.errorText()).contains("older than its last " + ClientWindow.REQUESTS_MAX);
        assertThat(machine.channels()).isEmpty();
        // 3 is the oldest id of the window and was never applied: it runs now
        assertThat(applyAs("c1", 3, new ChatCommand.CreateChannel("geral")).replayed())
                .isFalse();
        assertThat(machine.channels()).containsExactly("geral");
        Result failedInWindow = applyAs("c1", top - 1, new ChatCommand.CreateChannel("geral"));
        Result failedRetry = applyAs("c1", top - 1, new ChatCommand.CreateChannel("outro"));
        assertThat(failedRetry.replayed()).isTrue();
        assertThat(failedRetry.errorText()).isEqualTo(failedInWindow.errorText());
        assertThat(machine.channels()).containsExactly("geral");
    }

    @Test
    void aSeededRandomOrderOfRetriedWritesAppliesEachExactlyOnce() {
        long seed = Long.getLong("core.seed", 7261L);
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        applyAs("c1", 0, new ChatCommand.Login("ana"));
        applyAs("c2", 0, new ChatCommand.CreateChannel("geral"));
        java.util.List<Long> sent = new java.util.ArrayList<>();
        long next = 1;
        java.util.Set<Long> applied = new java.util.TreeSet<>();
        for (int step = 0; step < 3_000; step++) {
            boolean inWindow = sent.isEmpty() || next - java.util.Collections.min(sent) < ClientWindow.REQUESTS_MAX;
            if (sent.size() < 32 && inWindow && random.nextInt(3) > 0) {
                sent.add(next++); // a new write in flight: at most 32, all within the window of the oldest
            }
            if (sent.isEmpty()) {
                continue;
            }
            long id = sent.get(random.nextInt(sent.size())); // decided in any order, maybe again (a retry)
            Result r = applyAs("c1", id, new ChatCommand.Publish("ana", "geral", "w" + id));
            assertThat(r.isOk()).as("seed %d id %d", seed, id).isTrue();
            assertThat(r.replayed()).as("seed %d id %d", seed, id).isEqualTo(!applied.add(id));
            if (random.nextInt(4) == 0) {
                sent.remove(id); // the client got its answer
            }
        }
        long posts = 0;
        for (HistoryResult.Page page = null; page == null || page.more(); ) {
            page = (HistoryResult.Page) machine.channelHistory("geral", posts, 100);
            posts += page.messages().size();
        }
        assertThat(posts).as("seed %d", seed).isEqualTo(applied.size());
    }

    @Test
    void indexesMustIncrease() {
        apply(new ChatCommand.Login("ana"));
        assertThatThrownBy(() -> machine.apply(Command.of(1, 1.0, 1, new ChatCommand.Login("bob"))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(machine.users()).containsExactly("ana");
    }

    @Test
    void sameCommandsGiveSameDigestAndResults() {
        List<Command> commands = randomCommands(7, 300);
        ChatStateMachine a = new ChatStateMachine(new InMemoryChatStore(), ChatConfig.DEFAULT);
        ChatStateMachine b = new ChatStateMachine(new InMemoryChatStore(), ChatConfig.DEFAULT);
        List<Result> resultsA = commands.stream().map(a::apply).toList();
        List<Result> resultsB = commands.stream().map(b::apply).toList();
        assertThat(resultsA).isEqualTo(resultsB);
        assertThat(a.stateDigestHex()).isEqualTo(b.stateDigestHex());
        assertThat(a.exportSnapshot()).isEqualTo(b.exportSnapshot());

        ChatStateMachine c = new ChatStateMachine(new InMemoryChatStore(), ChatConfig.DEFAULT);
        randomCommands(8, 300).forEach(c::apply);
        assertThat(c.stateDigestHex()).isNotEqualTo(a.stateDigestHex());
    }

    @Test
    void applyingInSeededRandomBatchesGivesTheSameResultsAndStateAsOneByOne() {
        long seed = Long.getLong("core.seed", 7262L);
        for (int round = 0; round < 20; round++) {
            long roundSeed = seed + round;
            List<Command> commands = randomCommands(roundSeed, 400);
            ChatStateMachine single = new ChatStateMachine(new InMemoryChatStore(), ChatConfig.DEFAULT);
            List<Result> expected = commands.stream().map(single::apply).toList();

            CountingStore store = new CountingStore();
            ChatStateMachine batched = new ChatStateMachine(store, ChatConfig.DEFAULT);
            SplittableRandom random = new SplittableRandom(roundSeed);
            List<Result> actual = new ArrayList<>();
            int batches = 0;
            for (int from = 0; from < commands.size(); batches++) {
                int to = Math.min(commands.size(), from + 1 + random.nextInt(12));
                actual.addAll(batched.applyAll(commands.subList(from, to)));
                assertThat(batched.appliedIndex())
                        .as("seed %d", roundSeed)
                        .isEqualTo(commands.get(to - 1).index());
                from = to;
            }
            assertThat(actual).as("seed %d", roundSeed).isEqualTo(expected);
            assertThat(batched.stateDigestHex()).as("seed %d", roundSeed).isEqualTo(single.stateDigestHex());
            assertThat(batched.exportSnapshot()).as("seed %d", roundSeed).isEqualTo(single.exportSnapshot());
            assertThat(store.writes)
                    .as("one store write per batch, seed %d", roundSeed)
                    .isEqualTo(batches);
        }
    }

    @Test
    void applyAllShowsItsHookTheResultsBeforeTheStoreWritesTheBatch() {
        CountingStore store = new CountingStore();
        ChatStateMachine hooked = new ChatStateMachine(store, ChatConfig.DEFAULT);
        List<Command> commands = List.of(
                Command.of(1, 1.0, 1, new ChatCommand.Login("ana")),
                Command.of(2, 1.0, 1, new ChatCommand.CreateChannel("news")),
                Command.of(3, 1.0, 1, new ChatCommand.Publish("ana", "news", "hi")));
        List<List<Result>> seen = new ArrayList<>();
        List<Integer> writesBefore = new ArrayList<>();
        List<Result> results = hooked.applyAll(commands, applied -> {
            seen.add(List.copyOf(applied));
            writesBefore.add(store.writes);
            assertThat(hooked.appliedIndex()).as("not written yet").isZero();
        });
        assertThat(seen).containsExactly(results);
        assertThat(writesBefore).containsExactly(0);
        assertThat(store.writes).isEqualTo(1);
        assertThat(results.get(2).publications()).isNotEmpty();
        assertThat(hooked.appliedIndex()).isEqualTo(3);
    }

    @Test
    void applyAllRefusesIndexesThatDoNotIncreaseAndChangesNothing() {
        apply(new ChatCommand.Login("ana"));
        String digest = machine.stateDigestHex();
        List<Command> unordered = List.of(
                Command.of(5, 1.0, 1, new ChatCommand.Login("bob")),
                Command.of(4, 1.0, 1, new ChatCommand.Login("cid")));
        assertThatThrownBy(() -> machine.applyAll(unordered)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> machine.applyAll(List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThat(machine.users()).containsExactly("ana");
        assertThat(machine.stateDigestHex()).isEqualTo(digest);
    }

    /** An in-memory store that counts its writes. */
    private static final class CountingStore implements ChatStore {
        private final InMemoryChatStore delegate = new InMemoryChatStore();
        int writes;

        @Override
        public byte[] get(byte[] key) {
            return delegate.get(key);
        }

        @Override
        public List<StoreEntry> scan(byte[] fromInclusive, byte[] toExclusive, int limit) {
            return delegate.scan(fromInclusive, toExclusive, limit);
        }

        @Override
        public long appliedIndex() {
            return delegate.appliedIndex();
        }

        @Override
        public void write(StoreBatch batch) {
            writes++;
            delegate.write(batch);
        }

        @Override
        public void sync() {
            delegate.sync();
        }

        @Override
        public void replaceAll(List<StoreEntry> entries, long appliedIndex) {
            delegate.replaceAll(entries, appliedIndex);
        }
    }

    @Test
    void digestChangesOnEveryApply() {
        String before = machine.stateDigestHex();
        assertThat(before).isEqualTo("0".repeat(64));
        apply(new ChatCommand.Login("ana"));
        String afterLogin = machine.stateDigestHex();
        apply(new ChatCommand.CreateChannel("x"));
        apply(new ChatCommand.CreateChannel("x"));
        assertThat(List.of(before, afterLogin, machine.stateDigestHex())).doesNotHaveDuplicates();
    }

    @Test
    void snapshotRoundTripGivesTheSameStateAndContinuesIdentically() {
        List<Command> commands = randomCommands(11, 400);
        ChatStateMachine source = new ChatStateMachine(new InMemoryChatStore(), new ChatConfig(10_000, 500, 7));
        commands.subList(0, 200).forEach(source::apply);
        byte[] snapshot = source.exportSnapshot();

        ChatStateMachine copy = new ChatStateMachine(new InMemoryChatStore(), ChatConfig.DEFAULT);
        copy.apply(Command.of(1, 1.0, 1, new ChatCommand.Login("garbage"))); // replaced by the import
        copy.importSnapshot(snapshot);
        assertThat(copy.appliedIndex()).isEqualTo(source.appliedIndex());
        assertThat(copy.stateDigestHex()).isEqualTo(source.stateDigestHex());
        assertThat(copy.users()).isEqualTo(source.users());
        assertThat(copy.exportSnapshot()).isEqualTo(snapshot);

        List<Command> rest = commands.subList(200, 400);
        assertThat(rest.stream().map(copy::apply).toList())
                .isEqualTo(rest.stream().map(source::apply).toList());
        assertThat(copy.stateDigestHex()).isEqualTo(source.stateDigestHex());
    }

    @Test
    void corruptSnapshotsAreRejected() {
        apply(new ChatCommand.Login("ana"));
        byte[] snapshot = machine.exportSnapshot();
        snapshot[snapshot.length / 2] ^= 1;
        assertThatThrownBy(() -> machine.importSnapshot(snapshot)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> machine.importSnapshot(new byte[3])).isInstanceOf(IllegalArgumentException.class);
        assertThat(machine.users()).containsExactly("ana");
    }

    /** A seeded mix of every command, with errors, duplicates and retries. */
    static List<Command> randomCommands(long seed, int count) {
        SplittableRandom random = new SplittableRandom(seed);
        String[] users = {"ana", "bob", "cid", "dé"};
        String[] channels = {"geral", "dev", "ops"};
        List<Command> out = new ArrayList<>();
        long requestId = 0;
        for (int i = 1; i <= count; i++) {
            String user = users[random.nextInt(users.length)];
            String other = users[random.nextInt(users.length)];
            String channel = channels[random.nextInt(channels.length)];
            ChatCommand op = switch (random.nextInt(4)) {
                case 0 -> new ChatCommand.Login(user);
                case 1 -> new ChatCommand.CreateChannel(channel);
                case 2 -> new ChatCommand.Publish(user, channel, "msg " + i);
                default -> new ChatCommand.SendMessage(user, other, "dm " + i);
            };
            if (random.nextInt(3) > 0) {
                requestId += random.nextInt(2); // sometimes a retry of the previous id
                out.add(new Command(i, 1.7e9 + i / 10.0, i * 2L, "client-" + user, Math.max(1, requestId), op));
            } else {
                out.add(Command.of(i, 1.7e9 + i / 10.0, i * 2L, op));
            }
        }
        return out;
    }
}
