package io.synod.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.protocol.Publication;
import io.synod.protocol.SessionTopics;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Passwords and sessions applied in log order ({@link AccountRules}), and their encoding in the log. */
class AccountRulesTest {
    private static final double T0 = 1_700_000_000.0;
    private static final String ANA_HASH = "pbkdf2-sha256$1000$c2FsdA$aGFzaA";
    private static final String ANA_SESSION = "a".repeat(64);
    private static final String BOB_SESSION = "b".repeat(64);

    private final ChatStateMachine machine = new ChatStateMachine(new InMemoryChatStore(), ChatConfig.DEFAULT);
    private long index;

    private Result apply(ChatCommand operation) {
        return applyAt(T0 + index, null, operation);
    }

    private Result applyAt(double timestamp, String session, ChatCommand operation) {
        index++;
        return machine.apply(new Command(index, timestamp, 100 + index, null, 0, operation, null, session));
    }

    private void loginAnaWithSession(long expiresAt) {
        assertThat(apply(new ChatCommand.Login("ana", ANA_HASH, ANA_SESSION, expiresAt))
                        .isOk())
                .isTrue();
    }

    @Test
    void aFirstPasswordIsStoredAndThenEveryLoginMustNameIt() {
        loginAnaWithSession(2_000_000_000L);
        assertThat(machine.accounts().passwordHash("ana")).isEqualTo(ANA_HASH);

        long loginsBefore = machine.loginHistory("ana", 0, 10).size();
        Result plain = apply(new ChatCommand.Login("ana"));
        Result other = apply(new ChatCommand.Login("ana", "pbkdf2-sha256$1000$b3RoZXI$b3RoZXI", "", 0));
        assertThat(plain.errorText()).contains("field 'password'");
        assertThat(other.errorText()).contains("field 'password'");
        assertThat(machine.loginHistory("ana", 0, 10)).hasSize((int) loginsBefore);
        assertThat(machine.accounts().passwordHash("ana"))
                .as("a refused login changes nothing")
                .isEqualTo(ANA_HASH);

        assertThat(apply(new ChatCommand.Login("ana", ANA_HASH, "", 0)).isOk()).isTrue();
        assertThat(machine.loginHistory("ana", 0, 10)).hasSize((int) loginsBefore + 1);
    }

    @Test
    void theFirstOfTwoRacingFirstPasswordsWinsInLogOrder() {
        // two servers each saw no password and hashed their own: the log orders them, the second is refused
        assertThat(apply(new ChatCommand.Login("ana", ANA_HASH, "", 0)).isOk()).isTrue();
        assertThat(apply(new ChatCommand.Login("ana", "pbkdf2-sha256$1000$eA$eQ", "", 0))
                        .isOk())
                .isFalse();
        assertThat(machine.accounts().passwordHash("ana")).isEqualTo(ANA_HASH);
    }

    @Test
    void aWriteWithASessionNeedsALiveSessionOfItsAuthor() {
        loginAnaWithSession(2_000_000_000L);
        assertThat(apply(new ChatCommand.Login("bob", "", BOB_SESSION, 2_000_000_000L))
                        .isOk())
                .isTrue();
        assertThat(apply(new ChatCommand.CreateChannel("geral")).isOk()).isTrue();

        assertThat(applyAt(T0 + 10, ANA_SESSION, new ChatCommand.Publish("ana", "geral", "oi"))
                        .isOk())
                .isTrue();
        Result asBob = applyAt(T0 + 11, ANA_SESSION, new ChatCommand.SendMessage("bob", "ana", "forged"));
        assertThat(asBob.errorText()).contains("field 'token'").contains("'ana''s, not 'bob''s");
        Result forged = applyAt(T0 + 12, "f".repeat(64), new ChatCommand.Publish("ana", "geral", "x"));
        assertThat(forged.errorText()).contains("not a live session");
        Result expired = applyAt(2_000_000_000.0, ANA_SESSION, new ChatCommand.Publish("ana", "geral", "late"));
        assertThat(expired.errorText()).contains("expired");
        assertThat(machine.channelHistory("geral", 0, 10))
                .isInstanceOfSatisfying(
                        HistoryResult.Page.class,
                        page -> assertThat(page.messages()).hasSize(1));
    }

    @Test
    void logoutRevokesTheSessionForLaterWritesAndReads() {
        loginAnaWithSession(2_000_000_000L);
        assertThat(machine.accounts().sessionUser(ANA_SESSION, T0 + 5)).isEqualTo("ana");
        assertThat(machine.accounts().sessionUser(ANA_SESSION, 2_000_000_000.0))
                .as("expired")
                .isNull();

        assertThat(apply(new ChatCommand.Logout("bob", ANA_SESSION)).isOk())
                .as("not bob's session")
                .isFalse();
        assertThat(apply(new ChatCommand.Logout("ana", ANA_SESSION)).isOk()).isTrue();
        assertThat(machine.accounts().sessionUser(ANA_SESSION, T0 + 5)).isNull();
        Result after = applyAt(T0 + 20, ANA_SESSION, new ChatCommand.Follow("ana", "bob"));
        assertThat(after.errorText()).contains("not a live session");
        assertThat(apply(new ChatCommand.Logout("ana", ANA_SESSION)).isOk())
                .as("revoked once")
                .isFalse();
    }

    @Test
    void privateDeliveriesAreCopiedToEveryLiveSessionOfTheRecipient() {
        assertThat(apply(new ChatCommand.Login("ana")).isOk()).isTrue();
        assertThat(apply(new ChatCommand.Login("bob", "", BOB_SESSION, 2_000_000_000L))
                        .isOk())
                .isTrue();
        String second = "c".repeat(64);
        assertThat(apply(new ChatCommand.Login("bob", "", second, 1_700_000_100L))
                        .isOk())
                .isTrue();

        List<Publication> sent =
                apply(new ChatCommand.SendMessage("ana", "bob", "oi @bob")).publications();
        Publication.DirectMessage dm = (Publication.DirectMessage) sent.get(0);
        assertThat(copies(sent))
                .as("a message and its notification, each to both sessions")
                .containsExactlyInAnyOrder(
                        SessionTopics.messagesTopic(SessionTopics.delivery(BOB_SESSION)),
                        SessionTopics.messagesTopic(SessionTopics.delivery(second)),
                        SessionTopics.notificationsTopic(SessionTopics.delivery(BOB_SESSION)),
                        SessionTopics.notificationsTopic(SessionTopics.delivery(second)));
        assertThat(sent)
                .filteredOn(p -> p instanceof Publication.SessionDelivery)
                .allMatch(p -> sent.contains(((Publication.SessionDelivery) p).delivery()), "a copy of an original");
        assertThat(sent)
                .as("the originals stay, for compat mode and the search index")
                .contains(dm);

        List<Publication> late = applyAt(1_700_000_100.0, null, new ChatCommand.SendMessage("ana", "bob", "tarde"))
                .publications();
        assertThat(copies(late))
                .as("the second session expired at the write's log time")
                .containsExactlyInAnyOrder(
                        SessionTopics.messagesTopic(SessionTopics.delivery(BOB_SESSION)),
                        SessionTopics.notificationsTopic(SessionTopics.delivery(BOB_SESSION)));

        assertThat(apply(new ChatCommand.Logout("bob", BOB_SESSION)).isOk()).isTrue();
        assertThat(copies(applyAt(1_700_000_200.0, null, new ChatCommand.SendMessage("ana", "bob", "sozinho"))
                        .publications()))
                .as("no live session: no copy")
                .isEmpty();
        assertThat(copies(apply(new ChatCommand.SendMessage("bob", "ana", "oi")).publications()))
                .as("ana never opened a session")
                .isEmpty();
    }

    @Test
    void aLoginBeyondTheSessionsPerUserMaxRevokesTheOldest() {
        List<String> sessions = new java.util.ArrayList<>();
        for (int i = 0; i <= AccountRules.SESSIONS_PER_USER_MAX; i++) {
            String session = String.format("%064x", i + 1);
            sessions.add(session);
            assertThat(apply(new ChatCommand.Login("bob", "", session, 2_000_000_000L))
                            .isOk())
                    .isTrue();
        }
        assertThat(machine.accounts().sessionUser(sessions.get(0), T0 + 100))
                .as("the oldest, revoked")
                .isNull();
        assertThat(machine.accounts().sessionUser(sessions.get(1), T0 + 100)).isEqualTo("bob");
        assertThat(apply(new ChatCommand.Login("ana")).isOk()).isTrue();
        assertThat(copies(apply(new ChatCommand.SendMessage("ana", "bob", "oi")).publications()))
                .hasSize(2 * AccountRules.SESSIONS_PER_USER_MAX);
    }

    private static List<String> copies(List<Publication> publications) {
        return publications.stream()
                .filter(p -> p instanceof Publication.SessionDelivery)
                .map(Publication::topic)
                .toList();
    }

    @Test
    void sessionsAndPasswordsRoundTripThroughTheLogEncoding() {
        Command login = new Command(
                7, T0, 3, "c-1", 2, new ChatCommand.Login("ana", ANA_HASH, ANA_SESSION, 1_800_000_000L), null, null);
        Command write = new Command(8, T0, 4, "c-1", 3, new ChatCommand.Follow("ana", "bob"), null, ANA_SESSION);
        Command withFingerprint = new Command(
                9, T0, 5, null, 0, new ChatCommand.Logout("ana", ANA_SESSION), new Fingerprint(1, 2), ANA_SESSION);
        for (Command command : new Command[] {login, write, withFingerprint}) {
            assertThat(ChatCommands.decode(ChatCommands.encode(command))).isEqualTo(command);
        }
        Command plain = Command.of(1, T0, 1, new ChatCommand.Login("ana"));
        assertThat(ChatCommands.encode(plain)[1])
                .as("a statement login keeps version 1")
                .isEqualTo((byte) 1);
        assertThat(ChatCommands.decode(ChatCommands.encode(plain))).isEqualTo(plain);
    }
}
