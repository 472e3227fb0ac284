package io.synod.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.protocol.Publication;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Writes sent without {@code client_id}/{@code request_id}: a client's own retry recognised by its {@link
 * Fingerprint}, and the bounded exactly-once windows of the client ids servers give such writes.
 */
class IdlessWritesTest {
    private static final double SENT_AT = 1_700_000_000.25;

    private final InMemoryChatStore store = new InMemoryChatStore();
    private final ChatStateMachine machine = new ChatStateMachine(store, ChatConfig.DEFAULT);
    private long index;

    /** A command as a server builds it for a send without ids: its own ids and the send's fingerprint. */
    private Result send(String serverClient, long requestId, ChatCommand op, long clientClock, Double timestamp) {
        index++;
        Fingerprint fingerprint = Fingerprint.of(op, clientClock, timestamp);
        return machine.apply(new Command(index, 1.8e9 + index, 500 + index, serverClient, requestId, op, fingerprint));
    }

    private Result send(ChatCommand op, long clientClock) {
        return send(null, 0, op, clientClock, SENT_AT);
    }

    private List<String> posts(String channel) {
        return ((HistoryResult.Page) machine.channelHistory(channel, 0, 500))
                .messages().stream()
                        .map(p -> ((Publication.ChannelPost) p).message())
                        .toList();
    }

    private void setUpAnaAndGeral() {
        send(new ChatCommand.Login("ana"), 1);
        send(new ChatCommand.CreateChannel("geral"), 2);
    }

    @Test
    void aFingerprintNeedsATimestampAndEitherAClockOrAFractionOfASecond() {
        ChatCommand login = new ChatCommand.Login("ana");
        assertThat(Fingerprint.of(login, 5, null)).isNull();
        assertThat(Fingerprint.of(login, 5, Double.NaN)).isNull();
        assertThat(Fingerprint.of(login, 0, 1_700_000_000.0))
                .as("no clock, whole seconds")
                .isNull();
        assertThat(Fingerprint.of(login, 0, 1_700_000_000.5)).isNotNull();
        assertThat(Fingerprint.of(login, 5, 1_700_000_000.0)).isNotNull();
        assertThat(Fingerprint.of(login, 5, SENT_AT))
                .isEqualTo(Fingerprint.of(new ChatCommand.Login("ana"), 5, SENT_AT));
        List<Fingerprint> distinct = List.of(
                Fingerprint.of(login, 5, SENT_AT),
                Fingerprint.of(login, 6, SENT_AT),
                Fingerprint.of(login, 5, SENT_AT + 0.001),
                Fingerprint.of(new ChatCommand.Login("anb"), 5, SENT_AT),
                Fingerprint.of(new ChatCommand.CreateChannel("ana"), 5, SENT_AT),
                Fingerprint.of(new ChatCommand.Publish("ab", "c", "x"), 5, SENT_AT),
                Fingerprint.of(new ChatCommand.Publish("a", "bc", "x"), 5, SENT_AT));
        assertThat(distinct).doesNotHaveDuplicates();
    }

    @Test
    void theSameSendRetriedGetsTheOriginalOutcomeAndAppliesNothing() {
        setUpAnaAndGeral();
        ChatCommand post = new ChatCommand.Publish("ana", "geral", "oi");
        Result first = send(post, 7);
        Result retry = send(post, 7);
        assertThat(first.replayed()).isFalse();
        assertThat(first.publications()).hasSize(1);
        assertThat(retry.isOk()).isTrue();
        assertThat(retry.replayed()).isTrue();
        assertThat(retry.publications()).isEmpty();
        assertThat(posts("geral")).containsExactly("oi");
        assertThat(machine.appliedSend(post, Fingerprint.of(post, 7, SENT_AT))).isEqualTo(retry);

        // an error is given again as it was, even if the state would now answer differently
        ChatCommand early = new ChatCommand.Publish("ana", "later", "x");
        Result failed = send(early, 8);
        send(new ChatCommand.CreateChannel("later"), 9);
        Result failedRetry = send(early, 8);
        assertThat(failedRetry.replayed()).isTrue();
        assertThat(failedRetry.errorText()).isEqualTo(failed.errorText()).contains("does not exist");
        assertThat(posts("later")).isEmpty();
    }

    @Test
    void aDifferentClockOrTimestampIsANewWrite() {
        setUpAnaAndGeral();
        ChatCommand post = new ChatCommand.Publish("ana", "geral", "oi");
        send(post, 7);
        assertThat(send(post, 8).replayed()).as("next clock").isFalse();
        assertThat(send(null, 0, post, 8, SENT_AT + 1).replayed())
                .as("same clock, later")
                .isFalse();
        assertThat(send(null, 0, post, 0, 1_700_000_003.0).replayed()).isFalse();
        assertThat(send(null, 0, post, 0, 1_700_000_003.0).replayed())
                .as("no clock and whole seconds: not recognised, two identical messages in a second are two")
                .isFalse();
        assertThat(posts("geral")).hasSize(5);
    }

    @Test
    void eachOwnerRemembersItsLastSendsOnly() {
        setUpAnaAndGeral();
        send(new ChatCommand.Login("bob"), 3);
        ChatCommand post = new ChatCommand.Publish("ana", "geral", "first");
        send(post, 10);
        for (int i = 1; i < RetryWindow.SENDS_MAX; i++) {
            send(new ChatCommand.Publish("ana", "geral", "m" + i), 10 + i);
            send(new ChatCommand.Publish("bob", "geral", "b" + i), 10 + i); // another owner's sends do not count
        }
        assertThat(send(post, 10).replayed()).as("inside the window").isTrue();
        send(new ChatCommand.Publish("ana", "geral", "pushes it out"), 100);
        assertThat(send(post, 10).replayed())
                .as("after the window: applied again")
                .isFalse();
        assertThat(posts("geral")).filteredOn("first"::equals).hasSize(2);
        // the channel owns its creations: a retried creation gets its success, not "already exists"
        assertThat(send(new ChatCommand.CreateChannel("geral"), 2).isOk()).isTrue();
    }

    @Test
    void sendsOfNamesThatDoNotExistAreNotRemembered() {
        ChatCommand ghost = new ChatCommand.Publish("ghost", "nowhere", "x");
        Result first = send(ghost, 1);
        Result again = send(ghost, 1);
        assertThat(first.isOk()).isFalse();
        assertThat(again.replayed())
                .as("nothing was applied: applied (and refused) again")
                .isFalse();
        assertThat(again.errorText()).isEqualTo(first.errorText());
        assertThat(store.get(Keys.retries(Keys.USER, "ghost"))).isNull();
        send(new ChatCommand.Login("ghost"), 2);
        assertThat(store.get(Keys.retries(Keys.USER, "ghost"))).isNotNull();
    }

    @Test
    void aRetryWithNewServerIdsIsRecognisedAndItsOwnReproposalToo() {
        setUpAnaAndGeral();
        ChatCommand post = new ChatCommand.Publish("ana", "geral", "oi");
        send("~s1/e1/1", 1, post, 7, SENT_AT); // the original, through server s1
        Result retry = send("~s2/e9/4", 1, post, 7, SENT_AT); // the client's retry on a new socket, through s2
        Result reproposed = send("~s2/e9/4", 1, post, 7, SENT_AT); // s2 proposes it again across a leader change
        Result originalAgain = send("~s1/e1/1", 1, post, 7, SENT_AT);
        assertThat(List.of(retry, reproposed, originalAgain)).allMatch(Result::replayed);
        assertThat(posts("geral")).containsExactly("oi");
        assertThat(machine.appliedResult("~s2/e9/4", 1)).isEqualTo(retry);
    }

    @Test
    void serverGivenClientIdsKeepOnlyTheMostRecentlyUsedWindows() {
        ChatStateMachine small = new ChatStateMachine(new InMemoryChatStore(), new ChatConfig(10_000, 500, 4_096, 3));
        long i = 0;
        for (String client : List.of("~s/e/1", "~s/e/2", "~s/e/3")) {
            small.apply(new Command(++i, 1.0, i, client, 1, new ChatCommand.Login("u" + i)));
        }
        small.apply(new Command(++i, 1.0, i, "~s/e/1", 2, new ChatCommand.Login("again"))); // 1 is now the newest
        small.apply(new Command(++i, 1.0, i, "~s/e/4", 1, new ChatCommand.Login("new"))); // evicts 2, the oldest
        assertThat(small.serverClientCount()).isEqualTo(3);
        assertThat(small.appliedResult("~s/e/1", 1)).isNotNull();
        assertThat(small.appliedResult("~s/e/3", 1)).isNotNull();
        assertThat(small.appliedResult("~s/e/2", 1)).as("forgotten").isNull();
        // a client's own ids are never forgotten
        small.apply(new Command(++i, 1.0, i, "own", 1, new ChatCommand.Login("own")));
        for (int k = 5; k < 20; k++) {
            small.apply(new Command(++i, 1.0, i, "~s/e/" + k, 1, new ChatCommand.Login("u")));
        }
        assertThat(small.serverClientCount()).isEqualTo(3);
        assertThat(small.appliedResult("own", 1)).isNotNull();
    }

    @Test
    void seededIdlessTrafficGivesTheSameResultsAndStateOneByOneInBatchesAndAfterASnapshot() {
        long seed = Long.getLong("core.seed", 7263L);
        ChatConfig config = new ChatConfig(10_000, 500, 5, 4);
        for (int round = 0; round < 10; round++) {
            long roundSeed = seed + round;
            List<Command> commands = idlessTraffic(roundSeed, 600);
            ChatStateMachine single = new ChatStateMachine(new InMemoryChatStore(), config);
            List<Result> expected = commands.stream().map(single::apply).toList();
            assertThat(expected)
                    .as("seed %d: some retries recognised", roundSeed)
                    .anyMatch(Result::replayed);
            assertThat(single.serverClientCount()).as("seed %d", roundSeed).isEqualTo(4);

            ChatStateMachine batched = new ChatStateMachine(new InMemoryChatStore(), config);
            SplittableRandom random = new SplittableRandom(roundSeed);
            List<Result> actual = new ArrayList<>();
            for (int from = 0; from < commands.size(); ) {
                int to = Math.min(commands.size(), from + 1 + random.nextInt(12));
                actual.addAll(batched.applyAll(commands.subList(from, to)));
                from = to;
            }
            assertThat(actual).as("seed %d", roundSeed).isEqualTo(expected);
            assertThat(batched.exportSnapshot()).as("seed %d", roundSeed).isEqualTo(single.exportSnapshot());

            ChatStateMachine first = new ChatStateMachine(new InMemoryChatStore(), config);
            commands.subList(0, 300).forEach(first::apply);
            ChatStateMachine restored = new ChatStateMachine(new InMemoryChatStore(), config);
            restored.importSnapshot(first.exportSnapshot());
            List<Result> rest = commands.subList(300, commands.size()).stream()
                    .map(restored::apply)
                    .toList();
            assertThat(rest).as("seed %d", roundSeed).isEqualTo(expected.subList(300, expected.size()));
            assertThat(restored.stateDigestHex()).as("seed %d", roundSeed).isEqualTo(single.stateDigestHex());
            List<Command> decoded = commands.stream()
                    .map(c -> ChatCommands.decode(ChatCommands.encode(c)))
                    .toList();
            assertThat(decoded).isEqualTo(commands);
        }
    }

    /**
     * Sends without ids from a few clients through a few servers' connections: client retries (same clock and
     * timestamp, new server ids), server re-proposals (same server ids), and new sends.
     */
    private static List<Command> idlessTraffic(long seed, int count) {
        SplittableRandom random = new SplittableRandom(seed);
        String[] users = {"ana", "bob", "cid"};
        List<Command> out = new ArrayList<>();
        List<Command> sent = new ArrayList<>();
        long connection = 0;
        for (int i = 1; i <= count; i++) {
            int kind = random.nextInt(10);
            if (kind < 2 && !sent.isEmpty()) { // a re-proposal of a recent command
                out.add(sent.get(sent.size() - 1 - random.nextInt(Math.min(sent.size(), 5)))
                        .withIndex(i));
                continue;
            }
            Command base;
            if (kind < 4 && !sent.isEmpty()) { // the client's retry on a new connection: new server ids
                Command original = sent.get(sent.size() - 1 - random.nextInt(Math.min(sent.size(), 20)));
                base = new Command(
                        i,
                        1.8e9 + i,
                        i,
                        "~s" + random.nextInt(3) + "/e/" + ++connection,
                        1,
                        original.operation(),
                        original.fingerprint());
            } else {
                String user = users[random.nextInt(users.length)];
                ChatCommand op = switch (random.nextInt(4)) {
                    case 0 -> new ChatCommand.Login(user);
                    case 1 -> new ChatCommand.CreateChannel("c" + random.nextInt(3));
                    case 2 -> new ChatCommand.Publish(user, "c" + random.nextInt(3), "m" + i);
                    default -> new ChatCommand.SendMessage(user, users[random.nextInt(users.length)], "d" + i);
                };
                boolean wholeSeconds = random.nextInt(5) == 0;
                base = new Command(
                        i,
                        1.8e9 + i,
                        i,
                        "~s" + random.nextInt(3) + "/e/" + (1 + random.nextInt(8)),
                        i,
                        op,
                        Fingerprint.of(op, random.nextInt(3), wholeSeconds ? 1.7e9 + i : 1.7e9 + i + 0.5));
            }
            sent.add(base);
            out.add(base);
        }
        return out;
    }
}
