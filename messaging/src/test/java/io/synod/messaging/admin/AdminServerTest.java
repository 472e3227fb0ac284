package io.synod.messaging.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The shared admin endpoint over real HTTP on loopback: health codes, guarded routes, errors. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AdminServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final String SECRET = "0123456789abcdef-secret";
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress("127.0.0.1", 0);

    private static HttpResponse<String> send(AdminServer server, String method, String path, String bearer)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.url() + path))
                .timeout(Duration.ofSeconds(5))
                .method(method, HttpRequest.BodyPublishers.ofString(method.equals("POST") ? "{}" : ""));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Sends {@code request} as it is (java.net.URI refuses a malformed escape) and returns the whole answer. */
    private static String raw(AdminServer server, String request) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(HttpResponse<String> response) throws Exception {
        return JSON.readValue(response.body(), Map.class);
    }

    @Test
    @SuppressWarnings("unchecked")
    void healthIs200WhenEveryCheckPassesAnd503NamingTheOneThatFails() throws Exception {
        AtomicReference<List<HealthCheck>> checks = new AtomicReference<>(
                List.of(HealthCheck.pass("store_writable", "ok"), HealthCheck.pass("leader_known", "leader s1")));
        try (AdminServer server =
                AdminServer.builder("s1", AdminGate.OPEN).health(checks::get).start(LOOPBACK)) {
            HttpResponse<String> up = send(server, "GET", "/health", null);
            assertThat(up.statusCode()).isEqualTo(200);
            assertThat(up.headers().firstValue("Content-Type")).hasValue("application/json");
            assertThat(json(up)).containsEntry("status", "UP").containsEntry("process", "s1");
            assertThat((Map<String, Object>) json(up).get("checks")).containsOnlyKeys("store_writable", "leader_known");

            checks.set(List.of(
                    HealthCheck.pass("store_writable", "ok"), HealthCheck.fail("leader_known", "no leader known")));
            HttpResponse<String> down = send(server, "GET", "/health", null);
            assertThat(down.statusCode()).isEqualTo(503);
            Map<String, Object> body = json(down);
            assertThat(body).containsEntry("status", "DOWN");
            Map<String, Object> failed =
                    (Map<String, Object>) ((Map<String, Object>) body.get("checks")).get("leader_known");
            assertThat(failed).containsEntry("ok", false).containsEntry("detail", "no leader known");
        }
    }

    @Test
    void aCheckThatThrowsIsA503NotACrash() throws Exception {
        try (AdminServer server = AdminServer.builder("s1", AdminGate.OPEN)
                .health(() -> {
                    throw new IllegalStateException("boom");
                })
                .start(LOOPBACK)) {
            HttpResponse<String> response = send(server, "GET", "/health", null);
            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.body()).contains("health_evaluated").contains("boom");
            assertThat(send(server, "GET", "/status", null).statusCode()).isEqualTo(200); // still serving
        }
    }

    @Test
    void statusAndMetricsAreOpenAndTyped() throws Exception {
        try (AdminServer server = AdminServer.builder("broker", AdminGate.secure(AdminKey.of(SECRET)))
                .status(() -> Map.of("frontend", "tcp://127.0.0.1:5555"))
                .metrics(() -> "synod_forwarded_total 3.0\n")
                .start(LOOPBACK)) {
            HttpResponse<String> status = send(server, "GET", "/status", null);
            assertThat(status.statusCode()).isEqualTo(200);
            assertThat(json(status)).containsEntry("frontend", "tcp://127.0.0.1:5555");
            HttpResponse<String> metrics = send(server, "GET", "/metrics", null);
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(t -> assertThat(t).startsWith("text/plain; version=0.0.4"));
            assertThat(metrics.body()).isEqualTo("synod_forwarded_total 3.0\n");
        }
    }

    @Test
    void aGuardedRouteInSecureModeNeedsTheKeyAndIsNotCalledWithoutIt() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        try (AdminServer server = AdminServer.builder("s1", AdminGate.secure(AdminKey.of(SECRET)))
                .guarded("POST", "/remove-server", (query, body) -> {
                    calls.incrementAndGet();
                    return AdminServer.Answer.json(200, Map.of("status", "OK", "name", query.get("name")));
                })
                .start(LOOPBACK)) {
            for (String bearer : new String[] {null, "", "wrong-key-of-enough-length", SECRET + "x"}) {
                HttpResponse<String> refused = send(server, "POST", "/remove-server?name=server-3", bearer);
                assertThat(refused.statusCode()).as("bearer %s", bearer).isEqualTo(401);
                assertThat(refused.headers().firstValue("WWW-Authenticate")).isPresent();
                assertThat(json(refused)).containsEntry("error", "unauthorized");
                assertThat(refused.body()).contains("nothing was changed").doesNotContain(SECRET);
            }
            assertThat(calls).hasValue(0);

            HttpResponse<String> allowed = send(server, "POST", "/remove-server?name=server-3", "  " + SECRET);
            assertThat(allowed.statusCode()).isEqualTo(200);
            assertThat(json(allowed)).containsEntry("name", "server-3");
            assertThat(calls).hasValue(1);
            assertThat(send(server, "GET", "/remove-server", SECRET).statusCode())
                    .as("wrong method")
                    .isEqualTo(405);
        }
    }

    @Test
    void secureModeWithoutAKeyRefusesGuardedRoutesToEveryone() throws Exception {
        try (AdminServer server = AdminServer.builder("s1", AdminGate.secure(null))
                .guarded("GET", "/logs", (query, body) -> AdminServer.Answer.json(200, List.of()))
                .start(LOOPBACK)) {
            HttpResponse<String> refused = send(server, "GET", "/logs", SECRET);
            assertThat(refused.statusCode()).isEqualTo(401);
            assertThat(json(refused).get("description").toString()).contains("without --admin-key");
        }
    }

    @Test
    void compatModeWithoutAKeyLeavesGuardedRoutesOpen() throws Exception {
        try (AdminServer server = AdminServer.builder("s1", AdminGate.OPEN)
                .guarded("GET", "/logs", (query, body) -> AdminServer.Answer.json(200, List.of("line")))
                .start(LOOPBACK)) {
            assertThat(send(server, "GET", "/logs", null).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void unknownRoutesWrongMethodsAndBadQueriesAreClearJsonErrors() throws Exception {
        try (AdminServer server = AdminServer.builder("s1", AdminGate.OPEN)
                .get("/echo", (query, body) -> {
                    if (!query.containsKey("name")) {
                        throw new IllegalArgumentException("name is required");
                    }
                    return AdminServer.Answer.json(200, query);
                })
                .start(LOOPBACK)) {
            HttpResponse<String> missing = send(server, "GET", "/nope", null);
            assertThat(missing.statusCode()).isEqualTo(404);
            assertThat(json(missing)).containsEntry("error", "not_found");
            assertThat(send(server, "POST", "/health", null).statusCode()).isEqualTo(405);
            assertThat(send(server, "DELETE", "/status", null).statusCode()).isEqualTo(405);
            String bad = raw(server, "GET /echo?name=%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertThat(bad).startsWith("HTTP/1.1 400"); // the JDK's server refuses it before any route
            HttpResponse<String> refused = send(server, "GET", "/echo", null);
            assertThat(refused.statusCode()).isEqualTo(400);
            assertThat(json(refused))
                    .containsEntry("error", "bad_request")
                    .containsEntry("description", "/echo: name is required");
            assertThat(json(send(server, "GET", "/echo?name=a%20b", null))).containsEntry("name", "a b");
        }
    }

    @Test
    void bearerParsing() {
        assertThat(AdminServer.bearer(null)).isNull();
        assertThat(AdminServer.bearer("Basic abc")).isNull();
        assertThat(AdminServer.bearer("Bearer ")).isNull();
        assertThat(AdminServer.bearer("bearer  tok ")).isEqualTo("tok");
    }
}
