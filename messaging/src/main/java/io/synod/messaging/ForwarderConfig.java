package io.synod.messaging;

/**
 * Limits of a {@link Forwarder} (the broker and the pub/sub proxy).
 *
 * @param pollIntervalMillis how long one poll waits before checking for a stop request
 * @param highWaterMarkMessages ZeroMQ send and receive high-water mark of both sockets (messages
 *     queued per peer before the socket drops (ROUTER, XPUB) or blocks (DEALER))
 * @param messagesPerWakeupMax most messages forwarded from one socket per poll wake-up, so one busy
 *     side cannot starve the other
 * @param statsIntervalMillis how often the forwarded-message counters go to the interaction log
 * @param retryIntervalMillis how often a message the other side could not take yet (a DEALER with
 *     no server connected, a full queue) is offered again; meanwhile nothing more is read from its
 *     side (back-pressure, as {@code zmq.proxy} blocks), and the other direction keeps flowing
 *     <p>Thread-safety: immutable.
 */
public record ForwarderConfig(
        long pollIntervalMillis,
        int highWaterMarkMessages,
        int messagesPerWakeupMax,
        long statsIntervalMillis,
        long retryIntervalMillis) {
    public static final ForwarderConfig DEFAULT = new ForwarderConfig(100, 100_000, 256, 1_000, 10);

    public ForwarderConfig {
        if (pollIntervalMillis <= 0
                || highWaterMarkMessages <= 0
                || messagesPerWakeupMax <= 0
                || statsIntervalMillis <= 0
                || retryIntervalMillis <= 0) {
            throw new IllegalArgumentException("every forwarder limit must be positive");
        }
    }
}
