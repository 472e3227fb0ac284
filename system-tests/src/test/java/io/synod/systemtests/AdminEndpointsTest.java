package io.synod.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The admin endpoints and the admin key on real processes (issues 23 item 5 and 24 item 4): in secure mode {@code
 * synod admin remove-server} without the key, or with a wrong one, fails and the server stays; with it the server is
 * removed. Every process (broker, proxy, reference, web, server) answers {@code /health} for what it claims, and a
 * server's {@code /health} turns 503 naming {@code quorum_reachable} while two of three servers are down, then 200
 * again once they are back.
 */
class AdminEndpointsTest {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final String SECRET = "system-test-admin-key-0123456789";

    private record Run(int status, String output) {}

    private static Run admin(String... args) throws Exception {
        List<String> command = new ArrayList<>(Processes.javaCommand());
        command.add("admin");
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("admin finished").isTrue();
        return new Run(
                process.exitValue(), new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private static HttpResponse<String> get(String url, String bearer) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    @SuppressWarnings("unchecked")
    private static String roleOf(Map<String, Object> status, String name) {
        if (status.get("members") instanceof List<?> members) {
            for (Object m : members) {
                Map<String, Object> member = (Map<String, Object>) m;
                if (name.equals(member.get("name"))) {
                    return (String) member.get("role");
                }
            }
        }
        return null;
    }

    private static void await(String what, java.util.concurrent.Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Cluster.WAIT_MILLIS_MAX);
        while (System.nanoTime() < deadline) {
            if (condition.call()) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(what + " within " + Cluster.WAIT_MILLIS_MAX + " ms");
    }

    @Test
    @Timeout(180)
    void inSecureModeRemoveServerNeedsTheAdminKey() throws Exception {
        try (Cluster cluster = new Cluster("admin-key")) {
            Path key = Files.writeString(cluster.processes.directory().resolve("admin.key"), SECRET + "\n");
            Path wrong = Files.writeString(cluster.processes.directory().resolve("wrong.key"), "not-the-admin-key-00");
            Map<String, String> endpoints = new LinkedHashMap<>();
            for (String name : List.of("server-1", "server-2", "server-3")) {
                endpoints.put(name, Processes.endpoint(Processes.freePort()));
            }
            List<Processes.Started> servers = new ArrayList<>();
            for (String name : endpoints.keySet()) {
                servers.add(cluster.startServer(
                        name,
                        List.of(
                                "--initial-members",
                                Cluster.initialMembers(endpoints),
                                "--secure",
                                "--admin-key",
                                key.toString())));
            }
            Cluster.awaitLeader(servers);
            Processes.Started first = servers.get(0);
            assertThat(first.outputText()).contains("admin operations need the admin key");
            Predicate<Map<String, Object>> threeVoters = s ->
                    "voter".equals(roleOf(s, "server-3")) && Boolean.FALSE.equals(s.get("membership_change_pending"));
            await("three voters", () -> threeVoters.test(Cluster.status(first)));

            Run without = admin("remove-server", "server-3", "--server", endpoints.get("server-1"));
            assertThat(without.status()).as(without.output()).isEqualTo(1);
            assertThat(without.output()).contains("unauthorized").contains("needs --admin-key FILE");
            Run wrongKey = admin(
                    "remove-server",
                    "server-3",
                    "--server",
                    endpoints.get("server-2"),
                    "--admin-key",
                    wrong.toString());
            assertThat(wrongKey.status()).as(wrongKey.output()).isEqualTo(1);
            assertThat(wrongKey.output()).contains("wrong admin key").doesNotContain(SECRET);
            for (Processes.Started server : servers) { // refused before anything was proposed
                assertThat(threeVoters.test(Cluster.status(server)))
                        .as(server.name() + " still has server-3")
                        .isTrue();
            }

            // the interaction log shows what users wrote: guarded the same way
            String logs = Cluster.adminUrl(first) + "/logs";
            HttpResponse<String> refused = get(logs, null);
            assertThat(refused.statusCode()).isEqualTo(401);
            assertThat(refused.body()).contains("\"error\":\"unauthorized\"");
            assertThat(get(logs, "not-the-admin-key-00").statusCode()).isEqualTo(401);
            assertThat(get(logs, SECRET).statusCode()).isEqualTo(200);
            HttpResponse<String> health = get(Cluster.adminUrl(first) + "/health", null);
            assertThat(health.statusCode()).as(health.body()).isEqualTo(200); // read-only: open

            Run with = admin(
                    "remove-server", "server-3", "--server", endpoints.get("server-2"), "--admin-key", key.toString());
            assertThat(with.status()).as(with.output()).isZero();
            await("server-3 removed", () -> roleOf(Cluster.status(first), "server-3") == null);
        }
    }

    /** The {@code ok} of the check {@code name} in a {@code /health} body; null if the body does not name it. */
    @SuppressWarnings("unchecked")
    private static Boolean checkOk(String healthBody, String name) throws Exception {
        Map<String, Object> body = new com.fasterxml.jackson.databind.ObjectMapper().readValue(healthBody, Map.class);
        if (body.get("checks") instanceof Map<?, ?> checks && checks.get(name) instanceof Map<?, ?> check) {
            return (Boolean) check.get("ok");
        }
        return null;
    }

    @Test
    @Timeout(240)
    void aServerWithoutItsQuorumIsUnhealthyUntilThePeersAreBack() throws Exception {
        try (Cluster cluster = new Cluster("health-quorum")) {
            Map<String, String> endpoints = new LinkedHashMap<>();
            for (String name : List.of("server-1", "server-2", "server-3")) {
                endpoints.put(name, Processes.endpoint(Processes.freePort()));
            }
            List<String> members = List.of("--initial-members", Cluster.initialMembers(endpoints));
            List<Processes.Started> servers = new ArrayList<>();
            for (String name : endpoints.keySet()) {
                servers.add(cluster.startServer(name, members));
            }
            Cluster.awaitLeader(servers);
            Processes.Started survivor = servers.get(0);
            String health = Cluster.adminUrl(survivor) + "/health";
            await("server-1 healthy with its two peers", () -> get(health, null).statusCode() == 200);
            assertThat(checkOk(get(health, null).body(), "quorum_reachable")).isTrue();

            Processes.kill(servers.get(1));
            Processes.kill(servers.get(2));
            await(
                    "server-1 unhealthy without its quorum",
                    () -> get(health, null).statusCode() == 503);
            HttpResponse<String> alone = get(health, null);
            assertThat(alone.statusCode()).as(alone.body()).isEqualTo(503);
            assertThat(checkOk(alone.body(), "quorum_reachable"))
                    .as(alone.body())
                    .isFalse();
            assertThat(checkOk(alone.body(), "store_writable")).as(alone.body()).isTrue();

            List<Processes.Started> back = new ArrayList<>(List.of(survivor));
            for (String name : List.of("server-2", "server-3")) { // the same data directories and members
                back.add(cluster.startServer(name, members));
            }
            await("server-1 healthy again", () -> get(health, null).statusCode() == 200);
            HttpResponse<String> again = get(health, null);
            assertThat(checkOk(again.body(), "quorum_reachable"))
                    .as(again.body())
                    .isTrue();
            Cluster.awaitLeader(back);
        }
    }

    @Test
    @Timeout(180)
    void everyProcessAnswersHealthForWhatItClaims() throws Exception {
        try (Processes processes = new Processes("admin-endpoints")) {
            int brokerFrontend = Processes.freePort();
            int brokerBackend = Processes.freePort();
            int xsub = Processes.freePort();
            int xpub = Processes.freePort();
            int reference = Processes.freePort();
            Map<String, Integer> adminPorts = new LinkedHashMap<>();
            for (String name : List.of("reference", "broker", "proxy", "web", "server-1")) {
                adminPorts.put(name, Processes.freePort());
            }
            Path data = processes.directory().resolve("data");
            processes.start(
                    "reference",
                    List.of(
                            "reference",
                            "--bind",
                            Processes.endpoint(reference),
                            "--data-dir",
                            data.resolve("reference").toString(),
                            "--admin-bind",
                            "127.0.0.1:" + adminPorts.get("reference")));
            processes.start(
                    "broker",
                    List.of(
                            "broker",
                            "--frontend",
                            Processes.endpoint(brokerFrontend),
                            "--backend",
                            Processes.endpoint(brokerBackend),
                            "--admin-bind",
                            "127.0.0.1:" + adminPorts.get("broker")));
            processes.start(
                    "proxy",
                    List.of(
                            "proxy",
                            "--xsub",
                            Processes.endpoint(xsub),
                            "--xpub",
                            Processes.endpoint(xpub),
                            "--admin-host",
                            "127.0.0.1",
                            "--admin-port",
                            Integer.toString(adminPorts.get("proxy"))));
            processes.start(
                    "web",
                    List.of(
                            "web",
                            "--broker",
                            Processes.endpoint(brokerFrontend),
                            "--proxy",
                            Processes.endpoint(xpub),
                            "--port",
                            "0",
                            "--admin-port",
                            Integer.toString(adminPorts.get("web"))));
            String web = "http://127.0.0.1:" + adminPorts.get("web");
            for (String name : List.of("reference", "broker", "proxy")) {
                HttpResponse<String> health = get("http://127.0.0.1:" + adminPorts.get(name) + "/health", null);
                assertThat(health.statusCode()).as(name + ": " + health.body()).isEqualTo(200);
                assertThat(get("http://127.0.0.1:" + adminPorts.get(name) + "/metrics", null)
                                .body())
                        .contains("process=\"" + name + "\"")
                        .contains("jvm_memory_used_bytes");
            }
            // no server yet: the web process cannot reach the cluster, and says so
            HttpResponse<String> webDown = get(web + "/health", null);
            assertThat(webDown.statusCode()).as(webDown.body()).isEqualTo(503);
            assertThat(webDown.body()).contains("\"cluster_reachable\"");

            processes.start(
                    "server-1",
                    List.of(
                            "server",
                            "--name",
                            "server-1",
                            "--broker",
                            Processes.endpoint(brokerBackend),
                            "--proxy",
                            Processes.endpoint(xsub),
                            "--reference",
                            Processes.endpoint(reference),
                            "--data-dir",
                            data.resolve("server-1").toString(),
                            "--admin-bind",
                            "127.0.0.1:" + adminPorts.get("server-1")));
            String server = "http://127.0.0.1:" + adminPorts.get("server-1");
            await("the server healthy", () -> get(server + "/health", null).statusCode() == 200);
            assertThat(get(server + "/health", null).body())
                    .contains("store_writable")
                    .contains("quorum_reachable")
                    .contains("leader_known");
            await(
                    "the web process reaching the cluster",
                    () -> get(web + "/health", null).statusCode() == 200);
            await(
                    "the broker forwarding",
                    () -> get("http://127.0.0.1:" + adminPorts.get("broker") + "/metrics", null)
                            .body()
                            .contains("synod_forwarder_connections{process=\"broker\",side=\"backend\"} 1.0"));
        }
    }
}
