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
 * @param dedupEntriesMax the proxy's window of recent publications ({@link ForwarderDedup}): most publications
 *     remembered; 0 turns the dropping of repeats off (a plain {@code zmq.proxy}); the broker has no window
 * @param dedupBytesMax most bytes the window holds (payloads, topics, {@link ForwarderDedup#ENTRY_OVERHEAD_BYTES}
 *     each)
 * @param dedupAgeMaxMillis how long the window remembers a publication after its first copy
 * @param clientInFlightMax the broker's requests per client connection forwarded to the servers and not yet
 *     answered; the connection's further requests wait at the broker, and are read no more past {@code
 *     BrokerClient.WAITING_MAX}, so a client that floods with many requests in flight queues behind itself, not
 *     in front of every other client's requests in the servers' queues (docs/security.md, rate limits)
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
        long statsIntervalMillis,
        int dedupEntriesMax,
        long dedupBytesMax,
        long dedupAgeMaxMillis,
        int clientInFlightMax) {
    /**
     * Publications the proxy remembers by default: a leader change republishes the deliveries of about the last
     * 100 ms before it plus the election (about 1 s), and 131,072 of them cover 2 s at 65,000 deliveries per
     * second; with ~200-byte payloads they take ~40 MB.
     */
    public static final int DEDUP_ENTRIES_DEFAULT = 131_072;
    /** Bytes the proxy's window holds at most by default (what large payloads can take). */
    public static final long DEDUP_BYTES_DEFAULT = 48L << 20;
    /** How long the proxy remembers a publication by default: well past an election after a kill. */
    public static final long DEDUP_AGE_MILLIS_DEFAULT = 30_000;
    /**
     * Requests in flight per client connection by default: a Lazy Pirate client has one, a bench client 1 to 4; the
     * servers batch many clients' writes, not many of one client's.
     */
    public static final int CLIENT_IN_FLIGHT_DEFAULT = 16;

    public static final ForwarderConfig DEFAULT = new ForwarderConfig(
            100,
            100_000,
            256L << 20,
            16 << 20,
            64,
            256 << 10,
            10_000,
            1_000,
            DEDUP_ENTRIES_DEFAULT,
            DEDUP_BYTES_DEFAULT,
            DEDUP_AGE_MILLIS_DEFAULT,
            CLIENT_IN_FLIGHT_DEFAULT);

    public ForwarderConfig {
        if (pollIntervalMillis <= 0
                || highWaterMarkMessages <= 0
                || queueBytesMax <= 0
                || frameBytesMax <= 0
                || messageFramesMax <= 0
                || readBytesPerTurnMax <= 0
                || connectionsMax <= 0
                || statsIntervalMillis <= 0
                || clientInFlightMax <= 0) {
            throw new IllegalArgumentException("every forwarder limit must be positive");
        }
        if (dedupEntriesMax < 0 || dedupBytesMax <= 0 || dedupAgeMaxMillis <= 0) {
            throw new IllegalArgumentException(
                    "the dedup window needs entries >= 0 (0: off), and positive bytes and age");
        }
    }

    /** These limits, with another dedup window ({@code entriesMax} 0: none). */
    public ForwarderConfig withDedupWindow(int entriesMax, long bytesMax, long ageMaxMillis) {
        Copy copy = new Copy(this);
        copy.dedupEntriesMax = entriesMax;
        copy.dedupBytesMax = bytesMax;
        copy.dedupAgeMaxMillis = ageMaxMillis;
        return copy.build();
    }

    /** These limits, with another {@code clientInFlightMax}. */
    public ForwarderConfig withClientInFlightMax(int inFlight) {
        Copy copy = new Copy(this);
        copy.clientInFlightMax = inFlight;
        return copy.build();
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

    /** A record's fields to change some of and build again: the {@code withX} methods' one copy. */
    private static final class Copy {
        long pollIntervalMillis;
        int highWaterMarkMessages;
        long queueBytesMax;
        int frameBytesMax;
        int messageFramesMax;
        int readBytesPerTurnMax;
        int connectionsMax;
        long statsIntervalMillis;
        int dedupEntriesMax;
        long dedupBytesMax;
        long dedupAgeMaxMillis;
        int clientInFlightMax;

        Copy(ForwarderConfig config) {
            pollIntervalMillis = config.pollIntervalMillis;
            highWaterMarkMessages = config.highWaterMarkMessages;
            queueBytesMax = config.queueBytesMax;
            frameBytesMax = config.frameBytesMax;
            messageFramesMax = config.messageFramesMax;
            readBytesPerTurnMax = config.readBytesPerTurnMax;
            connectionsMax = config.connectionsMax;
            statsIntervalMillis = config.statsIntervalMillis;
            dedupEntriesMax = config.dedupEntriesMax;
            dedupBytesMax = config.dedupBytesMax;
            dedupAgeMaxMillis = config.dedupAgeMaxMillis;
            clientInFlightMax = config.clientInFlightMax;
        }

        ForwarderConfig build() {
            return new ForwarderConfig(
                    pollIntervalMillis,
                    highWaterMarkMessages,
                    queueBytesMax,
                    frameBytesMax,
                    messageFramesMax,
                    readBytesPerTurnMax,
                    connectionsMax,
                    statsIntervalMillis,
                    dedupEntriesMax,
                    dedupBytesMax,
                    dedupAgeMaxMillis,
                    clientInFlightMax);
        }
    }
}
