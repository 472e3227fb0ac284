package io.synod.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code synod chaos}: a fault run. Starts a cluster ({@link ChaosCluster}: on hosts of their own with
 * {@code --netns}, else on loopback), checked writers and bots, and for the run's length injects one fault at a
 * time on a schedule drawn from {@code --seed}: kill -9, pause (SIGSTOP) or, with {@code --netns}, a cut link, on a
 * server (the leader half the time), a broker or a proxy; each fault is held 2-6 s, then repaired (restart on the
 * same data directory, SIGCONT, link up), then 1-4 s of quiet. One fault at a time keeps a majority of servers, so
 * every write must still be acknowledged. At the end it repairs everything, stops the writers and bots, waits for the
 * servers to converge and prints the report ({@link ChaosLedger} has the rules); the exit status is 1 when any write
 * was lost or doubled, a client saw a gap, or the digests differ.
 */
@Command(
        name = "chaos",
        mixinStandardHelpOptions = true,
        description = "Run a cluster under seeded faults (kill -9, pause, partition) and check every write.")
final class ChaosCommand implements Callable<Integer> {
    /** Shortest and longest time a fault is held before it is repaired. */
    private static final long FAULT_HOLD_MILLIS_MIN = 2_000;

    private static final long FAULT_HOLD_MILLIS_MAX = 6_000;
    /** Shortest and longest quiet time between a repair and the next fault. */
    private static final long QUIET_MILLIS_MIN = 1_000;

    private static final long QUIET_MILLIS_MAX = 4_000;
    /** How often a progress line is printed. */
    private static final long PROGRESS_MILLIS = 5_000;
    /** Longest wait for the servers to converge, and for the writers' last answers, at the end. */
    private static final Duration SETTLE_WAIT = Duration.ofSeconds(90);
    /** The file that marks a directory as a chaos run's, which the next run may empty. */
    private static final String RUN_MARKER = ".synod-chaos";
    /** Longest run: a day. */
    private static final double MINUTES_MAX = 24 * 60;

    @Option(names = "--minutes", description = "Length of the fault phase in minutes (fractions allowed).")
    Double minutes;

    @Option(names = "--seconds", description = "Length of the fault phase in seconds (instead of --minutes).")
    Double seconds;

    @Option(
            names = "--seed",
            defaultValue = "7261",
            description = "Seed of the fault schedule (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--servers", defaultValue = "3", description = "Servers: 3 or 5 (default: ${DEFAULT-VALUE}).")
    int servers;

    @Option(
            names = "--netns",
            description = "Each process on a host of its own (Linux network namespaces, needs root); adds partitions.")
    boolean netns;

    @Option(names = "--brokers", defaultValue = "1", description = "Brokers (default: ${DEFAULT-VALUE}).")
    int brokers;

    @Option(names = "--proxies", defaultValue = "1", description = "Proxies (default: ${DEFAULT-VALUE}).")
    int proxies;

    @Option(names = "--writers", defaultValue = "2", description = "Checked writers (default: ${DEFAULT-VALUE}).")
    int writers;

    @Option(names = "--write-rate", defaultValue = "5", description = "Writes per second per writer.")
    double writeRate;

    @Option(names = "--bots", defaultValue = "2", description = "Bots, unchecked load (default: ${DEFAULT-VALUE}).")
    int bots;

    @Option(names = "--bot-rate", defaultValue = "2", description = "Messages per second per bot.")
    double botRate;

    @Option(
            names = "--run-dir",
            defaultValue = "run-chaos",
            description = "Logs, data and records (emptied first; default: ${DEFAULT-VALUE}).")
    Path runDir;

    @Option(names = "--ready-timeout-s", defaultValue = "90", description = "How long to wait for one process.")
    int readyTimeoutSeconds;

    private final Tally tally = new Tally();
    private volatile ChaosCluster cluster;

    /** Faults done, by kind. */
    static final class Tally {
        final Map<String, Integer> kills = new LinkedHashMap<>();
        int pauses;
        int partitions;

        int killCount() {
            return kills.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    /** One fault: what is done to which process. */
    record Fault(String kind, String target) {}

    @Override
    public Integer call() throws Exception {
        if ((minutes == null) == (seconds == null)) {
            System.err.println("synod chaos: give exactly one of --minutes and --seconds");
            return 2;
        }
        double runSeconds = seconds != null ? seconds : minutes * 60;
        if (!(runSeconds > 0) || runSeconds > MINUTES_MAX * 60) {
            System.err.println("synod chaos: the run must be longer than 0 and at most " + MINUTES_MAX + " minutes");
            return 2;
        }
        if (servers != 3 && servers != 5) {
            System.err.println("synod chaos: --servers must be 3 or 5 (a majority survives one fault)");
            return 2;
        }
        if (writers < 1) {
            System.err.println("synod chaos: --writers must be at least 1 (they are what is checked)");
            return 2;
        }
        if (netns) {
            Optional<String> why = ChaosCluster.netnsUnavailableReason();
            if (why.isPresent()) {
                System.err.println("synod chaos: --netns: " + why.get());
                return 2;
            }
        }
        ChaosCluster.Settings settings;
        try {
            settings = new ChaosCluster.Settings(
                    servers,
                    brokers,
                    proxies,
                    bots,
                    botRate,
                    writers,
                    writeRate,
                    netns,
                    runDir.toAbsolutePath(),
                    ChildProcess.javaCommand(List.of()),
                    Duration.ofSeconds(readyTimeoutSeconds));
        } catch (IllegalArgumentException e) {
            System.err.println("synod chaos: " + e.getMessage());
            return 2;
        }
        if (!freshRunDirectory()) {
            System.err.println("synod chaos: --run-dir " + runDir + " holds files of something else; choose another");
            return 2;
        }
        Thread hook = new Thread(this::stopEverything, "synod-chaos-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            System.out.printf(
                    "synod chaos: starting %d servers, %d writers, %d bots (%s), seed %d%n",
                    servers, writers, bots, netns ? "each on a host of its own" : "loopback", seed);
            cluster = ChaosCluster.start(settings);
            System.out.printf(
                    "synod chaos ready: faults for %.0f s; run directory %s%n",
                    runSeconds, runDir.toAbsolutePath().normalize());
            runFaults(cluster, (long) (runSeconds * 1_000));
            return finish(cluster, runSeconds);
        } finally {
            stopEverything();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running already
            }
        }
    }

    private synchronized void stopEverything() {
        ChaosCluster running = cluster;
        cluster = null;
        if (running != null) {
            running.close();
            System.out.println("synod chaos: all processes stopped");
        }
    }

    private void runFaults(ChaosCluster cluster, long runMillis) throws IOException, InterruptedException {
        Random random = new Random(seed);
        long start = System.nanoTime();
        long nextProgress = 0;
        while (elapsedMillis(start) < runMillis) {
            Fault fault = pick(cluster, random);
            apply(cluster, fault);
            long holdUntil = elapsedMillis(start) + between(random, FAULT_HOLD_MILLIS_MIN, FAULT_HOLD_MILLIS_MAX);
            nextProgress = waitUntil(cluster, start, Math.min(holdUntil, runMillis), nextProgress, fault);
            repair(cluster, fault);
            long quietUntil = elapsedMillis(start) + between(random, QUIET_MILLIS_MIN, QUIET_MILLIS_MAX);
            nextProgress = waitUntil(cluster, start, Math.min(quietUntil, runMillis), nextProgress, null);
        }
    }

    private static long between(Random random, long min, long max) {
        return min + (long) (random.nextDouble() * (max - min));
    }

    private static long elapsedMillis(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** Sleeps until {@code untilMillis} into the run, printing a progress line when one is due; returns the next. */
    private long waitUntil(ChaosCluster cluster, long start, long untilMillis, long nextProgress, Fault current)
            throws InterruptedException {
        while (elapsedMillis(start) < untilMillis) {
            if (elapsedMillis(start) >= nextProgress) {
                List<String> leaders = cluster.leaders();
                System.out.printf(
                        "chaos t=%ds kills=%d pauses=%d partitions=%d leader=%s now=%s%n",
                        elapsedMillis(start) / 1_000,
                        tally.killCount(),
                        tally.pauses,
                        tally.partitions,
                        leaders.isEmpty() ? "none" : String.join("+", leaders),
                        current == null ? "quiet" : current.kind() + " " + current.target());
                System.out.flush();
                nextProgress = elapsedMillis(start) + PROGRESS_MILLIS;
            }
            Thread.sleep(Math.max(1, Math.min(200, untilMillis - elapsedMillis(start))));
        }
        return nextProgress;
    }

    /** A seeded choice of target (a server, the leader half the time; a broker; a proxy) and of kind. */
    private Fault pick(ChaosCluster cluster, Random random) throws InterruptedException {
        List<String> targets = new ArrayList<>(cluster.servers());
        targets.addAll(cluster.brokers());
        targets.addAll(cluster.proxies());
        String target = targets.get(random.nextInt(targets.size()));
        if (cluster.servers().contains(target) && random.nextBoolean()) {
            List<String> leaders = cluster.leaders();
            if (!leaders.isEmpty()) {
                target = leaders.get(0);
            }
        }
        List<String> kinds = cluster.separateHosts() ? List.of("kill", "pause", "cut") : List.of("kill", "pause");
        return new Fault(kinds.get(random.nextInt(kinds.size())), target);
    }

    private void apply(ChaosCluster cluster, Fault fault) throws IOException, InterruptedException {
        switch (fault.kind()) {
            case "kill" -> {
                cluster.kill(fault.target());
                tally.kills.merge(role(fault.target()), 1, Integer::sum);
            }
            case "pause" -> {
                if (cluster.pause(fault.target())) {
                    tally.pauses++;
                }
            }
            case "cut" -> {
                cluster.cut(fault.target());
                tally.partitions++;
            }
            default -> throw new IllegalStateException("unknown fault " + fault);
        }
        System.out.println("chaos fault: " + fault.kind() + " " + fault.target());
    }

    private static void repair(ChaosCluster cluster, Fault fault) throws IOException, InterruptedException {
        switch (fault.kind()) {
            case "kill" -> cluster.restart(fault.target());
            case "pause" -> cluster.resume(fault.target());
            case "cut" -> cluster.heal(fault.target());
            default -> throw new IllegalStateException("unknown fault " + fault);
        }
        System.out.println("chaos repaired: " + fault.kind() + " " + fault.target());
    }

    private static String role(String process) {
        return process.replaceAll("-\\d+$", "");
    }

    /** Stops the load, waits for convergence, reads the ledgers and prints the report; returns the exit status. */
    private int finish(ChaosCluster cluster, double runSeconds) throws IOException, InterruptedException {
        System.out.println("chaos: faults over; stopping the writers and bots, waiting for the servers to converge");
        Map<String, Integer> crashed = cluster.exitedByThemselves();
        for (String name : crashed.keySet()) { // no fault left anything down: this one exited by itself
            System.out.println("chaos: " + name + " had exited with status " + crashed.get(name) + "; restarting it");
            cluster.restart(name);
        }
        cluster.stopWriters();
        boolean answered = cluster.awaitWritersStopped(SETTLE_WAIT);
        cluster.stopBots();
        Map<String, String> readings = new LinkedHashMap<>();
        Optional<String> converged = cluster.awaitConverged(SETTLE_WAIT, readings);
        List<ChaosLedger> ledgers = cluster.readLedgers(SETTLE_WAIT);
        int acknowledged = 0;
        int refused = 0;
        int unknown = 0;
        int gaps = 0;
        int delivered = 0;
        List<String> lost = new ArrayList<>();
        List<String> doubled = new ArrayList<>();
        boolean historiesRead = true;
        for (ChaosLedger ledger : ledgers) {
            acknowledged += ledger.acknowledged();
            refused += ledger.refused();
            unknown += ledger.unknown();
            gaps += ledger.gaps();
            delivered += ledger.delivered();
            lost.addAll(ledger.lost());
            doubled.addAll(ledger.doubled());
            historiesRead &= ledger.historyRead();
        }
        boolean pass = crashed.isEmpty()
                && answered
                && historiesRead
                && converged.isPresent()
                && lost.isEmpty()
                && doubled.isEmpty()
                && gaps == 0;
        System.out.printf(
                "chaos report: %.0f s of faults, seed %d, %d servers, %s%n",
                runSeconds, seed, cluster.servers().size(), cluster.separateHosts() ? "separate hosts" : "loopback");
        System.out.printf(
                "  faults:    kills %d %s, pauses %d, partitions %d%n",
                tally.killCount(), tally.kills, tally.pauses, tally.partitions);
        System.out.printf(
                "  writes:    acknowledged %d, lost %d, doubled %d (refused %d, unanswered %d)%n",
                acknowledged, lost.size(), doubled.size(), refused, unknown);
        System.out.printf("  clients:   deliveries %d, gaps %d%n", delivered, gaps);
        System.out.printf(
                "  crashes:   %d %s (processes that exited with no fault on them)%n", crashed.size(), crashed);
        System.out.printf(
                "  digests:   %s%n",
                converged
                        .map(d -> "equal on every server (applied/digest " + d + ")")
                        .orElse("DIFFER " + readings));
        if (!lost.isEmpty()) {
            System.out.println("  lost:      " + lost.subList(0, Math.min(20, lost.size())));
        }
        if (!doubled.isEmpty()) {
            System.out.println("  doubled:   " + doubled.subList(0, Math.min(20, doubled.size())));
        }
        if (!answered || !historiesRead) {
            System.out.println("  a writer did not finish (last write or history unanswered): see "
                    + runDir.resolve("logs").toAbsolutePath());
        }
        System.out.println("chaos " + (pass ? "PASS" : "FAIL"));
        return pass ? 0 : 1;
    }

    /** Empties the run directory of an earlier chaos run (it has the marker), or makes it; false if not ours. */
    private boolean freshRunDirectory() throws IOException {
        Path marker = runDir.resolve(RUN_MARKER);
        if (Files.isDirectory(runDir) && !Files.exists(marker)) {
            try (var entries = Files.list(runDir)) {
                if (entries.findAny().isPresent()) {
                    return false;
                }
            }
        }
        if (Files.exists(runDir)) {
            deleteRecursively(runDir);
        }
        Files.createDirectories(runDir);
        Files.writeString(marker, "a synod chaos run directory: emptied by the next run\n");
        return true;
    }

    private static void deleteRecursively(Path directory) throws IOException {
        try (var paths = Files.walk(directory)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
