package io.synod.client;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands deliveries to the {@link DeliveryListener} on one dedicated thread, in the order the I/O
 * thread produced them, so a slow or blocking listener never stalls the sockets. Thread-safe.
 */
final class Deliverer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Deliverer.class);
    private static final long CLOSE_WAIT_MILLIS = 2_000;

    private final DeliveryListener listener;
    private final ExecutorService executor;

    Deliverer(DeliveryListener listener) {
        this.listener = listener;
        this.executor = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "synod-client-deliveries");
            thread.setDaemon(true);
            return thread;
        });
    }

    void deliver(List<Delivery> deliveries) {
        if (listener == null || deliveries.isEmpty()) {
            return;
        }
        run(() -> deliveries.forEach(listener::onDelivery));
    }

    void gapSkipped(String topic, long fromSeq, long toSeq) {
        if (listener == null) {
            return;
        }
        run(() -> listener.onGapSkipped(topic, fromSeq, toSeq));
    }

    private void run(Runnable action) {
        try {
            executor.execute(() -> {
                try {
                    action.run();
                } catch (RuntimeException e) {
                    LOG.error("the delivery listener failed", e);
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.debug("delivery after close dropped");
        }
    }

    @Override
    public void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
