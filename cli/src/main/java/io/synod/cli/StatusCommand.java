package io.synod.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code synod status}: asks every server's admin endpoint for {@code /status} and prints one row
 * per server. Servers come from {@code --admin URL} options or from the {@code cluster.json} that
 * {@code synod up} wrote in its run directory; from that file it also lists every broker and proxy with its
 * endpoints and whether its first port takes a TCP connection now (up or down).
 *
 * <p>Exit status 0 when every server answered and every broker and proxy is up, 1 otherwise, with a line on
 * standard error naming what is down (standard output keeps the table or the JSON), 2 when there is nothing to ask.
 */
@Command(name = "status", mixinStandardHelpOptions = true, description = "Print every server's state.")
final class StatusCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(
            names = "--run-dir",
            defaultValue = "run",
            description = "Run directory of `synod up` (default: ${DEFAULT-VALUE}).")
    Path runDir;

    @Option(names = "--admin", description = "A server's admin URL, e.g. http://127.0.0.1:8081 (repeatable).")
    List<String> adminUrls = new ArrayList<>();

    @Option(names = "--json", description = "Print the raw /status documents as a JSON array.")
    boolean json;

    @Option(names = "--timeout-ms", defaultValue = "2000", description = "Per-server timeout.")
    int timeoutMillis;

    @Override
    public Integer call() throws IOException, InterruptedException {
        List<String> urls = adminUrls.isEmpty() ? fromClusterFile() : adminUrls;
        if (urls.isEmpty()) {
            System.err.println("synod status: no servers: pass --admin URL or start a cluster with `synod up`"
                    + " (looked for " + runDir.resolve("cluster.json") + ")");
            return 2;
        }
        HttpClient http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofMillis(timeoutMillis))
                .build();
        List<JsonNode> documents = new ArrayList<>();
        int unreachable = 0;
        if (!json) {
            System.out.printf(
                    "%-12s %-6s %-10s %-12s %-12s %9s %9s %10s  %s%n",
                    "NAME", "RANK", "ROLE", "LEADER", "COORDINATOR", "DECIDED", "APPLIED", "OFFSET_MS", "DIGEST");
        }
        for (String url : urls) {
            JsonNode status = fetch(http, url);
            if (status == null) {
                unreachable++;
                if (!json) {
                    System.out.printf("%-12s unreachable (%s)%n", "?", url);
                }
                continue;
            }
            documents.add(status);
            if (!json) {
                System.out.printf(
                        "%-12s %-6s %-10s %-12s %-12s %9s %9s %10s  %s%n",
                        text(status, "name"),
                        text(status, "rank"),
                        text(status, "role"),
                        text(status, "leader"),
                        text(status, "coordinator"),
                        text(status, "decided_index"),
                        text(status, "applied_index"),
                        text(status, "clock_offset_ms"),
                        text(status, "state_digest"));
            }
        }
        List<String> forwardersDown = new ArrayList<>();
        if (json) {
            System.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(documents));
            forwarders(forwardersDown);
        } else {
            forwarders(forwardersDown).forEach(System.out::println);
        }
        if (unreachable > 0) {
            System.err.println("synod status: " + unreachable + " of " + urls.size() + " servers unreachable");
        }
        if (!forwardersDown.isEmpty()) {
            System.err.println("synod status: down: " + String.join(", ", forwardersDown));
        }
        return unreachable == 0 && forwardersDown.isEmpty() ? 0 : 1;
    }

    /**
     * The table of the brokers and proxies of {@code cluster.json} (empty without it, or from an older {@code synod
     * up}), adding the name of each one down to {@code down}.
     */
    private List<String> forwarders(List<String> down) throws IOException {
        Path file = runDir.resolve("cluster.json");
        if (!Files.exists(file)) {
            return List.of();
        }
        JsonNode cluster = JSON.readTree(file.toFile());
        List<String> rows = new ArrayList<>();
        for (String kind : List.of("brokers", "proxies")) {
            for (JsonNode forwarder : cluster.path(kind)) {
                List<String> endpoints = new ArrayList<>();
                for (var field : forwarder.properties()) {
                    if (!field.getKey().equals("name")) {
                        endpoints.add(field.getKey() + "=" + field.getValue().asText());
                    }
                }
                String first = endpoints.isEmpty()
                        ? ""
                        : endpoints.get(0).substring(endpoints.get(0).indexOf('=') + 1);
                boolean up = accepts(first);
                if (!up) {
                    down.add(text(forwarder, "name"));
                }
                rows.add(String.format(
                        "%-12s %-5s %s", text(forwarder, "name"), up ? "up" : "down", String.join(" ", endpoints)));
            }
        }
        if (!rows.isEmpty()) {
            rows.add(0, String.format("%n%-12s %-5s %s", "FORWARDER", "STATE", "ENDPOINTS"));
        }
        return rows;
    }

    /** Whether {@code tcp://host:port} takes a TCP connection within the timeout. */
    private boolean accepts(String endpoint) {
        int colon = endpoint.lastIndexOf(':');
        if (!endpoint.startsWith("tcp://") || colon < 0) {
            return false;
        }
        try (Socket socket = new Socket()) {
            socket.connect(
                    new InetSocketAddress(
                            endpoint.substring("tcp://".length(), colon),
                            Integer.parseInt(endpoint.substring(colon + 1))),
                    timeoutMillis);
            return true;
        } catch (IOException | IllegalArgumentException e) {
            return false;
        }
    }

    private List<String> fromClusterFile() throws IOException {
        Path file = runDir.resolve("cluster.json");
        if (!Files.exists(file)) {
            return List.of();
        }
        List<String> urls = new ArrayList<>();
        for (JsonNode server : JSON.readTree(file.toFile()).path("servers")) {
            urls.add(server.path("admin").asText());
        }
        return urls;
    }

    private JsonNode fetch(HttpClient http, String baseUrl) throws InterruptedException {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/status"))
                    .timeout(Duration.ofMillis(timeoutMillis))
                    .GET()
                    .build();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isMissingNode() || value.isNull() ? "-" : value.asText();
    }
}
