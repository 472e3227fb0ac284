package io.synod.messaging.peer;

import io.synod.messaging.InteractionLog;
import io.synod.messaging.ProcessClock;
import io.synod.protocol.Envelope;
import io.synod.protocol.Limits;
import io.synod.protocol.ProtocolException;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What both kinds of peer links do to every envelope, whatever carries it: a sent envelope is stamped
 * with the Lamport clock (incremented) and the synchronised time and logged; a received frame is
 * decoded within the limits, its {@code clock} merged and the envelope logged. Services in {@link
 * PeerLinkConfig#unloggedServices} are not logged. It also keeps the links' counters ({@link
 * PeerLinkStats}), which the links increment where they send, drop or refuse.
 *
 * <p>Thread-safety: not thread-safe; used by the thread that owns the links.
 */
final class PeerEnvelopes {
    private static final Logger LOG = LoggerFactory.getLogger(PeerEnvelopes.class);

    private final String selfName;
    private final PeerLinkConfig config;
    private final ProcessClock clock;
    private final InteractionLog log;
    private final Limits limits;
    long sentCount;
    long receivedCount;
    long droppedQueueFullCount;
    long droppedExpiredCount;
    long droppedUnknownPeerCount;
    long invalidReceivedCount;

    PeerEnvelopes(String selfName, PeerLinkConfig config, ProcessClock clock, InteractionLog log, Limits limits) {
        this.selfName = Objects.requireNonNull(selfName, "selfName");
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.log = Objects.requireNonNull(log, "log");
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    /** @return {@code message} stamped for sending to {@code peer} (logged unless its service is unlogged) */
    Envelope stamp(Envelope message, String peer) {
        long lamport = clock.tickForSend();
        double now = clock.nowSeconds();
        Envelope stamped = message.stamped(now, lamport);
        if (!config.unloggedServices().contains(message.service())) {
            log.sent(message.service(), peer, lamport, now, stamped.data());
        }
        return stamped;
    }

    /**
     * Decodes a received frame, merges its clock, logs it and adds it to {@code received}; a frame that is not a
     * valid envelope is counted and dropped.
     */
    void accept(String source, byte[] frame, List<byte[]> route, List<PeerInbound> received) {
        Envelope envelope;
        try {
            envelope = Envelope.decode(frame, limits);
        } catch (ProtocolException e) {
            invalidReceivedCount++;
            LOG.debug("{}: invalid peer frame from {}: {}", selfName, source, e.getMessage());
            return;
        }
        Object sentClock = envelope.data().get("clock");
        long lamport = clock.observe(sentClock instanceof Long c ? c : 0);
        if (!config.unloggedServices().contains(envelope.service())) {
            log.received(envelope.service(), source, lamport, clock.nowSeconds(), envelope.data());
        }
        receivedCount++;
        received.add(new PeerInbound(source, envelope, route));
    }

    /** @return the counters, with the links' queued messages and peers */
    PeerLinkStats stats(int queuedMessages, int peers) {
        return new PeerLinkStats(
                sentCount,
                receivedCount,
                droppedQueueFullCount,
                droppedExpiredCount,
                droppedUnknownPeerCount,
                invalidReceivedCount,
                queuedMessages,
                peers);
    }
}
