/**
 * The Synod client library: {@link io.synod.client.SynodClient} sends the CC7261 requests
 * through the broker (Lazy Pirate retries with stable request ids, many requests in flight when
 * the servers echo request ids) and receives publications from the proxy, delivered once and in
 * order per topic with gaps filled from history.
 *
 * <p>Map: {@code SynodClient} (public facade, thread-safe) funnels every call to
 * {@code ClientLoop} (the one I/O thread owning the ZeroMQ sockets), which uses
 * {@code RequestTracker} (request window and reply matching) and {@code Subscriptions}, one
 * {@code TopicSequencer} per topic (ordering, duplicates, gaps). {@code Deliverer} calls the
 * {@link io.synod.client.DeliveryListener} on its own thread. Subpackages: {@code terminal} (the
 * interactive client) and {@code bot} (the statement's automatic client).
 */
package io.synod.client;
