package io.synod.client;

/**
 * Receives the publications of the topics a {@link SynodClient} subscribed to: each one once,
 * in sequence order per topic.
 *
 * <p>Thread-safety: every method is called on the client's single delivery thread, one call at
 * a time, never on the caller's thread. A listener may call the client's blocking methods.
 */
public interface DeliveryListener {

    /** A publication, in order. */
    void onDelivery(Delivery delivery);

    /**
     * Publications {@code fromSeq..toSeq} of {@code topic} could not be fetched from history
     * after {@link ClientConfig#gapFillAttemptsMax()} tries and were skipped.
     */
    default void onGapSkipped(String topic, long fromSeq, long toSeq) {}
}
