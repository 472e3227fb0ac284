package io.synod.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
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
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A whole cluster as real processes for fault runs ({@code synod chaos}, the namespace tests): the reference, the
 * brokers, the proxies, the servers, bots and {@link ChaosWriter checked writers}, each one a {@link ChildProcess}
 * started and watched as {@code synod up} does. With {@link Settings#netns} each process is a host of its own in a
 * {@link NetNamespaces} network (its own 198.18.0.x address, fixed ports, admin reached through its namespace) and
 * a host can be cut off; without, every process binds 127.0.0.1 on free ports. Faults are addressed by process
 * name: {@link #kill} (-9), {@link #pause} / {@link #resume} (SIGSTOP / SIGCONT), {@link #restart} (same command,
 * same data directory), {@link #cut} / {@link #heal}. {@link #close()} stops everything and removes the namespaces.
 *
 * <p>Brokers and proxies are lists ({@link #brokers()}, {@link #proxies()}): today one of each, and the servers get
 * {@code --broker} / {@code --proxy} joined with commas, the form several brokers and proxies will take.
 *
 * <p>Not thread-safe: one orchestrating thread.
 */
public final class ChaosCluster implements AutoCloseable {
    /** Bound of one admin {@code /status} read. */
    public static final long STATUS_WAIT_MILLIS = 2_000;

    private static final Pattern ADMIN = Pattern.compile("admin=http://127\\.0\\.0\\.1:(\\d+)");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .connectTimeout(Duration.ofMillis(STATUS_WAIT_MILLIS))
            .build();
    private static final int REFERENCE_PORT = 5559;
    private static final int BROKER_PORT = 5555;
    private static final int PROXY_PORT = 5557;
    private static final int PEER_PORT = 7001;
    private static final int PAXOS_PORT = 7101;
    private static final int ADMIN_PORT = 8081;

    /**
     * What to start.
     *
     * @param servers servers (1, 3 or 5)
     * @param brokers brokers (1 until the servers take several)
     * @param proxies proxies (1 until the servers take several)
     * @param bots bots (unchecked background load)
     * @param botRate messages per second per bot
     * @param writers checked writers
     * @param writeRate writes per second per writer
     * @param netns each process on its own host (needs root)
     * @param runDirectory logs, data and records go here
     * @param java the command that runs synod's main with the arguments appended
     * @param readyWait longest wait for one process's ready line
     */
    public record Settings(
            int servers,
            int brokers,
            int proxies,
            int bots,
            double botRate,
            int writers,
            double writeRate,
            boolean netns,
            Path runDirectory,
            List<String> java,
            Duration readyWait) {
        public Settings {
            java = List.copyOf(java);
            if (!UpCommand.SERVER_COUNTS.contains(servers)) {
                throw new IllegalArgumentException("servers must be 1, 3 or 5, was " + servers);
            }
            if (brokers != 1 || proxies != 1) {
                throw new IllegalArgumentException("one broker and one proxy for now, were " + brokers + "/" + proxies);
            }
            if (bots < 0 || writers < 0 || writers + bots > 20) {
                throw new IllegalArgumentException("bots and writers: 0 to 20 in all, were " + bots + "/" + writers);
            }
        }
    }

    private final Settings settings;
    private final NetNamespaces network;
    private final Map<String, ChildProcess> processes = new LinkedHashMap<>();
    private final Map<String, Integer> adminPorts = new LinkedHashMap<>();
    private final Map<String, String> hostOf = new LinkedHashMap<>();
    private final List<String> servers = new ArrayList<>();
    private final List<String> brokers = new ArrayList<>();
    private final List<String> proxies = new ArrayList<>();
    private final List<String> writers = new ArrayList<>();
    private final Map<String, Integer> loopbackPorts = new LinkedHashMap<>();

    private ChaosCluster(Settings settings, NetNamespaces network) {
        this.settings = settings;
        this.network = network;
    }

    /** The process names in start order, which is also the host order of the network. */
    private static List<String> names(Settings s) {
        List<String> names = new ArrayList<>(List.of("reference"));
        for (int i = 1; i <= s.brokers(); i++) {
            names.add(s.brokers() == 1 ? "broker" : "broker-" + i);
        }
        for (int i = 1; i <= s.proxies(); i++) {
            names.add(s.proxies() == 1 ? "proxy" : "proxy-" + i);
        }
        for (int i = 1; i <= s.servers(); i++) {
            names.add("server-" + i);
        }
        for (int i = 1; i <= s.writers(); i++) {
            names.add("writer-" + i);
        }
        for (int i = 1; i <= s.bots(); i++) {
            names.add("bot-" + i);
        }
        return names;
    }

    /** Starts everything, each process ready before the next; on failure stops what started and throws. */
    public static ChaosCluster start(Settings settings) throws IOException, InterruptedException {
        List<String> names = names(settings);
        NetNamespaces network = settings.netns() ? NetNamespaces.create(names) : null;
        ChaosCluster cluster = new ChaosCluster(settings, network);
        try {
            Files.createDirectories(settings.runDirectory().resolve("logs"));
            Files.createDirectories(settings.runDirectory().resolve("data"));
            for (String name : names) {
                cluster.hostOf.put(name, settings.netns() ? network.host(name).address() : "127.0.0.1");
                if (name.startsWith("broker")) {
                    cluster.brokers.add(name);
                } else if (name.startsWith("proxy")) {
                    cluster.proxies.add(name);
                } else if (name.startsWith("server")) {
                    cluster.servers.add(name);
                } else if (name.startsWith("writer")) {
                    cluster.writers.add(name);
                }
            }
            for (String name : names) {
                cluster.launch(name, cluster.arguments(name));
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    private String endpoint(String process, int netnsPort) {
        int port = settings.netns()
                ? netnsPort
                : loopbackPorts.computeIfAbsent(process + ":" + netnsPort, key -> freePort());
        return "tcp://" + hostOf.get(process) + ":" + port;
    }

    private String log(String name) {
        return settings.runDirectory().resolve("logs").resolve(name + ".jsonl").toString();
    }

    private String data(String name) {
        return settings.runDirectory().resolve("data").resolve(name).toString();
    }

    /** The brokers' client endpoints, comma-joined. */
    public String brokerFrontends() {
        return String.join(
                ",", brokers.stream().map(b -> endpoint(b, BROKER_PORT)).toList());
    }

    /** The proxies' subscriber endpoints, comma-joined. */
    public String proxySubscribers() {
        return String.join(
                ",", proxies.stream().map(p -> endpoint(p, PROXY_PORT + 1)).toList());
    }

    private List<String> arguments(String name) {
        if (name.equals("reference")) {
            return List.of(
                    "reference",
                    "--bind",
                    endpoint(name, REFERENCE_PORT),
                    "--data-dir",
                    data(name),
                    "--log",
                    log(name));
        }
        if (brokers.contains(name)) {
            return List.of(
                    "broker",
                    "--frontend",
                    endpoint(name, BROKER_PORT),
                    "--backend",
                    endpoint(name, BROKER_PORT + 1),
                    "--log",
                    log(name));
        }
        if (proxies.contains(name)) {
            return List.of(
                    "proxy",
                    "--xsub",
                    endpoint(name, PROXY_PORT),
                    "--xpub",
                    endpoint(name, PROXY_PORT + 1),
                    "--log",
                    log(name));
        }
        if (servers.contains(name)) {
            List<String> arguments = new ArrayList<>(List.of(
                    "server",
                    "--name",
                    name,
                    "--broker",
                    String.join(
                            ",",
                            brokers.stream()
                                    .map(b -> endpoint(b, BROKER_PORT + 1))
                                    .toList()),
                    "--proxy",
                    String.join(
                            ",",
                            proxies.stream().map(p -> endpoint(p, PROXY_PORT)).toList()),
                    "--reference",
                    endpoint("reference", REFERENCE_PORT),
                    "--data-dir",
                    data(name),
                    "--admin-port",
                    settings.netns() ? Integer.toString(ADMIN_PORT) : "0",
                    "--advertise",
                    endpoint(name, PEER_PORT),
                    "--log",
                    log(name)));
            if (servers.size() > 1) {
                List<String> members = new ArrayList<>();
                servers.forEach(s -> members.add(s + "=" + endpoint(s, PAXOS_PORT)));
                arguments.addAll(List.of("--initial-members", String.join(",", members)));
            }
            return arguments;
        }
        if (writers.contains(name)) {
            Path records = settings.runDirectory().resolve("records");
            return List.of(
                    "chaos-writer",
                    "--broker",
                    brokerFrontends(),
                    "--proxy",
                    proxySubscribers(),
                    "--name",
                    name,
                    "--rate",
                    Double.toString(settings.writeRate()),
                    "--record",
                    records.resolve(name + ".jsonl").toString(),
                    "--control",
                    records.resolve(name + ".control").toString());
        }
        return List.of( // a bot
                "bot",
                "--broker",
                brokerFrontends(),
                "--proxy",
                proxySubscribers(),
                "--name",
                name,
                "--rate",
                Double.toString(settings.botRate()),
                "--log",
                log(name));
    }

    private void launch(String name, List<String> arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(settings.java());
        command.addAll(arguments);
        if (network != null) {
            command = network.exec(name, command);
        }
        Path output = settings.runDirectory().resolve("logs").resolve(name + ".out");
        ChildProcess child = new ChildProcess(name, command, output);
        processes.put(name, child);
        child.start();
        String ready = child.awaitReady(settings.readyWait());
        Matcher admin = ADMIN.matcher(ready);
        if (admin.find()) {
            adminPorts.put(name, Integer.parseInt(admin.group(1)));
        }
    }

    public List<String> servers() {
        return List.copyOf(servers);
    }

    public List<String> brokers() {
        return List.copyOf(brokers);
    }

    public List<String> proxies() {
        return List.copyOf(proxies);
    }

    public List<String> writers() {
        return List.copyOf(writers);
    }

    /** Whether the processes are on hosts of their own (and {@link #cut} works). */
    public boolean separateHosts() {
        return network != null;
    }

    /** The address a process binds (198.18.0.x, or 127.0.0.1). */
    public String address(String name) {
        return hostOf.get(name);
    }

    private ChildProcess process(String name) {
        ChildProcess child = processes.get(name);
        if (child == null) {
            throw new IllegalArgumentException("no process " + name + " (processes: " + processes.keySet() + ")");
        }
        return child;
    }

    public boolean isAlive(String name) {
        return process(name).isAlive();
    }

    public long pid(String name) {
        return process(name).pid();
    }

    /** kill -9, waiting (bounded) until it is gone. */
    public void kill(String name) throws InterruptedException {
        process(name).kill();
    }

    /** Starts the process again with its command line (same ports, same data directory) and waits until ready. */
    public void restart(String name) throws IOException, InterruptedException {
        ChildProcess child = process(name);
        if (child.isAlive()) {
            throw new IllegalStateException(name + " is still running");
        }
        child.start();
        child.awaitReady(settings.readyWait());
    }

    /** SIGSTOP: the process holds its sockets and answers nothing until {@link #resume}. */
    public boolean pause(String name) throws IOException, InterruptedException {
        return process(name).signal("STOP");
    }

    public boolean resume(String name) throws IOException, InterruptedException {
        return process(name).signal("CONT");
    }

    /** Unplugs the process's host from the network (namespaces only). */
    public void cut(String name) throws IOException {
        requireNetwork().cut(name);
    }

    public void heal(String name) throws IOException {
        requireNetwork().heal(name);
    }

    private NetNamespaces requireNetwork() {
        if (network == null) {
            throw new IllegalStateException("links can be cut only between hosts of their own (netns mode)");
        }
        return network;
    }

    /** A server's {@code /status} document, or empty if it does not answer within {@link #STATUS_WAIT_MILLIS}. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> status(String server) throws InterruptedException {
        Integer port = adminPorts.get(server);
        if (port == null || !process(server).isAlive()) {
            return Map.of();
        }
        String url = "http://127.0.0.1:" + port + "/status";
        try {
            String body;
            if (network == null) {
                HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofMillis(STATUS_WAIT_MILLIS))
                        .build();
                body = HTTP.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
                        .body();
            } else { // the admin binds loopback inside the server's namespace: ask from in there
                body = curl(network.exec(
                        server, List.of("curl", "-s", "-m", Long.toString(STATUS_WAIT_MILLIS / 1_000), url)));
            }
            return body.isBlank() ? Map.of() : JSON.readValue(body, Map.class);
        } catch (IOException e) {
            return Map.of();
        }
    }

    private static String curl(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        if (!process.waitFor(STATUS_WAIT_MILLIS + 1_000, TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            return "";
        }
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return process.exitValue() == 0 ? out : "";
    }

    /** The servers reporting role leader now (more than one only while an old leader is cut off). */
    public List<String> leaders() throws InterruptedException {
        List<String> leaders = new ArrayList<>();
        for (String server : servers) {
            if ("leader".equals(status(server).get("role"))) {
                leaders.add(server);
            }
        }
        return leaders;
    }

    /** The first leader among {@code among} within {@code wait}, or empty. */
    public Optional<String> awaitLeader(List<String> among, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            for (String server : among) {
                if ("leader".equals(status(server).get("role"))) {
                    return Optional.of(server);
                }
            }
            Thread.sleep(200);
        }
        return Optional.empty();
    }

    /** Each server's {@code applied_index/state_digest} now ({@code -/-} when it does not answer). */
    public Map<String, String> digests() throws InterruptedException {
        Map<String, String> digests = new LinkedHashMap<>();
        for (String server : servers) {
            Map<String, Object> status = status(server);
            digests.put(
                    server, status.isEmpty() ? "-/-" : status.get("applied_index") + "/" + status.get("state_digest"));
        }
        return digests;
    }

    /**
     * Waits (bounded) until every server answers with the same applied index and digest; returns that pair, or empty
     * with the last readings in {@code last}.
     */
    public Optional<String> awaitConverged(Duration wait, Map<String, String> last) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            Map<String, String> digests = digests();
            last.clear();
            last.putAll(digests);
            TreeSet<String> distinct = new TreeSet<>(digests.values());
            if (distinct.size() == 1
                    && !distinct.first().startsWith("-")
                    && !distinct.first().startsWith("null")) {
                return Optional.of(distinct.first());
            }
            if (System.nanoTime() > deadline) {
                return Optional.empty();
            }
            Thread.sleep(300);
        }
    }

    /** Tells every writer to stop writing (it finishes the write in flight). */
    public void stopWriters() throws IOException {
        for (String writer : writers) {
            Files.createDirectories(control(writer));
            Files.writeString(control(writer).resolve("stop"), "");
        }
    }

    /** Waits (bounded) until every writer recorded that its last write is answered; false if one did not. */
    public boolean awaitWritersStopped(Duration wait) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        for (String writer : writers) {
            Path record = settings.runDirectory().resolve("records").resolve(writer + ".jsonl");
            while (!(Files.exists(record) && Files.readString(record).contains("\"stopped\""))) {
                if (System.nanoTime() > deadline || !process(writer).isAlive()) {
                    return false;
                }
                Thread.sleep(100);
            }
        }
        return true;
    }

    /** SIGTERM to the bots (unchecked load), so the servers can settle; bounded wait. */
    public void stopBots() {
        List<ChildProcess> bots = processes.values().stream()
                .filter(child -> child.name().startsWith("bot-"))
                .toList();
        bots.forEach(ChildProcess::requestStop);
        bots.forEach(child -> child.awaitStop(Duration.ofSeconds(10)));
    }

    /** Makes every writer read its history and exit; waits (bounded) and returns each writer's ledger. */
    public List<ChaosLedger> readLedgers(Duration wait) throws IOException, InterruptedException {
        for (String writer : writers) {
            Files.writeString(control(writer).resolve("read"), "");
        }
        long deadline = System.nanoTime() + wait.toNanos();
        List<ChaosLedger> ledgers = new ArrayList<>();
        for (String writer : writers) {
            ChildProcess child = process(writer);
            while (child.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            Path record = settings.runDirectory().resolve("records").resolve(writer + ".jsonl");
            List<String> lines = Files.exists(record) ? Files.readAllLines(record, StandardCharsets.UTF_8) : List.of();
            ledgers.add(ChaosLedger.of(writer, lines));
        }
        return ledgers;
    }

    private Path control(String writer) {
        return settings.runDirectory().resolve("records").resolve(writer + ".control");
    }

    /** Resumes paused processes, stops all (SIGTERM, then -9 after a bounded wait), removes the namespaces. */
    @Override
    public void close() {
        List<ChildProcess> reversed = new ArrayList<>(processes.values());
        java.util.Collections.reverse(reversed);
        for (ChildProcess child : reversed) {
            try {
                child.signal("CONT");
            } catch (IOException e) {
                // gone already
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            child.requestStop();
        }
        for (ChildProcess child : reversed) {
            child.awaitStop(Duration.ofSeconds(10));
        }
        if (network != null) {
            network.close();
        }
    }

    /** A port free on 127.0.0.1 a moment ago, below the usual ephemeral range (no outgoing connection takes it). */
    private static int freePort() {
        for (int attempt = 0; attempt < 1_000; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(20_000, 32_000);
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IllegalStateException("no free port in 20000-32000");
    }
}
