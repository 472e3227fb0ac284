package io.synod.cli;

import io.synod.bench.load.BenchConfig;
import io.synod.bench.load.BenchDurations;
import io.synod.bench.load.SocialMix;
import io.synod.bench.load.Workload;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The options {@code synod bench} and {@code synod bench scaling} share (a picocli mixin). Options
 * whose default differs between the two ({@code --warmup}, {@code --duration}) are null when not
 * given.
 */
final class BenchOptions {
    /** The name of a started cluster's folder begins with this. */
    private static final String CLUSTER_DIRECTORY_PREFIX = "synod-bench-";

    @Option(
            names = "--workload",
            defaultValue = "publish",
            converter = WorkloadConverter.class,
            description = "publish, private, mixed, fanout, social (posts, follows, feed, timeline and notification"
                    + " reads), celebrity (--followers follow one author, who posts under a publish load) or"
                    + " proxy-fanout (a proxy of its own, no cluster: one publisher to --subscribers)"
                    + " (default: ${DEFAULT-VALUE}).")
    Workload workload;

    @Option(
            names = "--social-mix",
            defaultValue = "post=20,follow=10,feed=30,timeline=15,notifications=25",
            converter = SocialMixConverter.class,
            description = "Social: the weight of each operation; follow turns to unfollow once a client follows 8"
                    + " (default: ${DEFAULT-VALUE}).")
    SocialMix socialMix;

    @Option(
            names = "--followers",
            defaultValue = "10000",
            description = "Celebrity: users who follow the author before it posts, up to 1000000"
                    + " (default: ${DEFAULT-VALUE}; the issue's case is 100000).")
    int followers;

    @Option(
            names = "--in-flight",
            defaultValue = "1",
            description = "Requests each client keeps outstanding (default: ${DEFAULT-VALUE}).")
    int inFlight;

    @Option(
            names = "--channels",
            defaultValue = "8",
            description = "Channels of the publish and mixed workloads (default: ${DEFAULT-VALUE}).")
    int channels;

    @Option(
            names = "--subscribers",
            defaultValue = "10",
            description = "Fanout: SUB sockets on the one channel (default: ${DEFAULT-VALUE}).")
    int fanoutSubscribers;

    @Option(
            names = "--topic-subscribers",
            defaultValue = "1",
            description = "publish/mixed: SUB sockets per channel; private: subscribers per user topic"
                    + " (users spread over at most 16 sockets); 0 = none (default: ${DEFAULT-VALUE}).")
    int topicSubscribers;

    @Option(
            names = "--read-ratio",
            defaultValue = "0.5",
            description = "Mixed: share of reads (history, channels, users) (default: ${DEFAULT-VALUE}).")
    double readRatio;

    @Option(
            names = "--message-bytes",
            defaultValue = "100",
            description = "Length of each message text, 1-4096 (default: ${DEFAULT-VALUE}).")
    int messageBytes;

    @Option(
            names = "--warmup",
            converter = DurationConverter.class,
            description = "Load before measuring, not measured (default: 2s on a running cluster, 15s on one the"
                    + " bench starts, for the JIT; scaling: 5s per point).")
    Duration warmup;

    @Option(
            names = "--duration",
            converter = DurationConverter.class,
            description = "Measured time, e.g. 500ms, 20s, 1m (default: 10s; scaling: 5s per point).")
    Duration duration;

    @Option(
            names = "--request-timeout",
            defaultValue = "5s",
            converter = DurationConverter.class,
            description = "A request without a reply after this long counts as a timeout; never retried"
                    + " (default: ${DEFAULT-VALUE}).")
    Duration requestTimeout;

    @Option(names = "--driver-threads", description = "Threads sending the load (default: min(clients, 4)).")
    Integer driverThreads;

    @Option(names = "--broker", description = "Target a running cluster: its broker's client endpoint (with --proxy).")
    String broker;

    @Option(names = "--proxy", description = "Target a running cluster: its proxy's XPUB endpoint (with --broker).")
    String proxy;

    @Option(
            names = "--brokers",
            defaultValue = "1",
            description = "A started cluster: its number of brokers, 1 to " + UpCommand.BROKERS_MAX
                    + " (synod up --brokers); the load spreads over them (default: ${DEFAULT-VALUE}).")
    int brokers;

    @Option(
            names = "--proxies",
            defaultValue = "1",
            description = "A started cluster: its number of proxies, 1 to " + UpCommand.BROKERS_MAX
                    + " (synod up --proxies); subscribers spread over them (default: ${DEFAULT-VALUE}).")
    int proxies;

    @Option(names = "--results", description = "Results folder (default: bench-results/<yyyyMMdd-HHmmss>-<workload>).")
    Path results;

    @Option(names = "--json", description = "Print the summary as one JSON object on the last line of stdout.")
    boolean json;

    @Option(
            names = "--ready-timeout",
            defaultValue = "120s",
            converter = DurationConverter.class,
            description = "How long a started cluster may take to be ready (default: ${DEFAULT-VALUE}).")
    Duration readyTimeout;

    @Option(
            names = "--cluster-root",
            description = "Where a cluster the bench starts keeps its data and logs: a new folder under this one"
                    + " (default: the system's temporary folder). A tmpfs such as /dev/shm takes the disk out of the"
                    + " numbers.")
    Path clusterRoot;

    /**
     * Whether the bench targets a running cluster instead of starting one; checks the options that depend on which.
     */
    boolean external(CommandLine commandLine) {
        if ((broker == null) != (proxy == null)) {
            throw new CommandLine.ParameterException(commandLine, "--broker and --proxy go together");
        }
        if (broker != null && clusterRoot != null) {
            throw new CommandLine.ParameterException(
                    commandLine, "--cluster-root is for a cluster the bench starts, not one given with --broker");
        }
        if (broker != null && (brokers != 1 || proxies != 1)) {
            throw new CommandLine.ParameterException(
                    commandLine,
                    "--brokers and --proxies are for a cluster the bench starts; list a running cluster's"
                            + " endpoints in --broker and --proxy, separated by commas");
        }
        if (brokers < 1 || brokers > UpCommand.BROKERS_MAX) {
            throw new CommandLine.ParameterException(
                    commandLine, "--brokers must be 1 to " + UpCommand.BROKERS_MAX + ", was " + brokers);
        }
        if (proxies < 1 || proxies > UpCommand.BROKERS_MAX) {
            throw new CommandLine.ParameterException(
                    commandLine, "--proxies must be 1 to " + UpCommand.BROKERS_MAX + ", was " + proxies);
        }
        return broker != null;
    }

    /** The shape of a cluster the bench starts with {@code servers} servers. */
    BenchCluster.Shape shape(int servers) {
        return new BenchCluster.Shape(servers, brokers, proxies);
    }

    /** A new, empty folder for a cluster the bench starts: under {@code --cluster-root}, or the temporary folder. */
    Path newClusterDirectory() throws IOException {
        if (clusterRoot == null) {
            return Files.createTempDirectory(CLUSTER_DIRECTORY_PREFIX);
        }
        Files.createDirectories(clusterRoot);
        return Files.createTempDirectory(clusterRoot, CLUSTER_DIRECTORY_PREFIX);
    }

    /** The settings of one run; bad values become a picocli usage error. */
    BenchConfig config(
            CommandLine commandLine,
            String brokerEndpoint,
            String proxyEndpoint,
            int clients,
            int servers,
            Duration warmupOrDefault,
            Duration durationOrDefault) {
        int threads = driverThreads != null ? driverThreads : Math.min(clients, 4);
        try {
            return new BenchConfig(
                    brokerEndpoint,
                    proxyEndpoint,
                    workload,
                    clients,
                    inFlight,
                    channels,
                    fanoutSubscribers,
                    topicSubscribers,
                    readRatio,
                    messageBytes,
                    warmup != null ? warmup : warmupOrDefault,
                    duration != null ? duration : durationOrDefault,
                    requestTimeout,
                    Math.min(threads, clients),
                    servers,
                    runTag(),
                    socialMix,
                    followers);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(commandLine, e.getMessage());
        }
    }

    /** The results folder: given, or a new time-stamped one under bench-results/. */
    Path resultsDirectory(String kind) {
        if (results != null) {
            return results;
        }
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT));
        return Path.of("bench-results", stamp + "-" + kind);
    }

    /** A tag unique to a run (base 36 of a random number), so names never clash with earlier runs. */
    static String runTag() {
        long sixDigits = 36L * 36 * 36 * 36 * 36 * 36;
        return Long.toString(ThreadLocalRandom.current().nextLong(sixDigits / 36, sixDigits), 36);
    }

    /** Parses {@code 500ms}, {@code 2s}, {@code 1m}. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return BenchDurations.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** Parses a workload name, case-insensitively. */
    static final class WorkloadConverter implements CommandLine.ITypeConverter<Workload> {
        @Override
        public Workload convert(String value) {
            for (Workload workload : Workload.values()) {
                if (workload.label().equalsIgnoreCase(value.trim())) {
                    return workload;
                }
            }
            throw new CommandLine.TypeConversionException("'" + value
                    + "' is not a workload; use publish, private, mixed, fanout, social, celebrity or proxy-fanout");
        }
    }

    /** Parses {@code post=20,follow=10,...}. */
    static final class SocialMixConverter implements CommandLine.ITypeConverter<SocialMix> {
        @Override
        public SocialMix convert(String value) {
            try {
                return SocialMix.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
