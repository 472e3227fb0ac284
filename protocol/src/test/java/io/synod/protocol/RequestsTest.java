package io.synod.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RequestsTest {
    private static final Limits LIMITS = Limits.DEFAULT;

    private static Request parse(String service, Map<String, Object> data) {
        return Requests.parse(Envelope.decode(new Envelope(service, data).encode(), LIMITS), LIMITS);
    }

    @Test
    void parsesEveryStatementService() {
        assertThat(parse("login", Map.of("user", "ana", "timestamp", 1.0, "clock", 2L)))
                .isEqualTo(new Request.Login(new RequestMeta(1.0, 2, null, 0), "ana"));
        assertThat(parse("users", Map.of())).isInstanceOf(Request.Users.class);
        assertThat(parse("channel", Map.of("channel", "geral")))
                .isEqualTo(new Request.CreateChannel(RequestMeta.NONE, "geral"));
        assertThat(parse("channels", Map.of())).isInstanceOf(Request.Channels.class);
        assertThat(parse("publish", Map.of("user", "ana", "channel", "geral", "message", "oi")))
                .isEqualTo(new Request.Publish(RequestMeta.NONE, "ana", "geral", "oi"));
        assertThat(parse("message", Map.of("src", "ana", "dst", "bia", "message", "oi")))
                .isEqualTo(new Request.SendMessage(RequestMeta.NONE, "ana", "bia", "oi"));
        assertThat(parse("rank", Map.of("user", "s1"))).isEqualTo(new Request.Rank(RequestMeta.NONE, "s1", null));
        assertThat(parse("list", Map.of())).isInstanceOf(Request.ListServers.class);
        assertThat(parse("heartbeat", Map.of("user", "s1", "address", "tcp://127.0.0.1:1")))
                .isEqualTo(new Request.Heartbeat(RequestMeta.NONE, "s1", "tcp://127.0.0.1:1"));
        assertThat(parse("clock", Map.of())).isInstanceOf(Request.ClockRequest.class);
        assertThat(parse("election", Map.of())).isInstanceOf(Request.ElectionRequest.class);
    }

    @Test
    void requestsRoundTripThroughTheirEnvelope() {
        List<Request> all = List.of(
                new Request.Login(new RequestMeta(5.5, 9, "c-1", 4), "ana"),
                new Request.Publish(new RequestMeta(5.5, 9, "c-1", 5), "ana", "geral", "olá"),
                new Request.SendMessage(new RequestMeta(5.5, 9, null, 0), "ana", "bia", "oi"),
                new Request.History(new RequestMeta(5.5, 9, null, 0), "geral", 10, 50),
                new Request.PrivateHistory(new RequestMeta(5.5, 9, null, 0), "ana", null, 0, 20),
                new Request.PrivateHistory(new RequestMeta(5.5, 9, null, 0), "ana", "bia", 3, 20));
        for (Request request : all) {
            Envelope wire = Envelope.decode(request.toEnvelope().encode(), LIMITS);
            assertThat(Requests.parse(wire, LIMITS)).isEqualTo(request);
        }
    }

    @Test
    void acceptsEveryTimestampForm() {
        double iso = ((Request.Users) parse("users", Map.of("timestamp", "2025-10-01T12:00:00Z")))
                .meta()
                .timestampSeconds();
        double isoLocal = ((Request.Users) parse("users", Map.of("timestamp", "2025-10-01T12:00:00.500")))
                .meta()
                .timestampSeconds();
        double millis = ((Request.Users) parse("users", Map.of("timestamp", 1759320000000L)))
                .meta()
                .timestampSeconds();
        double seconds = ((Request.Users) parse("users", Map.of("timestamp", 1759320000L)))
                .meta()
                .timestampSeconds();
        assertThat(iso).isEqualTo(1759320000.0);
        assertThat(isoLocal).isEqualTo(1759320000.5);
        assertThat(millis).isEqualTo(1759320000.0);
        assertThat(seconds).isEqualTo(1759320000.0);
        assertThatThrownBy(() -> parse("users", Map.of("timestamp", "yesterday")))
                .hasMessageContaining("ISO-8601");
    }

    /** Issue 19: a clock of 2^63-1 ended a server's loop; every integer field has the wire's range now. */
    @Test
    void integerFieldsHaveTheWiresRange() {
        long max = Limits.INTEGER_MAX;
        assertThat(((Request.Users) parse("users", Map.of("clock", max))).meta().clock()).isEqualTo(max);
        assertThat(((Request.Users) parse("users", Map.of("clock", (double) max))).meta().clock()).isEqualTo(max);
        for (long bad : new long[] {max + 1, Long.MAX_VALUE, Long.MAX_VALUE - 1_001, -1, Long.MIN_VALUE}) {
            assertThatThrownBy(() -> parse("users", Map.of("clock", bad)))
                    .hasMessage("field 'clock' must be an integer from 0 to 9007199254740991, was " + bad);
            assertThatThrownBy(() -> parse("users", Map.of("client_id", "c", "request_id", bad)))
                    .hasMessageContaining("field 'request_id' must be an integer from 0 to 9007199254740991");
            assertThatThrownBy(() -> parse("history", Map.of("channel", "geral", "after_seq", bad)))
                    .hasMessageContaining("field 'after_seq' must be an integer from 0 to 9007199254740991");
        }
        assertThatThrownBy(() -> parse("users", Map.of("clock", 1e300))).hasMessageContaining("'clock' must be an integer");
        assertThatThrownBy(() -> parse("users", Map.of("clock", "5"))).hasMessageContaining("'clock' must be an integer");
    }

    @Test
    void rejectsBadFieldsWithTheFieldName() {
        assertThatThrownBy(() -> parse("nope", Map.of())).hasMessage("unknown service 'nope'");
        assertThatThrownBy(() -> parse("login", Map.of())).hasMessage("missing field 'user'");
        assertThatThrownBy(() -> parse("login", Map.of("user", 5L))).hasMessageContaining("'user' must be a string");
        assertThatThrownBy(() -> parse("login", Map.of("user", ""))).hasMessageContaining("must not be empty");
        assertThatThrownBy(() -> parse("login", Map.of("user", "a".repeat(10_000))))
                .hasMessageContaining("the limit is 64");
        assertThatThrownBy(() -> parse("login", Map.of("user", "a b"))).hasMessageContaining("spaces");
        assertThatThrownBy(() -> parse("login", Map.of("user", "a\u0000b"))).hasMessageContaining("control");
        assertThatThrownBy(() -> parse("channel", Map.of("channel", "/etc"))).hasMessageContaining("must not start");
        assertThatThrownBy(() -> parse("publish", Map.of("user", "a", "channel", "c", "message", "x".repeat(5000))))
                .hasMessageContaining("'message'");
        assertThatThrownBy(() -> parse("users", Map.of("clock", -1L))).hasMessageContaining("'clock'");
        assertThatThrownBy(() -> parse("history", Map.of("channel", "c", "limit", 0L)))
                .hasMessageContaining("'limit'");
    }

    @Test
    void acceptsUnicodeNames() {
        assertThat(parse("login", Map.of("user", "joão_ção🙂"))).isInstanceOf(Request.Login.class);
    }
}
