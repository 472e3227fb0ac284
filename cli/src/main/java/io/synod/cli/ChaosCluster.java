package io.synod.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
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
 * <p>Brokers and proxies are lists ({@link #brokers()}, {@link #proxies()}); servers, writers and bots get {@code
 * --broker} / {@code --proxy} joined with commas (docs/protocol.md, several brokers and proxies).
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

    /**
     * What to start.
     *
     * @param servers servers (1, 3 or 5)
     * @param brokers brokers: every server, writer and bot connects to all of them
     * @param proxies proxies: every server publishes to all of them, every writer and bot subscribes to all
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
            if (brokers < 1 || brokers > UpCommand.BROKERS_MAX || proxies < 1 || proxies > UpCommand.BROKERS_MAX) {
                throw new IllegalArgumentException("brokers and proxies: 1 to " + UpCommand.BROKERS_MAX + " each, were "
                        + brokers + "/" + proxies);
            }
            if (bots < 0 || writers < 0 || writers + bots > 20) {
                throw new IllegalArgumentException("bots and writers: 0 to 20 in all, were " + bots + "/" + writers);
            }
        }
    }

    private final Settings settings;
    private final NetNamespaces network;
    private final Map<String, ChildProcess> processes = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
    /** Set first by {@link #close()} (which may run on a shutdown hook): nothing starts after it. */
    private volatile boolean closed;

    private final Map<String, Integer> adminPorts = new LinkedHashMap<>();
    private final ChaosTopology topology;
    private final List<String> servers;
    private final List<String> brokers;
    private final List<String> proxies;
    private final List<String> writers;

    private ChaosCluster(Settings settings, NetNamespaces network, ChaosTopology topology) {
        this.settings = settings;
        this.network = network;
        this.topology = topology;
        servers = topology.servers;
        brokers = topology.brokers;
        proxies = topology.proxies;
        writers = topology.writers;
    }

    /** Starts everything, each process ready before the next; on failure stops what started and throws. */
    public static ChaosCluster start(Settings settings) throws IOException, InterruptedException {
        List<String> names = ChaosTopology.names(settings);
        NetNamespaces network = settings.netns() ? NetNamespaces.create(names) : null;
        Map<String, String> addresses = new LinkedHashMap<>();
        names.forEach(
                name -> addresses.put(name, network != null ? network.host(name).address() : "127.0.0.1"));
        ChaosCluster cluster = new ChaosCluster(settings, network, new ChaosTopology(settings, addresses));
        try {
            Files.createDirectories(settings.runDirectory().resolve("logs"));
            Files.createDirectories(settings.runDirectory().resolve("data"));
            for (String name : names) {
                cluster.launch(name, cluster.topology.arguments(name));
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
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
        startUnlessClosed(child);
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
        return topology.address(name);
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
        startUnlessClosed(child);
        child.awaitReady(settings.readyWait());
    }

    private void startUnlessClosed(ChildProcess child) throws IOException, InterruptedException {
        if (closed) {
            throw new IOException("cluster closed: " + child.name() + " not started");
        }
        child.start();
        if (closed) { // close() ran meanwhile and may have missed it
            child.kill();
            throw new IOException("cluster closed: " + child.name() + " stopped");
        }
    }

    /**
     * The reference, servers, brokers and proxies not running, with their exit status: called when every fault is
     * repaired, these exited by themselves (a crash).
     */
    public Map<String, Integer> exitedByThemselves() {
        Map<String, Integer> exited = new LinkedHashMap<>();
        List<String> watched = new ArrayList<>(servers);
        watched.addAll(brokers);
        watched.addAll(proxies);
        watched.add("reference");
        for (String name : watched) {
            ChildProcess child = process(name);
            if (!child.isAlive()) {
                exited.put(name, child.exitValue());
            }
        }
        return exited;
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

    /** How many writes {@code writer} has had acknowledged so far (its record's {@code ack} lines). */
    public long acknowledged(String writer) throws IOException {
        Path record = topology.record(writer);
        if (!Files.exists(record)) {
            return 0;
        }
        try (var lines = Files.lines(record, StandardCharsets.UTF_8)) {
            return lines.filter(line -> line.startsWith("{\"ack\"")).count();
        }
    }

    /**
     * Why this machine cannot run a cluster on hosts of its own ({@link NetNamespaces#unavailableReason()}, or no
     * {@code curl} to read the admin endpoints inside the namespaces), or empty when it can.
     */
    public static Optional<String> netnsUnavailableReason() {
        Optional<String> why = NetNamespaces.unavailableReason();
        if (why.isPresent()) {
            return why;
        }
        try {
            NetNamespaces.run(List.of("curl", "--version"));
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of(
                    "no curl to read the servers' admin endpoints inside their namespaces: " + e.getMessage());
        }
    }

    /** Tells every writer to stop writing (it finishes the write in flight). */
    public void stopWriters() throws IOException {
        for (String writer : writers) {
            Files.createDirectories(topology.control(writer));
            Files.writeString(topology.control(writer).resolve("stop"), "");
        }
    }

    /** Waits (bounded) until every writer recorded that its last write is answered; false if one did not. */
    public boolean awaitWritersStopped(Duration wait) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        for (String writer : writers) {
            Path record = topology.record(writer);
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
            Files.writeString(topology.control(writer).resolve("read"), "");
        }
        long deadline = System.nanoTime() + wait.toNanos();
        List<ChaosLedger> ledgers = new ArrayList<>();
        for (String writer : writers) {
            ChildProcess child = process(writer);
            while (child.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            Path record = topology.record(writer);
            List<String> lines = Files.exists(record) ? Files.readAllLines(record, StandardCharsets.UTF_8) : List.of();
            ledgers.add(ChaosLedger.of(writer, lines));
        }
        return ledgers;
    }

    /** Resumes paused processes, stops all (SIGTERM, then -9 after a bounded wait), removes the namespaces. */
    @Override
    public void close() {
        closed = true;
        List<ChildProcess> reversed;
        synchronized (processes) {
            reversed = new ArrayList<>(processes.values());
        }
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
}
