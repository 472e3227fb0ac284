package io.synod.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A script's view of the web API: one cookie jar (one session), JSON in and out, the event socket. A POST carries
 * the session's CSRF token (from the last login's reply) as the app does, unless sent with {@link #postRaw} and
 * other headers.
 */
final class ApiClient implements AutoCloseable {
    static final long WAIT_MILLIS = 20_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    record Reply(int status, JsonNode body, java.net.http.HttpHeaders headers) {}

    private final String base;
    private final CookieManager cookies = new CookieManager();
    private final HttpClient http;
    private WebSocket socket;
    private String csrf;
    final BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();

    ApiClient(String base) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        this.http = HttpClient.newBuilder()
                .cookieHandler(cookies)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    Reply get(String path, Map<String, Object> query) throws IOException, InterruptedException {
        StringBuilder url = new StringBuilder(base + path);
        char separator = '?';
        for (Map.Entry<String, Object> e : query.entrySet()) {
            url.append(separator)
                    .append(e.getKey())
                    .append('=')
                    .append(URLEncoder.encode(String.valueOf(e.getValue()), StandardCharsets.UTF_8));
            separator = '&';
        }
        return send(HttpRequest.newBuilder(URI.create(url.toString())).GET());
    }

    Reply post(String path, Object body) throws IOException, InterruptedException {
        Reply reply = postRaw(path, "application/json", JSON.writeValueAsBytes(body), csrfHeader(path));
        if (path.equals("/api/login") && reply.status() == 200) {
            csrf = reply.body().path("csrf").asText();
        }
        return reply;
    }

    Reply postRaw(String path, String contentType, byte[] body) throws IOException, InterruptedException {
        return postRaw(path, contentType, body, csrfHeader(path));
    }

    /** A POST with exactly these extra headers (name, value, ...): none for a forged cross-site request. */
    Reply postRaw(String path, String contentType, byte[] body, Map<String, String> headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        return send(request);
    }

    private Map<String, String> csrfHeader(String path) {
        String value = path.equals("/api/login") || csrf == null ? "login" : csrf;
        return Map.of(WebServer.CSRF_HEADER, value);
    }

    String csrf() {
        return csrf;
    }

    private Reply send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = http.send(
                request.timeout(Duration.ofMillis(WAIT_MILLIS)).build(), HttpResponse.BodyHandlers.ofByteArray());
        byte[] body = response.body();
        JsonNode json;
        try {
            json = body.length == 0 ? JSON.nullNode() : JSON.readTree(body);
        } catch (IOException e) {
            json = JSON.getNodeFactory().textNode(new String(body, StandardCharsets.UTF_8));
        }
        return new Reply(response.statusCode(), json, response.headers());
    }

    /** Opens the event socket with this session's cookie; returns once the server said hello. */
    JsonNode openEvents() throws InterruptedException {
        return openEvents(null);
    }

    /** As {@link #openEvents()}, with an {@code Origin} header (null: none, as a script sends). */
    JsonNode openEvents(String origin) throws InterruptedException {
        String cookie = cookies.getCookieStore().getCookies().stream()
                .map(c -> c.getName() + "=" + c.getValue())
                .reduce((a, b) -> a + "; " + b)
                .orElse("");
        URI uri = URI.create(base.replaceFirst("^http", "ws") + "/api/events");
        WebSocket.Builder builder = http.newWebSocketBuilder().header("Cookie", cookie);
        if (origin != null) {
            builder.header("Origin", origin);
        }
        socket = builder.buildAsync(uri, new WebSocket.Listener() {
                    private final StringBuilder text = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                        text.append(data);
                        if (last) {
                            try {
                                events.add(JSON.readTree(text.toString()));
                            } catch (IOException e) {
                                events.add(JSON.getNodeFactory().textNode(text.toString()));
                            }
                            text.setLength(0);
                        }
                        ws.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
                        events.add(JSON.createObjectNode()
                                .put("type", "closed")
                                .put("status", status)
                                .put("reason", reason));
                        return null;
                    }
                })
                .join();
        return nextEvent(e -> true);
    }

    /** The next event matching, within {@link #WAIT_MILLIS}. */
    JsonNode nextEvent(java.util.function.Predicate<JsonNode> wanted) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        while (true) {
            long left = deadline - System.nanoTime();
            JsonNode event = left > 0 ? events.poll(left, TimeUnit.NANOSECONDS) : null;
            if (event == null) {
                throw new AssertionError("no matching event within " + WAIT_MILLIS + " ms");
            }
            if (wanted.test(event)) {
                return event;
            }
        }
    }

    static List<String> texts(JsonNode array, String field) {
        return java.util.stream.StreamSupport.stream(array.spliterator(), false)
                .map(n -> n.path(field).asText())
                .toList();
    }

    @Override
    public void close() {
        if (socket != null) {
            socket.abort();
        }
        http.close();
    }
}
