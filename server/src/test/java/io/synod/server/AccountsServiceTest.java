package io.synod.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.core.ChatConfig;
import io.synod.core.ChatStateMachine;
import io.synod.core.Command;
import io.synod.core.InMemoryChatStore;
import io.synod.core.Result;
import io.synod.messaging.InteractionLog;
import io.synod.protocol.Envelope;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Passwords, session tokens and secure mode through the request handler, writes applied as replication does. */
class AccountsServiceTest {
    /** A low PBKDF2 cost keeps the test fast; the hashing is the same. */
    private static final int TEST_ITERATIONS = 1_000;

    @TempDir
    Path dir;

    private final ChatStateMachine machine = new ChatStateMachine(new InMemoryChatStore(), ChatConfig.DEFAULT);
    private InteractionLog log;
    private long requestId;

    private ChatService service(boolean secure, long sessionSeconds) {
        log = InteractionLog.inMemory("s1");
        return TestChatServices.of(machine, log).secure(secure, new Accounts(TEST_ITERATIONS, sessionSeconds));
    }

    /** Sends a request with ids; a write is decided at the next index and applied. Returns the reply's fields. */
    private Map<String, Object> send(ChatService service, String name, Map<String, Object> fields) {
        Map<String, Object> data = new HashMap<>(fields);
        data.put("client_id", "accounts-test");
        data.put("request_id", ++requestId);
        ChatService.Handled handled = service.handle(new Envelope(name, data).encode(), "peer");
        if (handled.reply() != null) {
            return handled.reply().data();
        }
        Command command = handled.deferred().command().withIndex(machine.appliedIndex() + 1);
        Result result = machine.apply(command);
        return service.complete(handled.deferred(), result, command.index())
                .reply()
                .data();
    }

    private static Map<String, Object> with(Map<String, Object> fields, String token) {
        Map<String, Object> data = new HashMap<>(fields);
        data.put("token", token);
        return data;
    }

    @Test
    void aPasswordIsSetByTheFirstLoginAndRequiredAfterInBothModes() {
        ChatService compat = service(false, Accounts.SESSION_SECONDS_DEFAULT);
        Map<String, Object> first = send(compat, "login", Map.of("user", "ana", "password", "s3gredo"));
        assertThat(first).containsEntry("status", "sucesso").containsKeys("token", "expires");
        long index = machine.appliedIndex();

        assertThat(send(compat, "login", Map.of("user", "ana")))
                .containsEntry("status", "erro")
                .extracting(m -> m.get("description").toString())
                .asString()
                .contains("field 'password'");
        assertThat(send(compat, "login", Map.of("user", "ana", "password", "errada")))
                .containsEntry("status", "erro");
        assertThat(machine.appliedIndex())
                .as("a wrong password is refused before proposing")
                .isEqualTo(index);
        assertThat(machine.loginHistory("ana", 0, 10)).hasSize(1);

        ChatService secure = service(true, Accounts.SESSION_SECONDS_DEFAULT);
        assertThat(send(secure, "login", Map.of("user", "ana", "password", "errada")))
                .containsEntry("status", "erro");
        assertThat(send(secure, "login", Map.of("user", "ana", "password", "s3gredo")))
                .containsEntry("status", "sucesso");
        assertThat(machine.loginHistory("ana", 0, 10)).hasSize(2);
    }

    @Test
    void compatModeServesTheStatementProtocolUnchanged() {
        ChatService compat = service(false, Accounts.SESSION_SECONDS_DEFAULT);
        Map<String, Object> login = send(compat, "login", Map.of("user", "bob"));
        assertThat(login).containsEntry("status", "sucesso").doesNotContainKey("token");
        send(compat, "login", Map.of("user", "ana"));
        assertThat(send(compat, "channel", Map.of("channel", "geral"))).containsEntry("status", "sucesso");
        assertThat(send(compat, "publish", Map.of("user", "ana", "channel", "geral", "message", "oi")))
                .containsEntry("status", "OK");
        assertThat(send(compat, "message", Map.of("src", "bob", "dst", "ana", "message", "oi")))
                .containsEntry("status", "OK");
        assertThat(send(compat, "private_history", Map.of("user", "ana"))).containsEntry("status", "OK");
    }

    @Test
    void secureModeRefusesWritesAndPrivateReadsWithoutTheOwnersLiveToken() {
        ChatService secure = service(true, Accounts.SESSION_SECONDS_DEFAULT);
        assertThat(send(secure, "login", Map.of("user", "ana")))
                .as("secure logins need a password")
                .containsEntry("status", "erro");
        String ana = (String)
                send(secure, "login", Map.of("user", "ana", "password", "pa")).get("token");
        String bob = (String)
                send(secure, "login", Map.of("user", "bob", "password", "pb")).get("token");
        assertThat(send(secure, "channel", with(Map.of("channel", "geral"), ana)))
                .containsEntry("status", "sucesso");
        assertThat(send(secure, "message", with(Map.of("src", "ana", "dst", "bob", "message", "oi"), ana)))
                .containsEntry("status", "OK");

        assertThat(send(secure, "publish", Map.of("user", "ana", "channel", "geral", "message", "x")))
                .as("no token")
                .containsEntry("status", "erro");
        assertThat(send(secure, "message", with(Map.of("src", "ana", "dst", "bob", "message", "forged"), bob)))
                .as("bob's token, sent as ana")
                .containsEntry("status", "erro");
        assertThat(send(secure, "post", with(Map.of("user", "ana", "message", "x"), "forged-token")))
                .containsEntry("status", "erro");

        for (String read : new String[] {"private_history", "notifications", "conversations", "search"}) {
            Map<String, Object> ofAna =
                    read.equals("search") ? Map.of("user", "ana", "query", "oi") : Map.of("user", "ana");
            assertThat(send(secure, read, with(ofAna, ana))).as(read).containsEntry("status", "OK");
            assertThat(send(secure, read, with(ofAna, bob)))
                    .as(read + " of ana with bob's token")
                    .containsEntry("status", "erro");
            assertThat(send(secure, read, ofAna)).as(read + " without a token").containsEntry("status", "erro");
        }
        assertThat(send(secure, "history", Map.of("channel", "geral")))
                .as("public reads stay open")
                .containsEntry("status", "OK");

        assertThat(send(secure, "logout", with(Map.of("user", "ana"), ana))).containsEntry("status", "OK");
        assertThat(send(secure, "publish", with(Map.of("user", "ana", "channel", "geral", "message", "x"), ana)))
                .as("revoked")
                .containsEntry("status", "erro");
        assertThat(send(secure, "private_history", with(Map.of("user", "ana"), ana)))
                .containsEntry("status", "erro");
    }

    @Test
    void anExpiredTokenIsRefused() {
        ChatService secure = service(true, 0); // a session that ends as it starts
        String ana = (String)
                send(secure, "login", Map.of("user", "ana", "password", "pa")).get("token");
        assertThat(send(secure, "follow", with(Map.of("user", "ana", "target", "ana"), ana)))
                .extracting(m -> m.get("description").toString())
                .asString()
                .contains("expired");
        assertThat(send(secure, "notifications", with(Map.of("user", "ana"), ana)))
                .containsEntry("status", "erro");
    }

    @Test
    void passwordsAndTokensNeverReachTheLog() throws Exception {
        Path file = dir.resolve("s1.jsonl");
        log = InteractionLog.open(file, "s1");
        ChatService logged = TestChatServices.of(machine, log)
                .secure(true, new Accounts(TEST_ITERATIONS, Accounts.SESSION_SECONDS_DEFAULT));
        String token = (String) send(logged, "login", Map.of("user", "ana", "password", "hunter2"))
                .get("token");
        send(logged, "private_history", with(Map.of("user", "ana"), token));
        log.close();
        String written = Files.readString(file);
        assertThat(written).contains("private_history").contains("<hidden>");
        assertThat(written).doesNotContain("hunter2").doesNotContain(token);
    }

    @Test
    void storedHashesAreSaltedAndCheckedBySlowHashing() {
        Accounts accounts = new Accounts(TEST_ITERATIONS, 60);
        String one = accounts.hash("pw");
        String two = accounts.hash("pw");
        assertThat(one).startsWith("pbkdf2-sha256$1000$").isNotEqualTo(two);
        assertThat(Accounts.matches("pw", one)).isTrue();
        assertThat(Accounts.matches("pw", two)).isTrue();
        assertThat(Accounts.matches("pW", one)).isFalse();
        assertThat(Accounts.matches("pw", "md5$x")).isFalse();
    }
}
