package io.synod.client;

/**
 * Receives the publications of the topics a {@link SynodClient} subscribed to: each one once,
 * in sequence order per topic; the one exception is a {@link Delivery.Source#CORRECTION}, which
 * repeats an earlier {@code seq} with the server's content after a forged copy was delivered.
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
