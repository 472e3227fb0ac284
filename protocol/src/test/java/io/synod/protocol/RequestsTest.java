package io.synod.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.LinkedHashMap;
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

    private static RequestMeta meta(Object timestamp) {
        return parse("users", Map.of("timestamp", timestamp)).meta();
    }

    @Test
    void readsEveryCommonTimestampForm() {
        // 2026-12-06T11:56:05.54Z
        double expected = 1796558165.54;
        List<Object> forms = List.of(
                expected,
                1796558165540L,
                1796558165540.0,
                1796558165540000L,
                1796558165540000000L,
                "1796558165.54",
                " 1796558165.54 ",
                "1796558165540",
                "1.79655816554e9",
                "2026-12-06T11:56:05.54Z",
                "2026-12-06T11:56:05.540+00:00",
                "2026-12-06T11:56:05.540000+0000",
                "2026-12-06T11:56:05.54+00",
                "2026-12-06 11:56:05.54",
                "2026-12-06 11:56:05.540000",
                "2026-12-06t11:56:05.54z",
                "2026-12-06T08:56:05.54-03:00",
                "2026-12-06T14:26:05.54+0230");
        for (Object form : forms) {
            RequestMeta meta = meta(form);
            assertThat(meta.timestampSeconds()).as("%s", form).isCloseTo(expected, within(1e-6));
            assertThat(meta.timestampReplaced()).as("%s", form).isFalse();
        }
        assertThat(meta("2026-12-06 11:56:05").timestampSeconds()).isEqualTo(1796558165.0);
        assertThat(meta("1796558165").timestampSeconds()).isEqualTo(1796558165.0);
        assertThat(meta(1796558165L).timestampSeconds()).isEqualTo(1796558165.0);
        assertThat(meta("2026-12-06 11:56").timestampSeconds()).isEqualTo(1796558160.0);
        assertThat(meta("2026-12-06").timestampSeconds()).isEqualTo(1796515200.0);
        assertThat(meta("Sun, 06 Dec 2026 11:56:05 GMT").timestampSeconds()).isEqualTo(1796558165.0);
        assertThat(meta(0L).timestampSeconds()).isEqualTo(0.0);
    }

    @Test
    void anUnreadableTimestampIsReplacedNotRefused() {
        List<Object> unreadable = List.of(
                "yesterday",
                "",
                "2026-13-06 11:56:05",
                "2026-12-06 25:00:00",
                "1".repeat(65),
                "NaN",
                Double.NaN,
                Double.POSITIVE_INFINITY,
                -1L,
                -1.5,
                1e300,
                "10000-01-01T00:00:00Z",
                true,
                List.of(1L),
                Map.of("seconds", 1L),
                new byte[] {1});
        for (Object value : unreadable) {
            Request request = parse("login", Map.of("user", "ana", "timestamp", value));
            assertThat(request).as("%s", value).isInstanceOf(Request.Login.class);
            assertThat(request.meta().timestampSeconds()).as("%s", value).isNull();
            assertThat(request.meta().timestampReplaced()).as("%s", value).isTrue();
        }
        RequestMeta absent = parse("users", Map.of()).meta();
        assertThat(absent.timestampSeconds()).isNull();
        assertThat(absent.timestampReplaced()).isFalse();
        // where the value is used, not informational, an unreadable one is still an error naming the field
        assertThatThrownBy(() -> Timestamps.toEpochSeconds("time", "yesterday")).hasMessageContaining("'time'");
        assertThatThrownBy(() -> Timestamps.toEpochSeconds("time", Double.NaN)).hasMessageContaining("'time'");
    }

    /** Issue 19: a clock of 2^63-1 ended a server's loop; every integer field has the wire's range now. */
    @Test
    void integerFieldsHaveTheWiresRange() {
        long max = Limits.INTEGER_MAX;
        assertThat(((Request.Users) parse("users", Map.of("clock", max))).meta().clock())
                .isEqualTo(max);
        assertThat(((Request.Users) parse("users", Map.of("clock", (double) max)))
                        .meta()
                        .clock())
                .isEqualTo(max);
        for (long bad : new long[] {max + 1, Long.MAX_VALUE, Long.MAX_VALUE - 1_001, -1, Long.MIN_VALUE}) {
            assertThatThrownBy(() -> parse("users", Map.of("clock", bad)))
                    .hasMessage("field 'clock' must be an integer from 0 to 9007199254740991, was " + bad);
            assertThatThrownBy(() -> parse("users", Map.of("client_id", "c", "request_id", bad)))
                    .hasMessageContaining("field 'request_id' must be an integer from 0 to 9007199254740991");
            assertThatThrownBy(() -> parse("history", Map.of("channel", "geral", "after_seq", bad)))
                    .hasMessageContaining("field 'after_seq' must be an integer from 0 to 9007199254740991");
        }
        assertThatThrownBy(() -> parse("users", Map.of("clock", 1e300)))
                .hasMessageContaining("'clock' must be an integer");
        assertThatThrownBy(() -> parse("users", Map.of("clock", "5")))
                .hasMessageContaining("'clock' must be an integer");
    }

    @Test
    void rejectsBadFieldsWithTheFieldName() {
        assertThatThrownBy(() -> parse("nope", Map.of())).hasMessage("unknown service 'nope'");
        assertThatThrownBy(() -> parse("login", Map.of())).hasMessage("missing field 'user'");
        assertThatThrownBy(() -> parse("login", Map.of("user", 5L))).hasMessageContaining("'user' must be a string");
        assertThatThrownBy(() -> parse("login", Map.of("user", ""))).hasMessageContaining("must not be empty");
        assertThatThrownBy(() -> parse("login", Map.of("user", "a".repeat(10_000))))
                .hasMessageContaining("the limit is 64");
        assertThatThrownBy(() -> parse("publish", Map.of("user", "a", "channel", "c", "message", "x".repeat(5000))))
                .hasMessageContaining("'message'");
        assertThatThrownBy(() -> parse("users", Map.of("clock", -1L))).hasMessageContaining("'clock'");
        assertThatThrownBy(() -> parse("history", Map.of("channel", "c", "limit", 0L)))
                .hasMessageContaining("'limit'");
    }

    @Test
    void acceptsAnyPrintableNameAsSent() {
        for (String name : List.of(
                "Ana Maria",
                "minha sala",
                "#geral",
                "/etc",
                "joão_ção🙂",
                "a  b",
                "Ελένη",
                "محمد\u200Cرضا",
                "👩\u200D💻",
                "x".repeat(64),
                "🙂".repeat(64))) {
            assertThat(parse("login", Map.of("user", name))).isEqualTo(new Request.Login(RequestMeta.NONE, name));
            assertThat(parse("channel", Map.of("channel", name)))
                    .isEqualTo(new Request.CreateChannel(RequestMeta.NONE, name));
            assertThat(parse("message", Map.of("src", name, "dst", name, "message", "oi")))
                    .isEqualTo(new Request.SendMessage(RequestMeta.NONE, name, name, "oi"));
        }
    }

    @Test
    void namesAreNormalisedToNfc() {
        String decomposed = "Jose\u0301";
        assertThat(parse("login", Map.of("user", decomposed)))
                .isEqualTo(new Request.Login(RequestMeta.NONE, "Jos\u00E9"));
        assertThat(parse("history", Map.of("channel", "sala de Jose\u0301")))
                .isEqualTo(
                        new Request.History(RequestMeta.NONE, "sala de Jos\u00E9", 0, Requests.HISTORY_PAGE_DEFAULT));
    }

    @Test
    void refusesNamesThatCannotBeShownOrLookLikeAnother() {
        Map<String, String> refused = new LinkedHashMap<>();
        refused.put("", "must not be empty");
        refused.put(" ", "must not start or end with a space");
        refused.put(" ana", "must not start or end with a space");
        refused.put("ana ", "must not start or end with a space");
        refused.put("ana\u00A0", "must not start or end with a space");
        refused.put("\u3000ana", "must not start or end with a space");
        refused.put("a\tb", "control characters or line breaks (found U+0009)");
        refused.put("a\nb", "control characters or line breaks (found U+000A)");
        refused.put("a\rb", "control characters or line breaks");
        refused.put("a\u0000b", "control characters or line breaks");
        refused.put("a\u007Fb", "control characters or line breaks");
        refused.put("a\u0085b", "control characters or line breaks");
        refused.put("a\u2028b", "control characters or line breaks");
        refused.put("a\u200Bb", "invisible formatting characters (found U+200B)");
        refused.put("a\u202Eb", "invisible formatting characters");
        refused.put("a\uFEFF", "invisible formatting characters");
        refused.put("a\u00ADb", "invisible formatting characters");
        refused.put("a".repeat(65), "65 characters, the limit is 64");
        refused.put("🙂".repeat(65), "65 characters, the limit is 64");
        for (Map.Entry<String, String> entry : refused.entrySet()) {
            for (String field : List.of("user", "channel")) {
                String service = field.equals("user") ? "login" : "channel";
                assertThatThrownBy(() -> parse(service, Map.of(field, entry.getKey())))
                        .as("%s %s", field, entry.getKey())
                        .isInstanceOf(ProtocolException.class)
                        .hasMessageContaining("field '" + field + "'")
                        .hasMessageContaining(entry.getValue());
            }
        }
        assertThatThrownBy(() -> parse("message", Map.of("src", "ana", "dst", "bia\n", "message", "oi")))
                .hasMessageContaining("field 'dst'");
        assertThatThrownBy(() -> parse("private_history", Map.of("user", "ana", "peer", " bia")))
                .hasMessageContaining("field 'peer'");
        assertThatThrownBy(() -> Names.check("user", "a\uD800b", 64)).hasMessageContaining("unpaired surrogate");
    }

    @Test
    void messageTextKeepsLineBreaksAndTabsAsSent() {
        for (String text : List.of("linha 1\nlinha 2", "a\r\nb", "a\rb", "col\tcol", "\n", " ", "🙂".repeat(4_096))) {
            assertThat(parse("publish", Map.of("user", "ana", "channel", "geral", "message", text)))
                    .isEqualTo(new Request.Publish(RequestMeta.NONE, "ana", "geral", text));
            assertThat(parse("message", Map.of("src", "ana", "dst", "bia", "message", text)))
                    .isEqualTo(new Request.SendMessage(RequestMeta.NONE, "ana", "bia", text));
        }
        for (String text : List.of("a\u0000b", "a\u0007b", "a\u001Bb", "a\u007Fb", "a\u0085b")) {
            assertThatThrownBy(() -> parse("publish", Map.of("user", "ana", "channel", "geral", "message", text)))
                    .hasMessageContaining("field 'message' contains a control character");
        }
        assertThatThrownBy(() -> parse("publish", Map.of("user", "ana", "channel", "geral", "message", "")))
                .hasMessageContaining("field 'message' must not be empty");
        assertThatThrownBy(() ->
                        parse("publish", Map.of("user", "ana", "channel", "geral", "message", "🙂".repeat(4_097))))
                .hasMessageContaining("field 'message' is 4097 characters, the limit is 4096");
    }
}
