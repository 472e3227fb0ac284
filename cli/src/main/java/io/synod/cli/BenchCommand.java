package io.synod.cli;

import io.synod.bench.load.BenchConfig;
import io.synod.bench.load.BenchException;
import io.synod.bench.load.BenchReport;
import io.synod.bench.load.BenchResult;
import io.synod.bench.load.BenchRun;
import io.synod.bench.load.CelebrityResult;
import io.synod.bench.load.CelebrityRun;
import io.synod.bench.load.Workload;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code synod bench}: a load tool that drives the real processes through the real protocol. By
 * default it starts a cluster ({@code synod up --bots 0} on free loopback ports in a temporary run
 * directory) and stops it at the end; with {@code --broker} and {@code --proxy} it targets a running
 * one. Progress goes to stderr (one line per second), the summary to stdout, files to the results
 * folder; {@code --json} ends stdout with one JSON object.
 *
 * <p>Exit status: 0, or 1 if the run failed or nothing was acknowledged, 2 for bad options.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        subcommands = BenchScalingCommand.class,
        description = {
            "Load a cluster through the broker and the proxy and measure throughput, latency and deliveries.",
            "Starts its own cluster unless --broker and --proxy name a running one.",
            "  ./synod bench --workload publish --clients 64 --duration 20s --json",
            "  ./synod bench --workload social --duration 20s",
            "  ./synod bench --workload celebrity --followers 100000",
            "  ./synod bench --workload proxy-fanout --subscribers 100   (a proxy alone, no cluster)",
            "  ./synod bench scaling        (throughput and p99 as clients and servers grow)"
        })
final class BenchCommand implements Callable<Integer> {
    static final Duration WARMUP_DEFAULT = Duration.ofSeconds(2);
    /**
     * Warm-up when the bench starts the cluster itself: fresh JVMs compile the hot paths during the first
     * seconds of load (measured: 64 clients on 3 servers, 490 acked writes/s after 2 s of warm-up, 1,500/s on
     * the same cluster once warm), so a shorter warm-up measures the JIT, not the system.
     */
    static final Duration WARMUP_STARTED_CLUSTER_DEFAULT = Duration.ofSeconds(15);

    static final Duration DURATION_DEFAULT = Duration.ofSeconds(10);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    BenchOptions options;

    @Option(names = "--clients", defaultValue = "16", description = "Concurrent clients (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(
            names = "--servers",
            description = "Servers of the started cluster: 1, 3 or 5 (default: 3). With --broker: only reported.")
    Integer servers;

    @Option(
            names = "--keep-cluster-dir",
            description = "Keep the started cluster's logs and data (default: deleted after a successful run).")
    boolean keepClusterDirectory;

    @Override
    public Integer call() throws Exception {
        CommandLine commandLine = spec.commandLine();
        boolean external = options.external(commandLine);
        int serverCount = servers != null ? servers : external ? 0 : 3;
        if (!external && !UpCommand.SERVER_COUNTS.contains(serverCount)) {
            throw new CommandLine.ParameterException(commandLine, "--servers must be 1, 3 or 5");
        }
        // Validate every option before starting anything.
        options.config(
                commandLine,
                "tcp://127.0.0.1:1",
                "tcp://127.0.0.1:2",
                clients,
                serverCount,
                WARMUP_DEFAULT,
                DURATION_DEFAULT);
        Path results = options.resultsDirectory(options.workload.label());
        PrintStream err = System.err;
        if (options.workload == Workload.PROXY_FANOUT) { // no cluster: the run starts a proxy of its own
            return runAndReport(commandLine, "tcp://127.0.0.1:1", "tcp://127.0.0.1:2", 0, results, WARMUP_DEFAULT);
        }
        if (external) {
            return runAndReport(commandLine, options.broker, options.proxy, serverCount, results, WARMUP_DEFAULT);
        }
        Path runDirectory = options.newClusterDirectory();
        boolean succeeded = false;
        try (BenchCluster cluster =
                BenchCluster.start(options.shape(serverCount), runDirectory, options.readyTimeout, err::println)) {
            int status = runAndReport(
                    commandLine,
                    cluster.brokerEndpoint(),
                    cluster.proxyEndpoint(),
                    serverCount,
                    results,
                    WARMUP_STARTED_CLUSTER_DEFAULT);
            succeeded = status == 0;
            return status;
        } catch (IOException e) {
            err.println("synod bench: " + e.getMessage());
            return 1;
        } finally {
            err.println("bench: cluster stopped");
            if (succeeded && !keepClusterDirectory) {
                deleteTree(runDirectory);
            } else {
                err.println("bench: the cluster's logs and data are in " + runDirectory);
            }
        }
    }

    private int runAndReport(
            CommandLine commandLine, String broker, String proxy, int serverCount, Path results, Duration warmupDefault)
            throws InterruptedException, IOException {
        BenchConfig config =
                options.config(commandLine, broker, proxy, clients, serverCount, warmupDefault, DURATION_DEFAULT);
        if (config.workload() == Workload.CELEBRITY) {
            return runCelebrity(config, results);
        }
        BenchResult result;
        try {
            result = new BenchRun(config, System.err::println).run();
        } catch (BenchException e) {
            System.err.println("synod bench: " + e.getMessage());
            return 1;
        }
        BenchReport.write(result, results);
        System.out.print(BenchReport.summaryText(result));
        System.out.println("results: " + results.toAbsolutePath().normalize());
        if (options.json) {
            System.out.println(BenchReport.jsonLine(result));
        }
        System.out.flush();
        if (config.workload() == Workload.PROXY_FANOUT) {
            BenchResult.Summary summary = result.summary();
            if (summary.deliveries() == 0 || summary.gaps() + summary.duplicates() + summary.outOfOrder() > 0) {
                System.err.println("synod bench: the proxy delivered nothing, or not every publication once in order");
                return 1;
            }
            return 0;
        }
        if (result.summary().ackedWrites() + result.summary().ackedReads() == 0) {
            System.err.println("synod bench: nothing was acknowledged in the measurement window ("
                    + result.summary().errors() + " errors, " + result.summary().timeouts()
                    + " timeouts): the cluster did not serve this load");
            return 1;
        }
        return 0;
    }

    /** The celebrity run: its own summary and JSON; status 1 unless every count came out as set up. */
    private int runCelebrity(BenchConfig config, Path results) throws InterruptedException, IOException {
        CelebrityResult result;
        try {
            result = new CelebrityRun(config, System.err::println).run();
        } catch (BenchException e) {
            System.err.println("synod bench: " + e.getMessage());
            return 1;
        }
        Files.createDirectories(results);
        Files.writeString(
                results.resolve(BenchReport.RESULT_FILE),
                BenchReport.prettyJson(result.toMap()),
                StandardCharsets.UTF_8);
        System.out.print(result.summaryText());
        System.out.println("results: " + results.toAbsolutePath().normalize());
        if (options.json) {
            System.out.println(BenchReport.jsonLineOf(result.headline()));
        }
        System.out.flush();
        if (!result.consistent()) {
            System.err.println("synod bench: the celebrity run's counts are not what it set up (see the summary)");
            return 1;
        }
        return 0;
    }

    static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            System.err.println("bench: could not delete " + root + ": " + e.getMessage());
        }
    }
}
