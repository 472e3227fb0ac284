package io.synod.messaging;

import io.synod.messaging.zmtp.ZmtpConnection;

/**
 * Limits of a {@link Forwarder} (the broker and the pub/sub proxy).
 *
 * @param pollIntervalMillis longest wait for the sockets before checking for a stop request and for peers silent
 *     past their heartbeat time-to-live
 * @param highWaterMarkMessages messages queued per peer before the forwarder drops (to a client or a
 *     subscriber, like ZeroMQ's ROUTER and XPUB) or holds (towards the servers, like a DEALER) what else comes
 *     for it; also the most requests held while no server can take them, after which the clients' connections
 *     are not read (back-pressure, as {@code zmq.proxy} blocks)
 * @param queueBytesMax bytes queued per peer, the same way
 * @param frameBytesMax largest frame, and largest message (all its frames), accepted from a peer (its connection
 *     is closed otherwise)
 * @param messageFramesMax most frames in one message
 * @param readBytesPerTurnMax most bytes read from one connection per wake-up, so one busy peer cannot starve the
 *     others
 * @param connectionsMax most connections on each side; more are closed at once and counted
 * @param statsIntervalMillis how often the forwarded-message counters go to the interaction log
 *     <p>Thread-safety: immutable.
 */
public record ForwarderConfig(
        long pollIntervalMillis,
        int highWaterMarkMessages,
        long queueBytesMax,
        int frameBytesMax,
        int messageFramesMax,
        int readBytesPerTurnMax,
        int connectionsMax,
        long statsIntervalMillis) {
    public static final ForwarderConfig DEFAULT =
            new ForwarderConfig(100, 100_000, 256L << 20, 16 << 20, 64, 256 << 10, 10_000, 1_000);

    public ForwarderConfig {
        if (pollIntervalMillis <= 0
                || highWaterMarkMessages <= 0
                || queueBytesMax <= 0
                || frameBytesMax <= 0
                || messageFramesMax <= 0
                || readBytesPerTurnMax <= 0
                || connectionsMax <= 0
                || statsIntervalMillis <= 0) {
            throw new IllegalArgumentException("every forwarder limit must be positive");
        }
    }

    /** The limits of each connection. */
    ZmtpConnection.Limits connectionLimits() {
        return new ZmtpConnection.Limits(
                frameBytesMax,
                messageFramesMax,
                frameBytesMax,
                highWaterMarkMessages,
                queueBytesMax,
                readBytesPerTurnMax);
    }
}
