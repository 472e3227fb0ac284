package io.synod.client;

import io.synod.messaging.EndpointList;
import io.synod.protocol.Limits;
import java.util.List;
import java.util.Objects;

/**
 * Every setting and limit of a {@link SynodClient}, validated on construction. Immutable; build
 * one with {@link #defaults(String, String)} and the {@code with...} methods.
 *
 * @param brokerEndpoint the broker's client-facing ROUTER, e.g. {@code tcp://127.0.0.1:5555}, or several
 *     separated by commas: each request goes through a live one ({@link BrokerSockets})
 * @param proxyEndpoint the pub/sub proxy's XPUB, e.g. {@code tcp://127.0.0.1:5558}, or several separated by
 *     commas: the client subscribes on every one and drops the copies by {@code seq}
 * @param requestTimeoutMillis how long one attempt of a request waits for its reply (Lazy Pirate)
 * @param requestRetriesMax how many times a timed-out request is sent again (same request id)
 *     before it fails; a request is therefore sent at most {@code 1 + requestRetriesMax} times
 * @param requestsInFlightMax most requests sent and not yet answered, when the servers echo
 *     {@code request_id}; with servers that do not, the client keeps one request in flight
 * @param requestsQueuedMax most requests waiting for an in-flight slot; beyond it a request
 *     fails at once with {@link ClientException.TooManyRequests}
 * @param bufferedDeliveriesPerTopicMax most out-of-order publications held per topic while a gap
 *     is being filled; later ones are dropped and fetched from history instead
 * @param historyPageSize the {@code limit} of each history request
 * @param joinHistoryDeliverMax on subscribing with history, how many of the most recent messages
 *     are delivered (older ones only set the starting sequence number)
 * @param gapRetryDelayMillis wait before asking history again for a gap it could not fill yet
 * @param gapFillAttemptsMax history fetches for one gap before it is skipped and reported
 * @param limits the protocol limits used to decode replies and publications
 * @param serverPublicKey secure mode (docs/security.md): the cluster's CURVE server public key; the client's
 *     sockets then speak CURVE with a fresh key pair of their own and reach only that cluster. Null: NULL, as the
 *     statement's clients
 */
public record ClientConfig(
        String brokerEndpoint,
        String proxyEndpoint,
        long requestTimeoutMillis,
        int requestRetriesMax,
        int requestsInFlightMax,
        int requestsQueuedMax,
        int bufferedDeliveriesPerTopicMax,
        int historyPageSize,
        int joinHistoryDeliverMax,
        long gapRetryDelayMillis,
        int gapFillAttemptsMax,
        Limits limits,
        byte[] serverPublicKey) {

    public static final String BROKER_ENDPOINT_DEFAULT = "tcp://127.0.0.1:5555";
    public static final String PROXY_ENDPOINT_DEFAULT = "tcp://127.0.0.1:5558";
    public static final long REQUEST_TIMEOUT_MILLIS_DEFAULT = 2_500;
    public static final int REQUEST_RETRIES_MAX_DEFAULT = 3;

    public ClientConfig {
        Objects.requireNonNull(brokerEndpoint, "brokerEndpoint");
        Objects.requireNonNull(proxyEndpoint, "proxyEndpoint");
        Objects.requireNonNull(limits, "limits");
        EndpointList.parse(brokerEndpoint, "brokerEndpoint");
        EndpointList.parse(proxyEndpoint, "proxyEndpoint");
        positive(requestTimeoutMillis, "requestTimeoutMillis");
        if (requestRetriesMax < 0) {
            throw new IllegalArgumentException("requestRetriesMax must not be negative, was " + requestRetriesMax);
        }
        positive(requestsInFlightMax, "requestsInFlightMax");
        positive(requestsQueuedMax, "requestsQueuedMax");
        positive(bufferedDeliveriesPerTopicMax, "bufferedDeliveriesPerTopicMax");
        positive(historyPageSize, "historyPageSize");
        if (historyPageSize > limits.historyPageMax()) {
            throw new IllegalArgumentException("historyPageSize must be at most " + limits.historyPageMax());
        }
        if (joinHistoryDeliverMax < 0) {
            throw new IllegalArgumentException("joinHistoryDeliverMax must not be negative");
        }
        positive(gapRetryDelayMillis, "gapRetryDelayMillis");
        positive(gapFillAttemptsMax, "gapFillAttemptsMax");
    }

    /** Every broker's endpoint, in the order given. */
    public List<String> brokerEndpoints() {
        return EndpointList.parse(brokerEndpoint, "brokerEndpoint");
    }

    /** Every proxy's endpoint, in the order given. */
    public List<String> proxyEndpoints() {
        return EndpointList.parse(proxyEndpoint, "proxyEndpoint");
    }

    /**
     * The defaults: 2.5 s per attempt, 3 retries, 64 requests in flight, 10,000 queued, 1000
     * buffered per topic, history pages of 500 (the protocol's maximum), 20 replayed on join, gap
     * retries every 200 ms, 5 fetches per gap.
     */
    public static ClientConfig defaults(String brokerEndpoint, String proxyEndpoint) {
        return new ClientConfig(
                brokerEndpoint,
                proxyEndpoint,
                REQUEST_TIMEOUT_MILLIS_DEFAULT,
                REQUEST_RETRIES_MAX_DEFAULT,
                64,
                10_000,
                1_000,
                Limits.DEFAULT.historyPageMax(),
                20,
                200,
                5,
                Limits.DEFAULT,
                null);
    }

    /** The same settings speaking CURVE towards {@code key} (secure mode), or NULL for null. */
    public ClientConfig withServerPublicKey(byte[] key) {
        if (key != null && key.length != 32) {
            throw new IllegalArgumentException("serverPublicKey must be a 32-byte CURVE key");
        }
        Copy copy = new Copy(this);
        copy.serverPublicKey = key == null ? null : key.clone();
        return copy.build();
    }

    public ClientConfig withRequestTimeoutMillis(long millis) {
        Copy copy = new Copy(this);
        copy.requestTimeoutMillis = millis;
        return copy.build();
    }

    public ClientConfig withRequestRetriesMax(int retries) {
        Copy copy = new Copy(this);
        copy.requestRetriesMax = retries;
        return copy.build();
    }

    public ClientConfig withRequestsInFlightMax(int inFlight) {
        Copy copy = new Copy(this);
        copy.requestsInFlightMax = inFlight;
        return copy.build();
    }

    public ClientConfig withGapRetryDelayMillis(long millis) {
        Copy copy = new Copy(this);
        copy.gapRetryDelayMillis = millis;
        return copy.build();
    }

    public ClientConfig withHistoryPageSize(int pageSize) {
        Copy copy = new Copy(this);
        copy.historyPageSize = pageSize;
        return copy.build();
    }

    private static void positive(long value, String name) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }

    /** A record's fields to change one and build again: the {@code withX} methods' one copy. */
    private static final class Copy {
        String brokerEndpoint;
        String proxyEndpoint;
        long requestTimeoutMillis;
        int requestRetriesMax;
        int requestsInFlightMax;
        int requestsQueuedMax;
        int bufferedDeliveriesPerTopicMax;
        int historyPageSize;
        int joinHistoryDeliverMax;
        long gapRetryDelayMillis;
        int gapFillAttemptsMax;
        Limits limits;
        byte[] serverPublicKey;

        Copy(ClientConfig config) {
            brokerEndpoint = config.brokerEndpoint;
            proxyEndpoint = config.proxyEndpoint;
            requestTimeoutMillis = config.requestTimeoutMillis;
            requestRetriesMax = config.requestRetriesMax;
            requestsInFlightMax = config.requestsInFlightMax;
            requestsQueuedMax = config.requestsQueuedMax;
            bufferedDeliveriesPerTopicMax = config.bufferedDeliveriesPerTopicMax;
            historyPageSize = config.historyPageSize;
            joinHistoryDeliverMax = config.joinHistoryDeliverMax;
            gapRetryDelayMillis = config.gapRetryDelayMillis;
            gapFillAttemptsMax = config.gapFillAttemptsMax;
            limits = config.limits;
            serverPublicKey = config.serverPublicKey;
        }

        ClientConfig build() {
            return new ClientConfig(
                    brokerEndpoint,
                    proxyEndpoint,
                    requestTimeoutMillis,
                    requestRetriesMax,
                    requestsInFlightMax,
                    requestsQueuedMax,
                    bufferedDeliveriesPerTopicMax,
                    historyPageSize,
                    joinHistoryDeliverMax,
                    gapRetryDelayMillis,
                    gapFillAttemptsMax,
                    limits,
                    serverPublicKey);
        }
    }
}
