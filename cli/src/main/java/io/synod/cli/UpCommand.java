package io.synod.cli;

import io.synod.messaging.admin.AdminKey;
import io.synod.messaging.zmtp.Z85Keys;
import io.synod.registry.RegistryConfig;
import io.synod.server.RateLimitOptions;
import io.synod.server.SearchIndexMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code synod up}: starts the reference, the brokers, the proxies, the servers and the bots as
 * separate OS processes (every server, web process and bot connected to every broker and proxy), with logs and data under one run directory, prints a line containing
 * {@code ready} once every process answers (with the web app's URL unless {@code --no-web}), and
 * stops them all on Ctrl-C or SIGTERM.
 */
@Command(
        name = "up",
        mixinStandardHelpOptions = true,
        description = "Start a local cluster (reference, broker, proxy, servers, web app, bots) as separate processes.")
final class UpCommand implements Callable<Integer> {
    /** Cluster sizes the launcher starts: one server (a Paxos group of one), or 3 or 5 (majorities). */
    static final java.util.Set<Integer> SERVER_COUNTS = java.util.Set.of(1, 3, 5);
    /** Most brokers, and most proxies, the launcher starts: a handful covers every failure it is meant to show. */
    static final int BROKERS_MAX = 8;
    /**
     * Broker k (from 1) listens on {@code --broker-port + (k - 1) * this} and the next port, proxy k likewise from
     * {@code --proxy-port}: 5555/5556 and 5557/5558 for the first ones as always, 5565/5566 and 5567/5568 next.
     */
    static final int PORT_STEP_PER_EXTRA = 10;

    @Option(
            names = "--servers",
            defaultValue = "3",
            description = "Number of servers: 1 (a Paxos group of one), 3 or 5 (default: ${DEFAULT-VALUE}).")
    int servers;

    @Option(
            names = "--brokers",
            defaultValue = "1",
            description = "Number of brokers, 1 to " + BROKERS_MAX + "; broker k listens on --broker-port + (k-1)*"
                    + PORT_STEP_PER_EXTRA + " and the next port (default: ${DEFAULT-VALUE}).")
    int brokers;

    @Option(
            names = "--proxies",
            defaultValue = "1",
            description = "Number of proxies, 1 to " + BROKERS_MAX + "; proxy k listens on --proxy-port + (k-1)*"
                    + PORT_STEP_PER_EXTRA + " and the next port (default: ${DEFAULT-VALUE}).")
    int proxies;

    @Option(names = "--bots", defaultValue = "2", description = "Number of bots (default: ${DEFAULT-VALUE}).")
    int bots;

    @Option(names = "--bot-rate", defaultValue = "2", description = "Messages per second per bot.")
    double botRate;

    @Option(
            names = "--run-dir",
            defaultValue = "run",
            description = "Logs and data go here (default: ${DEFAULT-VALUE}).")
    Path runDir;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address every process binds.")
    String host;

    @Option(
            names = "--broker-port",
            defaultValue = "5555",
            description = "Broker client port; the server port is the next one.")
    int brokerPort;

    @Option(names = "--proxy-port", defaultValue = "5557", description = "Proxy XSUB port; XPUB is the next one.")
    int proxyPort;

    @Option(names = "--reference-port", defaultValue = "5559", description = "Reference REP port.")
    int referencePort;

    @Option(
            names = "--reference-heartbeat-timeout-ms",
            description = "The reference lists a server until this long after its last heartbeat"
                    + " (default: ${DEFAULT-VALUE}; the course's servers beat every 10 s).")
    long referenceHeartbeatTimeoutMillis = RegistryConfig.DEFAULT.heartbeatTimeoutMillis();

    @Option(
            names = "--admin-port",
            defaultValue = "8081",
            description = "First server's HTTP admin port; server i gets this + i - 1.")
    int adminPort;

    @Option(
            names = "--peer-port",
            defaultValue = "7001",
            description = "First server's peer port; server i gets this + i - 1.")
    int peerPort;

    @Option(
            names = "--paxos-port",
            defaultValue = "7101",
            description = "First server's replication port; server i gets this + i - 1 (a single server"
                    + " takes any free loopback port: no peer connects to it).")
    int paxosPort;

    @Option(
            names = "--web-port",
            defaultValue = "8080",
            description = "Port of the web app and dashboard (`synod web`) on --host (default: ${DEFAULT-VALUE}).")
    int webPort;

    @Mixin
    RateLimitOptions rateLimits = new RateLimitOptions();

    @Option(
            names = "--search-index",
            description = "Handed to every server: on-demand (a server builds its search index when first searched)"
                    + " or always (from start-up) (default: ${DEFAULT-VALUE}).")
    String searchIndex = SearchIndexMode.ON_DEMAND.optionValue();

    @Option(names = "--no-web", description = "Do not start the web process.")
    boolean noWeb;

    @Option(names = "--skew", description = "Give each server a random clock skew within +-1 s (shows clock sync).")
    boolean skew;

    @Option(names = "--seed", defaultValue = "7261", description = "Seed for --skew.")
    long seed;

    @Option(
            names = "--secure",
            description = "Secure mode on every server: logins need a password, writes and private reads a session"
                    + " token (docs/security.md). Each bot logs in as bot-N with a random password kept in"
                    + " data/bot-N.password.")
    boolean secure;

    @Option(
            names = "--admin-key",
            paramLabel = "FILE",
            description = "admin key file for the servers (synod admin needs it); with --secure and without this,"
                    + " a random one is written to <run-dir>/data/admin.key")
    Path adminKeyFile;

    @Option(
            names = "--keys",
            description = "With --secure: the directory of ./synod keys (server.key_secret, server.key); default: the"
                    + " run's data/keys, generated there on the first secure start.")
    Path keys;

    @Option(names = "--ready-timeout-s", defaultValue = "90", description = "How long to wait for every process.")
    int readyTimeoutSeconds;

    private final List<ChildProcess> children = new ArrayList<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean stopping;

    @Override
    public Integer call() throws Exception {
        if (!SERVER_COUNTS.contains(servers)) {
            System.err.println("synod up: --servers must be 1, 3 or 5 (several servers replicate every write with"
                    + " Multi-Paxos; an odd count tolerates (n-1)/2 crashes).");
            return 2;
        }
        if (brokers < 1 || brokers > BROKERS_MAX || proxies < 1 || proxies > BROKERS_MAX) {
            System.err.println("synod up: --brokers and --proxies must be 1 to " + BROKERS_MAX);
            return 2;
        }
        if (referenceHeartbeatTimeoutMillis <= 0) {
            System.err.println("synod up: --reference-heartbeat-timeout-ms must be positive");
            return 2;
        }
        try {
            rateLimits.limits();
            SearchIndexMode.fromOption("--search-index", searchIndex);
        } catch (IllegalArgumentException e) {
            System.err.println("synod up: " + e.getMessage());
            return 2;
        }
        System.out.println("synod up mode=" + (secure ? "secure" : "compat"));
        Path logs = runDir.resolve("logs");
        Path data = runDir.resolve("data");
        Files.createDirectories(logs);
        Files.createDirectories(data);
        if (secure && adminKeyFile == null) { // kept across restarts: operators keep the key they were told
            adminKeyFile = data.resolve("admin.key");
            try {
                AdminKey.generateIfAbsent(adminKeyFile);
            } catch (IllegalArgumentException e) {
                System.err.println("synod up: " + e.getMessage());
                return 2;
            }
            System.out.println("synod up: admin key in "
                    + adminKeyFile.toAbsolutePath().normalize() + " (synod admin --admin-key FILE)");
        }
        if (secure) {
            if (keys == null) {
                keys = data.resolve("keys");
                if (!Files.exists(keys.resolve(KeysCommand.SERVER + Z85Keys.SECRET_SUFFIX))) {
                    KeysCommand.generate(keys);
                    System.out.println("synod up: generated the cluster's keys into " + keys);
                }
            }
            try {
                Z85Keys.readPair(serverSecretKey());
            } catch (IllegalArgumentException e) {
                System.err.println("synod up: --keys: " + e.getMessage());
                return 2;
            }
        }
        Runtime.getRuntime().addShutdownHook(new Thread(this::stopAll, "synod-up-stop"));
        try {
            startAll(logs, data);
        } catch (StartFailure failure) {
            System.err.println("synod up: " + failure.getMessage());
            stopAll();
            return 1;
        }
        Map<String, Long> pids = new LinkedHashMap<>();
        children.forEach(child -> pids.put(child.name(), child.pid()));
        ClusterFile.write(this, pids);
        System.out.printf(
                "synod ready: %d server(s), %d bot(s); clients connect to broker %s and proxy %s;"
                        + "%s logs and data in %s (Ctrl-C stops everything)%n",
                servers,
                bots,
                endpoints(brokerPort, brokers, 0),
                endpoints(proxyPort, proxies, 1),
                noWeb ? "" : " web app and dashboard at " + webUrl() + ";",
                runDir.toAbsolutePath().normalize());
        System.out.flush();
        return watch();
    }

    private Path serverSecretKey() {
        return keys.resolve(KeysCommand.SERVER + Z85Keys.SECRET_SUFFIX);
    }

    /** Secure mode's arguments of a process holding the server key (none in compat mode). */
    List<String> serverKeyArguments() {
        return secure ? List.of("--secure", "--server-key", serverSecretKey().toString()) : List.of();
    }

    /** {@code arguments} followed by {@code more}. */
    private static List<String> with(List<String> arguments, List<String> more) {
        List<String> all = new ArrayList<>(arguments);
        all.addAll(more);
        return all;
    }

    private void startAll(Path logs, Path data) throws IOException, InterruptedException, StartFailure {
        String broker = "tcp://" + host + ":";
        start(
                "reference",
                logs,
                List.of(
                        "reference",
                        "--bind",
                        broker + referencePort,
                        "--data-dir",
                        data.resolve("reference").toString(),
                        "--heartbeat-timeout-ms",
                        Long.toString(referenceHeartbeatTimeoutMillis),
                        "--log",
                        logs.resolve("reference.jsonl").toString()),
                serverKeyArguments());
        startForwarders(logs, "broker", brokers, brokerPort, "--frontend", "--backend");
        startForwarders(logs, "proxy", proxies, proxyPort, "--xsub", "--xpub");
        Random skews = new Random(seed);
        for (int i = 1; i <= servers; i++) {
            start("server-" + i, logs, UpServerArguments.of(this, i, logs, data, skews));
        }
        if (!noWeb) {
            List<String> web = new ArrayList<>(List.of(
                    "web",
                    "--broker",
                    endpoints(brokerPort, brokers, 0),
                    "--proxy",
                    endpoints(proxyPort, proxies, 1),
                    "--host",
                    host,
                    "--port",
                    Integer.toString(webPort),
                    "--log",
                    logs.resolve("web.jsonl").toString()));
            for (int i = 1; i <= servers; i++) {
                web.add("--admin");
                web.add(adminUrl(i));
            }
            if (secure) {
                web.addAll(List.of(
                        "--secure",
                        "--server-public-key",
                        keys.resolve(KeysCommand.SERVER + Z85Keys.PUBLIC_SUFFIX).toString()));
            }
            start("web", logs, web);
        }
        for (int i = 1; i <= bots; i++) {
            String name = "bot-" + i;
            start(
                    name,
                    logs,
                    with(
                            List.of(
                                    "bot",
                                    "--broker",
                                    endpoints(brokerPort, brokers, 0),
                                    "--proxy",
                                    endpoints(proxyPort, proxies, 1),
                                    "--rate",
                                    Double.toString(botRate),
                                    "--log",
                                    logs.resolve(name + ".jsonl").toString()),
                            secure ? UpSecrets.botArguments(name, data, keys) : List.of()));
        }
    }

    /**
     * Starts {@code count} brokers or proxies ({@code kind}), the k-th binding {@code firstOption} to {@link
     * #forwarderPort} and {@code secondOption} to the next port.
     */
    private void startForwarders(
            Path logs, String kind, int count, int firstPort, String firstOption, String secondOption)
            throws IOException, InterruptedException, StartFailure {
        for (int k = 1; k <= count; k++) {
            String name = forwarderName(kind, k, count);
            int port = forwarderPort(firstPort, k);
            start(
                    name,
                    logs,
                    List.of(
                            kind,
                            firstOption,
                            "tcp://" + host + ":" + port,
                            secondOption,
                            "tcp://" + host + ":" + (port + 1),
                            "--log",
                            logs.resolve(name + ".jsonl").toString()),
                    serverKeyArguments());
        }
    }

    /** The first port of the k-th (from 1) broker or proxy when the first one listens on {@code firstPort}. */
    static int forwarderPort(int firstPort, int k) {
        return firstPort + (k - 1) * PORT_STEP_PER_EXTRA;
    }

    /** {@code broker}, or {@code broker-1}, {@code broker-2}... when there are several. */
    static String forwarderName(String kind, int k, int count) {
        return count == 1 ? kind : kind + "-" + k;
    }

    /**
     * The comma-separated endpoints of {@code count} brokers or proxies whose first one listens on {@code firstPort}:
     * their first port ({@code side} 0: broker clients, proxy publishers) or the next one ({@code side} 1).
     */
    String endpoints(int firstPort, int count, int side) {
        List<String> endpoints = new ArrayList<>();
        for (int k = 1; k <= count; k++) {
            endpoints.add("tcp://" + host + ":" + (forwarderPort(firstPort, k) + side));
        }
        return String.join(",", endpoints);
    }

    private void start(String name, Path logs, List<String> arguments, List<String> more)
            throws IOException, InterruptedException, StartFailure {
        start(name, logs, with(arguments, more));
    }

    private void start(String name, Path logs, List<String> arguments)
            throws IOException, InterruptedException, StartFailure {
        ChildProcess child = new ChildProcess(name, ChildProcess.javaCommand(arguments), logs.resolve(name + ".out"));
        System.out.printf("starting %-10s ", name);
        System.out.flush();
        child.start();
        children.add(child);
        try {
            child.awaitReady(Duration.ofSeconds(readyTimeoutSeconds));
        } catch (IOException notReady) { // it exited, or the wait ended: the message says which
            System.out.println(child.isAlive() ? "TIMEOUT" : "FAILED");
            throw new StartFailure(notReady.getMessage());
        }
        System.out.printf("ok (pid %d)%n", child.pid());
    }

    /** Reports children that die; returns when stopped by a signal. */
    private int watch() throws InterruptedException {
        List<ChildProcess> reported = new ArrayList<>();
        while (!stopped.await(500, java.util.concurrent.TimeUnit.MILLISECONDS)) {
            for (ChildProcess child : children) {
                if (!stopping && !child.isAlive() && !reported.contains(child)) {
                    reported.add(child);
                    System.out.printf(
                            "%s exited with status %d (output: %s)%n",
                            child.name(), child.exitValue(), child.outputFile());
                }
            }
        }
        return 0;
    }

    String adminUrl(int server) {
        return "http://" + host + ":" + (adminPort + server - 1);
    }

    String webUrl() {
        return "http://" + host + ":" + webPort + "/";
    }

    /** Stops bots first, then servers, then the infrastructure; waits for each group. */
    private synchronized void stopAll() {
        if (stopped.getCount() == 0) {
            return;
        }
        stopping = true;
        List<ChildProcess> reversed = new ArrayList<>(children);
        java.util.Collections.reverse(reversed);
        for (ChildProcess child : reversed) {
            child.requestStop();
        }
        for (ChildProcess child : reversed) {
            child.awaitStop(Duration.ofSeconds(10));
        }
        stopped.countDown();
        System.out.println("synod up: all processes stopped");
    }

    /** A process that failed to start; the message says which and why. */
    static final class StartFailure extends Exception {
        private static final long serialVersionUID = 1L;

        StartFailure(String message) {
            super(message, null, false, false);
        }
    }
}
