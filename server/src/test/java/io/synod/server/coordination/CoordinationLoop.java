package io.synod.server.coordination;

import io.synod.messaging.InteractionLog;
import io.synod.messaging.ProcessClock;
import io.synod.messaging.zmtp.SelectorParty;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One {@link CoordinationService} on an event loop of its own, as a server runs it (one thread, one selector,
 * the service's links and its reference client on it), without the rest of the server. The test thread reads the
 * service's snapshot accessors only; chat messages reach the loop through {@link #noteMessages}.
 */
final class CoordinationLoop implements AutoCloseable {
    /** Longest wait of the loop, so a stop is seen soon. */
    private static final long WAIT_MAX_MILLIS = 50;

    final CoordinationService service;
    private final Selector selector;
    private final ReferenceClient reference;
    private final AtomicInteger notedMessages = new AtomicInteger();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;
    private final Thread thread;

    CoordinationLoop(CoordinationConfig config, ProcessClock clock, InteractionLog log) {
        try {
            selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        reference = new ReferenceClient(
                config.referenceEndpoint(), selector, config.referenceTimeoutMillis(), clock, log, config.limits());
        service = CoordinationService.open(config, clock, log, selector, reference);
        thread = new Thread(this::run, "coordination-test-" + config.selfName());
        thread.start();
    }

    /** Counts {@code count} chat messages on the loop's next turn. */
    void noteMessages(int count) {
        notedMessages.addAndGet(count);
    }

    private void run() {
        List<SelectorParty> watched = new java.util.ArrayList<>(service.watched());
        watched.add(reference);
        try {
            while (running) {
                long now = System.nanoTime();
                long wait = Math.min(WAIT_MAX_MILLIS, service.waitMillis(now));
                if (watched.stream().anyMatch(SelectorParty::hasReceived)) {
                    selector.selectNow();
                } else {
                    selector.select(Math.max(1, wait));
                }
                long after = System.nanoTime();
                for (SelectionKey key : selector.selectedKeys()) {
                    if (key.attachment() instanceof SelectorParty party) {
                        party.handle(key, after);
                    }
                }
                selector.selectedKeys().clear();
                for (int n = notedMessages.getAndSet(0); n > 0; n--) {
                    service.noteMessageExchanged();
                }
                service.turn(System.nanoTime());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            service.close();
            reference.close();
            try {
                selector.close();
            } catch (IOException e) {
                // closing anyway
            }
            stopped.countDown();
        }
    }

    @Override
    public void close() {
        running = false;
        selector.wakeup();
        try {
            stopped.await(5, TimeUnit.SECONDS);
            thread.join(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
