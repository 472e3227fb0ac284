package io.synod.messaging.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP endpoint of one process, on the JDK's HTTP server (no framework: the broker and the proxy have no
 * other HTTP). Every process serves {@code GET /health} (200 when every {@link HealthCheck} passes, 503 otherwise,
 * each check named in the JSON body), {@code GET /status} (the process's JSON) and {@code GET /metrics} (Prometheus
 * text); a process adds its own routes.
 *
 * <p><b>Guarded routes</b> ({@link Builder#guarded}) are those that change something or show what users wrote: in
 * secure mode they need {@code Authorization: Bearer <admin key>} ({@link AdminGate}); without it the answer is 401
 * with a JSON error and the route's handler is not called. {@code /health}, {@code /status} and {@code /metrics} stay
 * open: they carry counters, indexes and addresses, no message and no secret, and the orchestrator's probes and the
 * metrics scraper must reach them without one.
 *
 * <p>Thread-safety: handlers run on at most {@link #THREADS_MAX} threads of the endpoint's own, so the suppliers must
 * be thread-safe; start and close from the owning thread.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
    /** Threads serving admin requests: for operators, probes and scrapers, not for load. */
    public static final int THREADS_MAX = 4;
    /** Admin requests waiting for a thread; past it the connection's own thread serves it (back-pressure). */
    public static final int QUEUE_MAX = 64;
    /** Pending TCP connections the listener keeps. */
    static final int BACKLOG_MAX = 32;
    /** Longest request body read by a guarded POST (the rest is refused). */
    public static final int BODY_BYTES_MAX = 64 << 10;
    /** Seconds {@link #close} lets running exchanges finish. */
    static final int STOP_DELAY_SECONDS = 0;

    static final String JSON_TYPE = "application/json";
    static final String PROMETHEUS_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A route's answer. */
    public record Answer(int status, String contentType, String body) {
        public static Answer json(int status, Object body) {
            try {
                return new Answer(status, JSON_TYPE, JSON.writeValueAsString(body));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("an admin document is not JSON-serialisable", e);
            }
        }
    }

    /** A route: its query parameters (decoded) and body (guarded POSTs; empty otherwise) to an answer. */
    @FunctionalInterface
    public interface Route {
        Answer handle(Map<String, String> query, String body) throws Exception;
    }

    private record Entry(String method, boolean guarded, Route route) {}

    private final HttpServer http;
    private final ThreadPoolExecutor executor;

    private AdminServer(HttpServer http, ThreadPoolExecutor executor) {
        this.http = http;
        this.executor = executor;
    }

    /** A builder for the endpoint of {@code process} (its name in every answer), guarded by {@code gate}. */
    public static Builder builder(String process, AdminGate gate) {
        return new Builder(process, gate);
    }

    /** The port bound. */
    public int port() {
        return http.getAddress().getPort();
    }

    /** {@code http://HOST:PORT} as bound (a wildcard bind shows its wildcard address). */
    public String url() {
        InetSocketAddress address = http.getAddress();
        String host = address.getAddress().getHostAddress();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    @Override
    public void close() {
        http.stop(STOP_DELAY_SECONDS);
        executor.shutdownNow();
    }

    /** Builds and starts an {@link AdminServer}. */
    public static final class Builder {
        private final String process;
        private final AdminGate gate;
        private final Map<String, Entry> routes = new LinkedHashMap<>();
        private Supplier<List<HealthCheck>> health = List::of;

        private Builder(String process, AdminGate gate) {
            this.process = Objects.requireNonNull(process, "process");
            this.gate = Objects.requireNonNull(gate, "gate");
            status(Map::of);
            metrics(() -> "");
        }

        /** The checks behind {@code /health}, evaluated on each request. */
        public Builder health(Supplier<List<HealthCheck>> checks) {
            this.health = Objects.requireNonNull(checks, "checks");
            return this;
        }

        /** The {@code /status} document. */
        public Builder status(Supplier<Map<String, Object>> status) {
            routes.put("/status", new Entry("GET", false, (q, b) -> Answer.json(200, status.get())));
            return this;
        }

        /** The {@code /metrics} text (Prometheus exposition format). */
        public Builder metrics(Supplier<String> scrape) {
            routes.put("/metrics", new Entry("GET", false, (q, b) -> new Answer(200, PROMETHEUS_TYPE, scrape.get())));
            return this;
        }

        /** An open GET route. */
        public Builder get(String path, Route route) {
            routes.put(path, new Entry("GET", false, route));
            return this;
        }

        /** A route that needs the admin key in secure mode: {@code method} GET or POST. */
        public Builder guarded(String method, String path, Route route) {
            if (!method.equals("GET") && !method.equals("POST")) {
                throw new IllegalArgumentException("method must be GET or POST, was " + method);
            }
            routes.put(path, new Entry(method, true, route));
            return this;
        }

        /**
         * Binds {@code address} and serves.
         *
         * @throws UncheckedIOException naming the address if it cannot be bound
         */
        public AdminServer start(InetSocketAddress address) {
            Map<String, Entry> table = Map.copyOf(routes);
            Supplier<List<HealthCheck>> checks = health;
            HttpServer http;
            try {
                http = HttpServer.create(address, BACKLOG_MAX);
            } catch (IOException e) {
                throw new UncheckedIOException(
                        process + ": cannot bind the admin endpoint " + address + ": " + e.getMessage(), e);
            }
            ThreadPoolExecutor executor = new ThreadPoolExecutor(
                    THREADS_MAX,
                    THREADS_MAX,
                    30,
                    TimeUnit.SECONDS,
                    new ArrayBlockingQueue<>(QUEUE_MAX),
                    r -> {
                        Thread t = new Thread(r, process + "-admin-http");
                        t.setDaemon(true);
                        return t;
                    },
                    new ThreadPoolExecutor.CallerRunsPolicy());
            executor.allowCoreThreadTimeOut(true);
            http.setExecutor(executor);
            http.createContext("/", exchange -> serve(exchange, table, checks));
            http.start();
            return new AdminServer(http, executor);
        }

        private void serve(HttpExchange exchange, Map<String, Entry> table, Supplier<List<HealthCheck>> checks) {
            try (exchange) {
                String path = exchange.getRequestURI().getPath();
                String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
                Answer answer;
                try {
                    answer = answer(exchange, path, method, table, checks);
                } catch (IllegalArgumentException e) { // a malformed query or a route's own refusal of its input
                    answer = error(400, "bad_request", path + ": " + e.getMessage());
                } catch (Exception e) {
                    LOG.warn("{}: admin {} {} failed", process, method, path, e);
                    answer = error(
                            500,
                            "internal",
                            process + ": " + path + " failed: " + e.getClass().getSimpleName());
                }
                byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", answer.contentType());
                exchange.getResponseHeaders().set("Cache-Control", "no-store");
                exchange.sendResponseHeaders(answer.status(), method.equals("HEAD") ? -1 : body.length);
                if (!method.equals("HEAD")) {
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(body);
                    }
                }
            } catch (IOException e) {
                LOG.debug("{}: admin client went away: {}", process, e.toString());
            }
        }

        private Answer answer(
                HttpExchange exchange,
                String path,
                String method,
                Map<String, Entry> table,
                Supplier<List<HealthCheck>> checks)
                throws Exception {
            if (path.equals("/health")) {
                return method.equals("GET") || method.equals("HEAD")
                        ? healthAnswer(checks)
                        : error(405, "method_not_allowed", "/health takes GET");
            }
            Entry entry = table.get(path);
            if (entry == null) {
                return error(404, "not_found", "no admin route " + path + "; try /health, /status, /metrics");
            }
            boolean get = method.equals("GET") || method.equals("HEAD");
            if (!(entry.method().equals("GET") ? get : method.equals(entry.method()))) {
                return error(405, "method_not_allowed", path + " takes " + entry.method());
            }
            if (entry.guarded()) {
                String refusal =
                        gate.refusal(bearer(exchange.getRequestHeaders().getFirst("Authorization")));
                if (refusal != null) {
                    exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"synod-admin\"");
                    return error(401, "unauthorized", path + ": " + refusal + "; nothing was changed");
                }
            }
            String body = method.equals("POST") ? readBody(exchange.getRequestBody()) : "";
            if (body == null) {
                return error(413, "too_large", "the request body is larger than " + BODY_BYTES_MAX + " bytes");
            }
            return entry.route().handle(query(exchange.getRequestURI().getRawQuery()), body);
        }

        private Answer healthAnswer(Supplier<List<HealthCheck>> checks) {
            List<HealthCheck> results;
            try {
                results = checks.get();
            } catch (RuntimeException e) {
                results = List.of(HealthCheck.fail("health_evaluated", "evaluating the checks failed: " + e));
            }
            boolean up = results.stream().allMatch(HealthCheck::ok);
            Map<String, Object> named = new LinkedHashMap<>();
            for (HealthCheck check : results) {
                named.put(check.name(), Map.of("ok", check.ok(), "detail", check.detail()));
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", up ? "UP" : "DOWN");
            body.put("process", process);
            body.put("checks", named);
            return Answer.json(up ? 200 : 503, body);
        }

        private Answer error(int status, String error, String description) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", "erro");
            body.put("error", error);
            body.put("description", description);
            body.put("process", process);
            return Answer.json(status, body);
        }
    }

    /** The token of {@code Authorization: Bearer TOKEN}, or null. */
    static String bearer(String header) {
        if (header == null) {
            return null;
        }
        String h = header.strip();
        if (h.length() > 7 && h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return h.substring(7).strip();
        }
        return null;
    }

    /** The body as UTF-8, or null when it is longer than {@link #BODY_BYTES_MAX}. */
    private static String readBody(InputStream in) throws IOException {
        byte[] bytes = in.readNBytes(BODY_BYTES_MAX + 1);
        return bytes.length > BODY_BYTES_MAX ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    static Map<String, String> query(String raw) {
        Map<String, String> query = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return query;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            query.putIfAbsent(
                    URLDecoder.decode(key, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
        }
        return query;
    }
}
