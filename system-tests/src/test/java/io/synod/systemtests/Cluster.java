package io.synod.systemtests;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.synod.messaging.ZmqTestSockets;
import io.synod.protocol.Envelope;
import io.synod.protocol.Limits;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * The statement's topology on free loopback ports, as real processes: reference, broker, proxy
 * and one server. Stopped by {@link #close()}.
 */
final class Cluster implements AutoCloseable {
    private static final Pattern ADMIN = Pattern.compile("admin=(http://\\S+)");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** Bound of the fault tests' waits (leader, convergence, one retried write). */
    static final long WAIT_MILLIS_MAX = 30_000;

    final Processes processes;
    final int brokerFrontend = Processes.freePort();
    final int brokerBackend = Processes.freePort();
    final int proxyXsub = Processes.freePort();
    final int proxyXpub = Processes.freePort();
    final int reference = Processes.freePort();
    final List<Processes.Started> servers = new ArrayList<>();
    /** What the reference, the broker and the proxy are started with besides their endpoints (e.g. secure mode). */
    private final List<String> options;
    /** The running reference process (replaced by {@link #restartReference()}). */
    Processes.Started referenceProcess;
    /** The running broker process. */
    final Processes.Started brokerProcess;

    Cluster(String testName) throws IOException, InterruptedException {
        this(new Processes(testName), List.of());
    }

    /**
     * The topology in {@code processes}' directory, its reference, broker and proxy started with {@code options}
     * too (e.g. {@code --secure --server-key FILE}); closing the cluster closes {@code processes}.
     */
    Cluster(Processes processes, List<String> options) throws IOException, InterruptedException {
        this.processes = processes;
        this.options = List.copyOf(options);
        try {
            referenceProcess = startReference();
            brokerProcess = processes.start(
                    "broker",
                    with(
                            List.of(
                                    "broker",
                                    "--frontend",
                                    Processes.endpoint(brokerFrontend),
                                    "--backend",
                                    Processes.endpoint(brokerBackend),
                                    "--log",
                                    log("broker")),
                            this.options));
            processes.start(
                    "proxy",
                    with(
                            List.of(
                                    "proxy",
                                    "--xsub",
                                    Processes.endpoint(proxyXsub),
                                    "--xpub",
                                    Processes.endpoint(proxyXpub),
                                    "--log",
                                    log("proxy")),
                            this.options));
        } catch (IOException | InterruptedException | RuntimeException e) {
            processes.close();
            throw e;
        }
    }

    private Processes.Started startReference() throws IOException, InterruptedException {
        return processes.start(
                "reference",
                with(
                        List.of(
                                "reference",
                                "--bind",
                                Processes.endpoint(reference),
                                "--data-dir",
                                dir("reference").toString(),
                                "--log",
                                log("reference")),
                        options));
    }

    /** Starts the reference again on its port and data directory (after {@link Processes#stop}). */
    Processes.Started restartReference() throws IOException, InterruptedException {
        referenceProcess = startReference();
        return referenceProcess;
    }

    Path dir(String name) {
        return processes.directory().resolve("data").resolve(name);
    }

    String log(String name) {
        return processes.directory().resolve("logs").resolve(name + ".jsonl").toString();
    }

    /** Starts (or restarts, on the same data directory) the server {@code name}. */
    Processes.Started startServer(String name) throws IOException, InterruptedException {
        return startServer(name, List.of());
    }

    /** Starts the server {@code name} with extra options (e.g. {@code --clock-skew-ms}). */
    Processes.Started startServer(String name, List<String> extraArguments) throws IOException, InterruptedException {
        Processes.Started server = processes.start(
                name, with(serverArguments(name, Processes.endpoint(Processes.freePort())), extraArguments));
        servers.add(server);
        return server;
    }

    /** Starts the servers {@code names}, in order, each with {@code extraArguments}; returns them by name. */
    Map<String, Processes.Started> startServers(List<String> names, List<String> extraArguments)
            throws IOException, InterruptedException {
        Map<String, Processes.Started> started = new LinkedHashMap<>();
        for (String name : names) {
            started.put(name, startServer(name, extraArguments));
        }
        return started;
    }

    /**
     * {@code server} with this cluster's broker, proxy and reference, its data directory and log, and {@code
     * advertise} as its peer address; without the cluster's {@link #options}, which a test adds or leaves out.
     */
    List<String> serverArguments(String name, String advertise) {
        return List.of(
                "server",
                "--name",
                name,
                "--broker",
                Processes.endpoint(brokerBackend),
                "--proxy",
                Processes.endpoint(proxyXsub),
                "--reference",
                Processes.endpoint(reference),
                "--data-dir",
                dir(name).toString(),
                "--admin-port",
                "0",
                "--advertise",
                advertise,
                "--log",
                log(name));
    }

    /** {@code arguments}, then each of {@code more}. */
    @SafeVarargs
    static List<String> with(List<String> arguments, List<String>... more) {
        List<String> all = new ArrayList<>(arguments);
        for (List<String> part : more) {
            all.addAll(part);
        }
        return all;
    }

    /** The admin URL from a server's ready line. */
    static String adminUrl(Processes.Started server) {
        Matcher matcher = ADMIN.matcher(server.readyLine());
        if (!matcher.find()) {
            throw new IllegalStateException("no admin=URL in ready line: " + server.readyLine());
        }
        return matcher.group(1);
    }

    WireClient client() {
        return new WireClient(Processes.endpoint(brokerFrontend), Processes.endpoint(proxyXpub));
    }

    @Override
    public void close() throws InterruptedException {
        processes.close();
    }

    /** {@code name=endpoint,...} for {@code --initial-members}. */
    static String initialMembers(Map<String, String> endpointByName) {
        StringBuilder members = new StringBuilder();
        endpointByName.forEach((name, endpoint) -> members.append(members.isEmpty() ? "" : ",")
                .append(name)
                .append('=')
                .append(endpoint));
        return members.toString();
    }

    /** {@code --initial-members} for a group of the servers {@code names}, each with a fresh Paxos endpoint. */
    static List<String> initialMembersOption(List<String> names) {
        Map<String, String> endpoints = new LinkedHashMap<>();
        for (String name : names) {
            endpoints.put(name, Processes.endpoint(Processes.freePort()));
        }
        return List.of("--initial-members", initialMembers(endpoints));
    }

    /** A server's /status as a map; empty if it does not answer (e.g. killed). */
    @SuppressWarnings("unchecked")
    static Map<String, Object> status(Processes.Started server) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(adminUrl(server) + "/status"))
                    .timeout(Duration.ofSeconds(2))
                    .build();
            String body = HTTP.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
                    .body();
            return JSON.readValue(body, Map.class);
        } catch (IOException e) {
            return Map.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Map.of();
        }
    }

    /** A server's applied index, or -1 if its /status does not answer. */
    static long appliedIndex(Processes.Started server) {
        return status(server).get("applied_index") instanceof Number n ? n.longValue() : -1;
    }

    /** The first of {@code servers} reporting role leader, within the bound. */
    static Processes.Started awaitLeader(List<Processes.Started> servers) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMillis(WAIT_MILLIS_MAX).toNanos();
        while (System.nanoTime() < deadline) {
            for (Processes.Started server : servers) {
                if ("leader".equals(status(server).get("role"))) {
                    return server;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no leader within " + WAIT_MILLIS_MAX + " ms");
    }

    /** Waits (bounded) until every server reports the same applied index and digest; returns "index/digest". */
    static String awaitConverged(List<Processes.Started> servers) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMillis(WAIT_MILLIS_MAX).toNanos();
        List<Object> last = List.of();
        while (System.nanoTime() < deadline) {
            TreeSet<String> seen = new TreeSet<>();
            List<Object> readings = new ArrayList<>();
            for (Processes.Started server : servers) {
                Map<String, Object> s = status(server);
                seen.add(s.get("applied_index") + "/" + s.get("state_digest"));
                readings.add(server.name() + "=" + s.get("applied_index") + "/" + s.get("state_digest"));
            }
            last = readings;
            if (seen.size() == 1 && !seen.first().startsWith("null")) {
                return seen.first();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("servers did not converge within " + WAIT_MILLIS_MAX + " ms: " + last);
    }

    /** A Lazy Pirate client: one REQ per attempt, retried with the same client and request ids (exactly-once). */
    static final class RetryingClient implements AutoCloseable {
        private final ZContext context = new ZContext();
        private final String broker;
        private final String clientId;
        private long requestId;
        private long clock;
        /** Attempts sent again: after a timeout, or after an error reply to a write (same ids). */
        private long retries;

        /** How long one attempt waits for its reply before the request is sent again. */
        private final int attemptTimeoutMillis;

        RetryingClient(String broker, String clientId) {
            this(broker, clientId, 1_500);
        }

        /**
         * A client whose attempts wait {@code attemptTimeoutMillis} each (the whole call is still bounded by
         * {@link #WAIT_MILLIS_MAX}): a longer wait sends fewer copies of a write to an overloaded cluster.
         */
        RetryingClient(String broker, String clientId, int attemptTimeoutMillis) {
            this.broker = broker;
            this.clientId = clientId;
            this.attemptTimeoutMillis = attemptTimeoutMillis;
        }

        /** Sends until a reply arrives (any status) within the bound; fails the test otherwise. */
        Envelope call(String service, Map<String, Object> fields) {
            Map<String, Object> data = new LinkedHashMap<>(fields);
            data.put("client_id", clientId);
            data.put("request_id", ++requestId);
            long deadline =
                    System.nanoTime() + Duration.ofMillis(WAIT_MILLIS_MAX).toNanos();
            boolean first = true;
            while (System.nanoTime() < deadline) {
                if (!first) {
                    retries++;
                }
                first = false;
                data.put("timestamp", System.currentTimeMillis() / 1000.0);
                data.put("clock", ++clock);
                try (ZMQ.Socket socket = context.createSocket(SocketType.REQ)) {
                    socket.setLinger(0);
                    socket.connect(broker);
                    socket.send(new Envelope(service, data).encode());
                    // nudged while it waits: JeroMQ's connect race (ZmqOptions), as SynodClient does
                    byte[] reply = ZmqTestSockets.receiveNudging(context, socket, attemptTimeoutMillis);
                    if (reply != null) {
                        Envelope envelope = Envelope.decode(reply, Limits.DEFAULT);
                        if (envelope.data().get("clock") instanceof Long c) {
                            clock = Math.max(clock, c) + 1;
                        }
                        return envelope;
                    }
                }
            }
            throw new AssertionError(service + " " + fields + " got no reply within " + WAIT_MILLIS_MAX + " ms");
        }

        /** Sends until an OK reply (errors are retried too, with the same ids); fails after 20 replies without. */
        void write(String service, Map<String, Object> fields) {
            long id = requestId + 1;
            for (int attempt = 0; attempt < 20; attempt++) {
                if (attempt > 0) {
                    retries++;
                }
                requestId = id - 1;
                Envelope reply = call(service, fields);
                if ("sucesso".equals(reply.data().get("status"))
                        || "OK".equals(reply.data().get("status"))) {
                    return;
                }
                if (String.valueOf(reply.data().get("description")).contains("already exists")) {
                    return; // a retried channel creation whose first copy was applied
                }
            }
            throw new AssertionError(service + " " + fields + " never succeeded");
        }

        /** How many attempts were sent again so far (timeouts, and writes answered with an error). */
        long retries() {
            return retries;
        }

        @Override
        public void close() {
            context.close();
        }
    }
}
