package io.synod.messaging.peer;

/**
 * Counters of {@link PeerLinks} since it started, for {@code /status} and tests.
 *
 * <p>Thread-safety: immutable.
 *
 * @param sentCount messages handed to ZeroMQ
 * @param receivedCount valid messages received
 * @param droppedQueueFullCount messages dropped because a peer's queue was full (the oldest goes)
 * @param droppedExpiredCount queued messages dropped because they waited too long
 * @param droppedUnknownPeerCount messages for a peer with no known address
 * @param invalidReceivedCount frames that were not valid envelopes
 * @param queuedMessages messages waiting in the peer queues now
 * @param connectedPeers peers with a DEALER (connected or reconnecting)
 */
public record PeerLinkStats(
        long sentCount,
        long receivedCount,
        long droppedQueueFullCount,
        long droppedExpiredCount,
        long droppedUnknownPeerCount,
        long invalidReceivedCount,
        int queuedMessages,
        int connectedPeers) {}
