package io.synod.messaging;

import io.synod.messaging.zmtp.SubscriptionFilter;
import io.synod.messaging.zmtp.ZmtpCodec;
import io.synod.messaging.zmtp.ZmtpConnection;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.Consumer;

/**
 * The proxy's delivery of one publication to every matching subscriber ({@link SessionTopicGuard}): its ZMTP
 * encoding is made once, at the first subscriber, and shared by all of them (each queue holds a view of the same
 * bytes; a CURVE link boxes the frames for itself), so a fan-out to a hundred subscribers costs one encoding, not a
 * hundred. A subscriber whose queue is full misses it, counted, as XPUB drops.
 *
 * <p>Not thread-safe: owned by the forwarder's loop; one publication at a time.
 */
final class ProxyFanout implements Consumer<ZmtpConnection> {
    /** The forwarder's connections to flush this turn; a subscriber is added when its queue was empty. */
    private final List<ZmtpConnection> toFlush;

    private List<byte[]> frames;
    private ByteBuffer encoded;
    private int offered;
    private int dropped;

    ProxyFanout(List<ZmtpConnection> toFlush) {
        this.toFlush = toFlush;
    }

    /** Queues {@code publication} on every subscriber it matches; then {@link #offered} and {@link #dropped} tell. */
    void deliver(SubscriptionFilter<ZmtpConnection> subscriptions, List<byte[]> publication) {
        frames = publication;
        offered = 0;
        dropped = 0;
        try {
            SessionTopicGuard.forEachMatch(subscriptions, publication.get(0), this);
        } finally {
            frames = null;
            encoded = null;
        }
    }

    /** One matching subscriber. */
    @Override
    public void accept(ZmtpConnection subscriber) {
        offered++;
        if (encoded == null) {
            encoded = ZmtpCodec.message(frames);
        }
        boolean idle = !subscriber.hasOutput();
        if (!subscriber.send(frames, encoded)) {
            dropped++;
        } else if (idle) {
            toFlush.add(subscriber);
        }
    }

    /** Subscribers the last publication matched. */
    int offered() {
        return offered;
    }

    /** Of those, the ones whose queue had no room. */
    int dropped() {
        return dropped;
    }
}
