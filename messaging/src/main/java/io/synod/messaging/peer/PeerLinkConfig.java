package io.synod.messaging.peer;

import java.util.Objects;
import java.util.Set;

/**
 * Limits of {@link PeerLinks} and {@link StreamPeerLinks}, validated at construction.
 *
 * <p>Thread-safety: immutable.
 *
 * @param peerQueueMessagesMax messages waiting per peer while its link is down (or its socket
 *     buffer is full); when full, the oldest is dropped and counted
 * @param peerQueueMessageAgeMaxMillis a queued message older than this is dropped and counted
 *     instead of being delivered late (a stale heartbeat or poll only confuses a peer)
 * @param socketHighWaterMarkMessages ZeroMQ's send and receive high-water marks per socket ({@link
 *     PeerLinks} only; a stream link's only buffer is its queue)
 * @param receiveMessagesPerPollMax most messages taken from the sockets in one {@link
 *     PeerLinks#poll} call, so the owner's timers get a turn (a stream link also finishes the buffer it
 *     read, up to 64 KiB)
 * @param reconnectIntervalMillis first reconnect delay to a peer that is down
 * @param reconnectIntervalMaxMillis longest reconnect delay (exponential back-off)
 * @param unloggedServices services not written to the interaction log per message (periodic
 *     heartbeats that would drown everything else); their effects are logged as events
 */
public record PeerLinkConfig(
        int peerQueueMessagesMax,
        long peerQueueMessageAgeMaxMillis,
        int socketHighWaterMarkMessages,
        int receiveMessagesPerPollMax,
        int reconnectIntervalMillis,
        int reconnectIntervalMaxMillis,
        Set<String> unloggedServices) {

    /** Validates the limits. */
    public PeerLinkConfig {
        Objects.requireNonNull(unloggedServices, "unloggedServices");
        unloggedServices = Set.copyOf(unloggedServices);
        require(
                peerQueueMessagesMax >= 1 && peerQueueMessagesMax <= 1_000_000,
                "peerQueueMessagesMax must be in 1..1000000");
        require(peerQueueMessageAgeMaxMillis >= 1, "peerQueueMessageAgeMaxMillis must be >= 1");
        require(socketHighWaterMarkMessages >= 1, "socketHighWaterMarkMessages must be >= 1");
        require(receiveMessagesPerPollMax >= 1, "receiveMessagesPerPollMax must be >= 1");
        require(reconnectIntervalMillis >= 1, "reconnectIntervalMillis must be >= 1");
        require(
                reconnectIntervalMaxMillis >= reconnectIntervalMillis,
                "reconnectIntervalMaxMillis must be >= reconnectIntervalMillis");
    }

    /**
     * The defaults: 256 queued messages per peer for at most 2 s, high-water mark 1,000, 256
     * messages per poll, reconnect after 100 ms backing off to 1 s, coordinator heartbeats and
     * membership messages not logged one by one.
     *
     * @return the defaults
     */
    public static PeerLinkConfig defaults() {
        return new PeerLinkConfig(
                256,
                2_000,
                1_000,
                256,
                100,
                1_000,
                Set.of(CoordinationCodec.COORDINATOR_HEARTBEAT, CoordinationCodec.MEMBERS));
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
