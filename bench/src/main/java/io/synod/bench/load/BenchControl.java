package io.synod.bench.load;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The phase of a run, set by the sampling thread and read by the driver and subscriber threads, and
 * the latches by which those threads report that they are set up. Thread-safe.
 */
final class BenchControl {
    /** Phases in order; threads only ever see the phase move forward. */
    enum Phase {
        /** Sockets connect, clients log in; nothing is sent by the load yet. */
        SETUP,
        /** Load runs; outcomes are shown but not part of the summary. */
        WARMUP,
        /** Load runs; requests sent now are measured. */
        MEASURE,
        /** No new requests; outstanding ones get their reply or time out. */
        DRAIN,
        /** Every thread closes its sockets and ends. */
        STOP
    }

    private volatile Phase phase = Phase.SETUP;
    private final CountDownLatch driversReady;
    private final CountDownLatch subscribersReady = new CountDownLatch(1);
    private final AtomicReference<String> failure = new AtomicReference<>();

    BenchControl(int drivers) {
        this.driversReady = new CountDownLatch(drivers);
    }

    Phase phase() {
        return phase;
    }

    void advance(Phase next) {
        if (next.compareTo(phase) > 0) {
            phase = next;
        }
    }

    CountDownLatch driversReady() {
        return driversReady;
    }

    CountDownLatch subscribersReady() {
        return subscribersReady;
    }

    /** Records the first failure of a thread and stops the run. */
    void fail(String text) {
        failure.compareAndSet(null, text);
        driversReady.countDown();
        subscribersReady.countDown();
        phase = Phase.STOP;
    }

    /** The first failure, or null. */
    String failure() {
        return failure.get();
    }
}
