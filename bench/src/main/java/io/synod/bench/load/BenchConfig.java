package io.synod.bench.load;

import io.synod.messaging.EndpointList;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One bench run's settings, validated. Names carry their units.
 *
 * @param brokerEndpoint the broker's ROUTER (client side)
 * @param proxyEndpoint the proxy's XPUB (subscriber side)
 * @param workload what the clients send
 * @param clients bench clients, each with its own user, DEALER socket and client ids
 * @param inFlightPerClient requests each client keeps outstanding
 * @param channels channels of the publish and mixed workloads (fanout uses one)
 * @param fanoutSubscribers SUB sockets on the fanout channel
 * @param topicSubscribers SUB sockets per channel or user topic for publish, private and mixed (0: none)
 * @param readRatio share of reads in the mixed workload, 0 to 1
 * @param messageBytes length of each message text (ASCII, so characters = bytes)
 * @param warmup load before the measurement, not measured
 * @param duration measured load
 * @param requestTimeout a request without a reply after this long is a timeout (never retried)
 * @param driverThreads threads sharing the clients' sockets
 * @param servers the cluster's server count, for the report only (0 when unknown)
 * @param runTag a short tag unique to this run, in every user and channel name (no clash with earlier runs)
 * @param socialMix the operations of the social workload and their weights
 * @param followers celebrity: the users who follow the one author before it posts
 */
public record BenchConfig(
        String brokerEndpoint,
        String proxyEndpoint,
        Workload workload,
        int clients,
        int inFlightPerClient,
        int channels,
        int fanoutSubscribers,
        int topicSubscribers,
        double readRatio,
        int messageBytes,
        Duration warmup,
        Duration duration,
        Duration requestTimeout,
        int driverThreads,
        int servers,
        String runTag,
        SocialMix socialMix,
        int followers) {
    /** The protocol's longest message text (docs/protocol.md, Limits). */
    public static final int MESSAGE_BYTES_MAX = 4_096;

    public static final int CLIENTS_MAX = 10_000;
    public static final int IN_FLIGHT_MAX = 1_000;
    public static final int CHANNELS_MAX = 10_000;
    public static final int SUBSCRIBERS_MAX = 1_000;
    public static final int DRIVER_THREADS_MAX = 64;
    /** The protocol's longest post, in characters (docs/protocol.md, the social network). */
    public static final int POST_CHARS_MAX = io.synod.protocol.Social.POST_CHARS_MAX;
    /** Celebrity: a tenth of a million more than the scenario asks for, and no more. */
    public static final int FOLLOWERS_MAX = 1_000_000;

    public static final int FOLLOWERS_DEFAULT = 10_000;

    public BenchConfig {
        Objects.requireNonNull(brokerEndpoint, "brokerEndpoint");
        Objects.requireNonNull(proxyEndpoint, "proxyEndpoint");
        EndpointList.parse(brokerEndpoint, "--broker");
        EndpointList.parse(proxyEndpoint, "--proxy");
        Objects.requireNonNull(workload, "workload");
        Objects.requireNonNull(runTag, "runTag");
        Objects.requireNonNull(socialMix, "socialMix");
        requireRange("--followers", followers, 1, FOLLOWERS_MAX);
        if (workload == Workload.SOCIAL || workload == Workload.CELEBRITY) {
            requireRange("--message-bytes (a post)", messageBytes, 1, POST_CHARS_MAX);
        }
        requireRange("--clients", clients, 1, CLIENTS_MAX);
        requireRange("--in-flight", inFlightPerClient, 1, IN_FLIGHT_MAX);
        requireRange("--channels", channels, 1, CHANNELS_MAX);
        requireRange("--subscribers", fanoutSubscribers, 0, SUBSCRIBERS_MAX);
        requireRange("--topic-subscribers", topicSubscribers, 0, SUBSCRIBERS_MAX);
        requireRange("--message-bytes", messageBytes, 1, MESSAGE_BYTES_MAX);
        requireRange("--driver-threads", driverThreads, 1, DRIVER_THREADS_MAX);
        if (driverThreads > clients) {
            throw new IllegalArgumentException("--driver-threads must not exceed --clients");
        }
        if (!(readRatio >= 0 && readRatio <= 1)) {
            throw new IllegalArgumentException("--read-ratio must be between 0 and 1, was " + readRatio);
        }
        requirePositive("--duration", duration);
        requirePositive("--request-timeout", requestTimeout);
        if (warmup.isNegative()) {
            throw new IllegalArgumentException("--warmup must not be negative");
        }
        if (!runTag.matches("[a-z0-9]{1,12}")) {
            throw new IllegalArgumentException("the run tag must be 1-12 lower-case letters or digits");
        }
    }

    /** The settings of the workloads before social ones: the default mix, {@link #FOLLOWERS_DEFAULT}. */
    public BenchConfig(
            String brokerEndpoint,
            String proxyEndpoint,
            Workload workload,
            int clients,
            int inFlightPerClient,
            int channels,
            int fanoutSubscribers,
            int topicSubscribers,
            double readRatio,
            int messageBytes,
            Duration warmup,
            Duration duration,
            Duration requestTimeout,
            int driverThreads,
            int servers,
            String runTag) {
        this(
                brokerEndpoint,
                proxyEndpoint,
                workload,
                clients,
                inFlightPerClient,
                channels,
                fanoutSubscribers,
                topicSubscribers,
                readRatio,
                messageBytes,
                warmup,
                duration,
                requestTimeout,
                driverThreads,
                servers,
                runTag,
                SocialMix.DEFAULT,
                FOLLOWERS_DEFAULT);
    }

    /** The user name of client {@code index} (zero-padded, so no name is a prefix of another). */
    public String userName(int index) {
        return "b" + runTag + "u" + padded(index, clients);
    }

    /** Celebrity: the name of follower {@code index}. */
    public String followerName(int index) {
        return "b" + runTag + "f" + padded(index, followers);
    }

    /** Celebrity: the author everyone follows. */
    public String authorName() {
        return "b" + runTag + "star";
    }

    /** The name of channel {@code index}. */
    public String channelName(int index) {
        return "b" + runTag + "c" + padded(index, channelCount());
    }

    /** Channels this workload uses: none for private, one for fanout. */
    public int channelCount() {
        return switch (workload) {
            case PRIVATE, SOCIAL -> 0;
            case FANOUT, PROXY_FANOUT -> 1;
            case PUBLISH, MIXED, CELEBRITY -> channels;
        };
    }

    /** Whether many subscribers share one channel ({@code --subscribers}). */
    public boolean fansOut() {
        return workload == Workload.FANOUT || workload == Workload.PROXY_FANOUT;
    }

    /** The settings as JSON-ready values, for result.json. */
    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("workload", workload.label());
        map.put("clients", clients);
        map.put("in_flight", inFlightPerClient);
        map.put("servers", servers);
        map.put("channels", channelCount());
        map.put("fanout_subscribers", fansOut() ? fanoutSubscribers : 0);
        map.put("topic_subscribers", fansOut() ? 0 : topicSubscribers);
        map.put("read_ratio", workload == Workload.MIXED ? readRatio : 0.0);
        map.put("message_bytes", messageBytes);
        map.put("warmup_s", warmup.toMillis() / 1_000.0);
        map.put("duration_s", duration.toMillis() / 1_000.0);
        map.put("request_timeout_s", requestTimeout.toMillis() / 1_000.0);
        map.put("driver_threads", driverThreads);
        map.put("broker", workload == Workload.PROXY_FANOUT ? "none" : brokerEndpoint);
        map.put("proxy", workload == Workload.PROXY_FANOUT ? "in-process" : proxyEndpoint);
        map.put("run_tag", runTag);
        if (workload == Workload.SOCIAL) {
            map.put("social_mix", socialMix.label());
        }
        if (workload == Workload.CELEBRITY) {
            map.put("followers", followers);
        }
        return map;
    }

    private static String padded(int index, int count) {
        int width = Integer.toString(Math.max(0, count - 1)).length();
        StringBuilder text = new StringBuilder(Integer.toString(index));
        while (text.length() < width) {
            text.insert(0, '0');
        }
        return text.toString();
    }

    private static void requireRange(String option, long value, long low, long high) {
        if (value < low || value > high) {
            throw new IllegalArgumentException(option + " must be between " + low + " and " + high + ", was " + value);
        }
    }

    private static void requirePositive(String option, Duration value) {
        if (value == null || value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(option + " must be positive");
        }
    }

    /**
     * The broker of load connection {@code index}: with several brokers (a comma-separated {@code --broker}) the
     * connections are spread over them in turn; setup calls use the first.
     */
    public String brokerEndpoint(int index) {
        List<String> brokers = EndpointList.parse(brokerEndpoint, "--broker");
        return brokers.get(Math.floorMod(index, brokers.size()));
    }

    /** The proxy of subscriber socket {@code index}, spread over the proxies as the brokers are. */
    public String proxyEndpoint(int index) {
        List<String> proxies = EndpointList.parse(proxyEndpoint, "--proxy");
        return proxies.get(Math.floorMod(index, proxies.size()));
    }
}
