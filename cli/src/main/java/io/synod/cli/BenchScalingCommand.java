package io.synod.cli;

import io.synod.bench.load.BenchConfig;
import io.synod.bench.load.BenchException;
import io.synod.bench.load.BenchReport;
import io.synod.bench.load.BenchResult;
import io.synod.bench.load.BenchRun;
import io.synod.bench.load.Workload;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code synod bench scaling}: one short bench run per (server count, client count) pair, a cluster
 * started per server count; prints a table and writes {@code scaling.json}, {@code scaling.svg} and
 * each point's own results in a subfolder. With {@code --broker}/{@code --proxy} only the client
 * count varies.
 */
@Command(
        name = "scaling",
        mixinStandardHelpOptions = true,
        description = "Throughput and p99 as clients grow, for each cluster size; writes scaling.json and scaling.svg.")
final class BenchScalingCommand implements Callable<Integer> {
    /** Per point; points run from few clients to many on one cluster, so later points inherit a warm JIT. */
    static final Duration WARMUP_DEFAULT = Duration.ofSeconds(5);

    static final Duration DURATION_DEFAULT = Duration.ofSeconds(5);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    BenchOptions options;

    @Option(
            names = "--client-counts",
            split = ",",
            defaultValue = "1,4,16,64,256",
            description = "Client counts to measure (default: ${DEFAULT-VALUE}).")
    List<Integer> clientCounts;

    @Option(
            names = "--server-counts",
            split = ",",
            defaultValue = "1,3,5",
            description = "Cluster sizes, each 1, 3 or 5 (default: ${DEFAULT-VALUE}). With --broker: the one"
                    + " size reported for the running cluster.")
    List<Integer> serverCounts;

    @Override
    public Integer call() throws Exception {
        CommandLine commandLine = spec.commandLine();
        boolean external = options.external(commandLine);
        if (options.workload == Workload.CELEBRITY) {
            throw new CommandLine.ParameterException(
                    commandLine, "scaling does not run the celebrity workload; use synod bench --workload celebrity");
        }
        if (external && serverCounts.size() != 1) {
            serverCounts = List.of(0);
        }
        for (int servers : serverCounts) {
            if (!external && !UpCommand.SERVER_COUNTS.contains(servers)) {
                throw new CommandLine.ParameterException(commandLine, "--server-counts: each must be 1, 3 or 5");
            }
        }
        for (int clients : clientCounts) {
            options.config(
                    commandLine,
                    "tcp://127.0.0.1:1",
                    "tcp://127.0.0.1:2",
                    clients,
                    1,
                    WARMUP_DEFAULT,
                    DURATION_DEFAULT);
        }
        Path results = options.resultsDirectory("scaling-" + options.workload.label());
        List<BenchReport.ScalingPoint> points = new ArrayList<>();
        int total = serverCounts.size() * clientCounts.size();
        for (int servers : serverCounts) {
            if (external) {
                if (!runPoints(commandLine, options.broker, options.proxy, servers, results, points, total)) {
                    return 1;
                }
                continue;
            }
            Path runDirectory = options.newClusterDirectory();
            try (BenchCluster cluster = BenchCluster.start(
                    options.shape(servers), runDirectory, options.readyTimeout, System.err::println)) {
                if (!runPoints(
                        commandLine,
                        cluster.brokerEndpoint(),
                        cluster.proxyEndpoint(),
                        servers,
                        results,
                        points,
                        total)) {
                    System.err.println("bench: the cluster's logs and data are in " + runDirectory);
                    return 1;
                }
            } catch (IOException e) {
                System.err.println("synod bench scaling: " + e.getMessage());
                return 1;
            }
            BenchCommand.deleteTree(runDirectory);
        }
        BenchReport.writeScaling(points, settings(), results);
        System.out.print(BenchReport.scalingTable(points));
        System.out.println("results: " + results.toAbsolutePath().normalize());
        if (options.json) {
            List<Map<String, Object>> rows = new ArrayList<>();
            points.forEach(point -> rows.add(point.result().headline()));
            System.out.println(BenchReport.jsonLineOf(Map.of("points", rows)));
        }
        return 0;
    }

    /**
     * The folder of a point's results: {@code s<servers>-c<clients>}, then {@code -2}, {@code -3}... for a point
     * measured again (a repeated client count, e.g. {@code 64,1,64} to measure 64 clients on warm JVMs).
     */
    static String pointFolder(List<BenchReport.ScalingPoint> earlier, int servers, int clients) {
        long before = earlier.stream()
                .filter(point -> point.servers() == servers && point.clients() == clients)
                .count();
        return "s" + servers + "-c" + clients + (before == 0 ? "" : "-" + (before + 1));
    }

    /** Runs every client count against one cluster; false if a run failed. */
    private boolean runPoints(
            CommandLine commandLine,
            String broker,
            String proxy,
            int servers,
            Path results,
            List<BenchReport.ScalingPoint> points,
            int total)
            throws InterruptedException, IOException {
        for (int clients : clientCounts) {
            BenchConfig config =
                    options.config(commandLine, broker, proxy, clients, servers, WARMUP_DEFAULT, DURATION_DEFAULT);
            System.err.printf(
                    Locale.ROOT,
                    "scaling: point %d/%d: %s server(s), %d client(s)%n",
                    points.size() + 1,
                    total,
                    servers > 0 ? Integer.toString(servers) : "?",
                    clients);
            BenchResult result;
            try {
                result = new BenchRun(config, System.err::println).run();
            } catch (BenchException e) {
                System.err.println("synod bench scaling: " + e.getMessage());
                return false;
            }
            BenchReport.write(result, results.resolve(pointFolder(points, servers, clients)));
            points.add(new BenchReport.ScalingPoint(servers, clients, result));
            BenchResult.Summary s = result.summary();
            System.err.printf(
                    Locale.ROOT,
                    "scaling: %s server(s), %d client(s): %.1f acked/s, p99 %.2f ms, %d errors, %d timeouts%n",
                    servers > 0 ? Integer.toString(servers) : "?",
                    clients,
                    s.ackedPerSecond(),
                    s.writeLatency().p99Millis(),
                    s.errors(),
                    s.timeouts());
        }
        return true;
    }

    private Map<String, Object> settings() {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("workload", options.workload.label());
        settings.put("client_counts", clientCounts);
        settings.put("server_counts", serverCounts);
        settings.put("in_flight", options.inFlight);
        settings.put("message_bytes", options.messageBytes);
        Duration warmup = options.warmup != null ? options.warmup : WARMUP_DEFAULT;
        Duration duration = options.duration != null ? options.duration : DURATION_DEFAULT;
        settings.put("warmup_s", warmup.toMillis() / 1_000.0);
        settings.put("duration_s", duration.toMillis() / 1_000.0);
        return settings;
    }
}
