package io.synod.messaging.peer;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Counters of {@link PeerLinks} or {@link StreamPeerLinks} since they started, for {@code /status} and tests.
 *
 * <p>Thread-safety: immutable.
 *
 * @param sentCount messages handed to ZeroMQ (stream links: written to the socket)
 * @param receivedCount valid messages received
 * @param droppedQueueFullCount messages dropped because a peer's queue was full (the oldest goes)
 * @param droppedExpiredCount queued messages dropped because they waited too long
 * @param droppedUnknownPeerCount messages for a peer with no known address
 * @param invalidReceivedCount frames that were not valid envelopes
 * @param queuedMessages messages waiting in the peer queues now
 * @param connectedPeers peers with a link (connected or reconnecting)
 */
public record PeerLinkStats(
        long sentCount,
        long receivedCount,
        long droppedQueueFullCount,
        long droppedExpiredCount,
        long droppedUnknownPeerCount,
        long invalidReceivedCount,
        int queuedMessages,
        int connectedPeers) {

    /** @return the counters as a map for {@code /status} and logs (the peer count is left out) */
    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("sent", sentCount);
        map.put("received", receivedCount);
        map.put("dropped_queue_full", droppedQueueFullCount);
        map.put("dropped_expired", droppedExpiredCount);
        map.put("dropped_unknown_peer", droppedUnknownPeerCount);
        map.put("invalid_received", invalidReceivedCount);
        map.put("queued", queuedMessages);
        return map;
    }
}
