package io.synod.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.synod.core.ChatConfig;
import io.synod.core.ChatStateMachine;
import io.synod.core.Command;
import io.synod.core.InMemoryChatStore;
import io.synod.messaging.InteractionLog;
import io.synod.protocol.Envelope;
import io.synod.protocol.Limits;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The rate limits in the request handler, on a clock the test drives: a flooding user or connection is refused with
 * a clear {@code erro} and nothing of the refused requests is ordered or applied, while others are served.
 */
class RateLimiterTest {
    private static final long MILLI = 1_000_000L;

    private final AtomicLong nanos = new AtomicLong(1_000 * MILLI);
    private final ChatStateMachine machine = new ChatStateMachine(new InMemoryChatStore(), ChatConfig.DEFAULT);
    private final ServerMetrics metrics = new ServerMetrics("s1");
    private final InteractionLog log = InteractionLog.inMemory("s1");

    private ChatService service(RateLimits limits) {
        return TestChatServices.of(machine, log, metrics, new RateLimiter(limits, nanos::get));
    }

    /** Handles one request; a write handed to replication is applied at once, as the log would. */
    private static Envelope send(
            ChatService service, ChatStateMachine machine, String peer, String name, Map<String, Object> data) {
        ChatService.Handled handled = service.handle(new Envelope(name, data).encode(), peer);
        if (handled.deferred() != null) {
            Command command = handled.deferred().command().withIndex(machine.appliedIndex() + 1);
            handled = service.complete(handled.deferred(), machine.apply(command), command.index());
        }
        return Envelope.decode(handled.replyFrame(), Limits.DEFAULT);
    }

    private Envelope send(ChatService service, String peer, String name, Map<String, Object> data) {
        return send(service, machine, peer, name, data);
    }

    /** Logs in ana and bia and creates geral, unlimited: the test's limits then start from full buckets. */
    private void setUp() {
        ChatService unlimited = service(RateLimits.OFF);
        send(unlimited, "setup", "login", Map.of("user", "ana"));
        send(unlimited, "setup", "login", Map.of("user", "bia"));
        send(unlimited, "setup", "channel", Map.of("channel", "geral"));
    }

    @Test
    void aFloodingUserIsRefusedAndChangesNothingWhileAnotherUserWrites() {
        setUp();
        ChatService service = service(new RateLimits(10, 5, 0, 0));
        int refused = 0;
        for (int i = 0; i < 50; i++) { // the same instant: ana's burst of 5 passes, the rest is refused
            long indexBefore = machine.appliedIndex();
            byte[] digestBefore = machine.stateDigest();
            Envelope reply = send(
                    service,
                    "p" + (i % 4), // several connections, one user
                    "publish",
                    Map.of(
                            "user",
                            "ana",
                            "channel",
                            "geral",
                            "message",
                            "flood " + i,
                            "client_id",
                            "a",
                            "request_id",
                            (long) i + 1));
            if ("erro".equals(reply.data().get("status"))) {
                refused++;
                assertThat(reply.service()).isEqualTo("publish");
                assertThat(reply.data().get("description"))
                        .isEqualTo("rate limited: user 'ana' over 10 writes/s; retry after 100 ms");
                assertThat(reply.data())
                        .containsEntry("retry_after_ms", 100L)
                        .containsEntry("request_id", (long) i + 1);
                assertThat(machine.appliedIndex())
                        .as("a refused write is not ordered")
                        .isEqualTo(indexBefore);
                assertThat(Arrays.equals(machine.stateDigest(), digestBefore))
                        .as("nor applied")
                        .isTrue();
            }
            if (i % 10 == 0) { // bia writes too, within her own burst, whatever ana does
                Envelope other = send(
                        service, "p9", "publish", Map.of("user", "bia", "channel", "geral", "message", "hello " + i));
                assertThat(other.data()).doesNotContainEntry("status", "erro");
            }
        }
        assertThat(refused).isEqualTo(45);
        assertThat(send(service, "p0", "history", Map.of("channel", "geral")).data())
                .as("reads do not count against the user")
                .containsKey("messages")
                .doesNotContainKey("retry_after_ms");
        nanos.addAndGet(100 * MILLI);
        assertThat(send(service, "p0", "publish", Map.of("user", "ana", "channel", "geral", "message", "later"))
                        .data())
                .as("a token again after 100 ms")
                .doesNotContainEntry("status", "erro");
        assertThat(send(service, "p0", "message", Map.of("src", "ana", "dst", "bia", "message", "x"))
                        .data())
                .as("a private message counts against its src")
                .containsEntry("description", "rate limited: user 'ana' over 10 writes/s; retry after 100 ms");
        assertThat(metrics.scrape()).contains("synod_rate_limited_total{limit=\"user\",server=\"s1\"} 46.0");
        assertThat(service.rateLimitStatus())
                .containsEntry("limited_user", 46L)
                .containsEntry("limited_connection", 0L)
                .containsEntry("user_writes_per_s", 10L);
    }

    @Test
    void aFloodingConnectionIsRefusedWhateverItSendsWhileAnotherConnectionIsServed() {
        setUp();
        ChatService service = service(new RateLimits(0, 0, 20, 3));
        for (int i = 0; i < 3; i++) {
            assertThat(send(service, "flood", "users", Map.of()).data()).containsKey("users");
        }
        long indexBefore = machine.appliedIndex();
        Envelope refused = send(service, "flood", "login", Map.of("user", "ana"));
        assertThat(refused.data())
                .containsEntry("status", "erro")
                .containsEntry("description", "rate limited: connection over 20 requests/s; retry after 50 ms");
        assertThat(machine.appliedIndex()).isEqualTo(indexBefore);
        assertThat(send(service, "calm", "login", Map.of("user", "ana")).data()).doesNotContainEntry("status", "erro");
        assertThat(service.rateLimitStatus()).containsEntry("limited_connection", 1L);
    }

    @Test
    void refusalsAreSummarisedInTheLogPerUserAndSecondNotLoggedOneByOne() {
        setUp();
        ChatService service = service(new RateLimits(10, 5, 0, 0));
        int linesBefore = log.recentLines().size();
        for (int i = 0; i < 20; i++) { // the same instant: 5 pass, 15 are refused
            send(service, "p" + (i % 2), "publish", Map.of("user", "ana", "channel", "geral", "message", "m" + i));
        }
        java.util.List<String> lines = log.recentLines();
        java.util.List<String> flood = lines.subList(linesBefore, lines.size());
        assertThat(flood.stream().filter(l -> l.contains("\"dir\":\"in\"")))
                .as("only the requests served are logged as received")
                .hasSize(5);
        assertThat(flood).noneMatch(l -> l.contains("rate limited"));
        service.logRateLimitSummaries();
        assertThat(log.recentLines()).as("not yet: a summary per second").hasSameSizeAs(lines);

        nanos.addAndGet(RateLimiter.SUMMARY_INTERVAL_MILLIS * MILLI);
        service.logRateLimitSummaries();
        java.util.List<String> after = log.recentLines();
        assertThat(after.subList(lines.size(), after.size()))
                .singleElement()
                .satisfies(summary -> assertThat(summary)
                        .contains("\"kind\":\"rate-limited\"")
                        .contains("\"limit\":\"user\"")
                        .contains("\"user\":\"ana\"")
                        .contains("\"refused\":15")
                        .contains("rate limited: user 'ana' over 10 writes/s"));
        service.logRateLimitSummaries();
        assertThat(log.recentLines()).as("each refusal is summarised once").hasSameSizeAs(after);
        assertThat(service.rateLimitStatus()).containsEntry("limited_user", 15L);
    }

    @Test
    void offLimitsNothing() {
        setUp();
        ChatService service = service(RateLimits.OFF);
        for (int i = 0; i < 2_000; i++) {
            assertThat(send(service, "p", "publish", Map.of("user", "ana", "channel", "geral", "message", "m"))
                            .data())
                    .doesNotContainEntry("status", "erro");
        }
    }

    @Test
    void badInputIsStillAnsweredAsBadInputWithinTheLimits() {
        ChatService service = service(RateLimits.DEFAULT);
        assertThat(send(service, "p", "publish", Map.of("user", 7L, "channel", "geral", "message", "m"))
                        .data())
                .as("a user that is not a string is the parser's to refuse")
                .containsEntry("status", "erro")
                .doesNotContainKey("retry_after_ms");
    }

    @Test
    void absurdLimitsAreRefusedAtStartUp() {
        assertThatThrownBy(() -> new RateLimits(-1, 1, 0, 0)).hasMessageContaining("user writes per second");
        assertThatThrownBy(() -> new RateLimits(10, 0, 0, 0)).hasMessageContaining("user burst writes");
        assertThatThrownBy(() -> new RateLimits(0, 0, RateLimits.RATE_PER_SECOND_MAX + 1, 1))
                .hasMessageContaining("connection requests per second");
        for (String[] option : new String[][] {
            {"--rate-limit-user-writes-per-s", "-5"},
            {"--rate-limit-user-burst-writes", "0"},
            {"--rate-limit-connection-requests-per-s", "99999999999"},
            {"--rate-limit-connection-burst-requests", "-1"},
        }) {
            CommandLine line = new CommandLine(new ServerCommand());
            line.setErr(new java.io.PrintWriter(new StringWriter()));
            assertThat(line.execute("--name", "s1", "--data-dir", "unused", option[0], option[1]))
                    .as("%s %s", option[0], option[1])
                    .isEqualTo(2);
        }
    }
}
