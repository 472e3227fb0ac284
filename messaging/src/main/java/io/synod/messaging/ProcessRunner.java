package io.synod.messaging;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life cycle every Synod process shares once it serves: wait until it stops, and on SIGTERM or
 * Ctrl-C close it cleanly (sockets, store, ZeroMQ context) in a shutdown hook.
 *
 * <p>Exit status: the JVM reports 143 (130 for Ctrl-C) after a signal even when every hook
 * succeeded, so after a clean close the hook halts with status 0, as the launcher contract asks; a
 * close that throws halts with 1. A service that stops by itself (a fatal error) makes
 * {@link #awaitShutdown} return 1 after removing the hook.
 *
 * <p>Thread-safety: call {@link #awaitShutdown} once, from the main thread.
 */
public final class ProcessRunner {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessRunner.class);

    private ProcessRunner() {}

    /** Blocks until the service stops; see the class doc. */
    @FunctionalInterface
    public interface Termination {
        void await() throws InterruptedException;
    }

    /**
     * Installs the shutdown hook and blocks until the service terminates.
     *
     * @return 1 if the service stopped by itself (the hook handles signals and never returns here)
     */
    public static int awaitShutdown(String processName, AutoCloseable service, Termination termination) {
        AtomicBoolean signalled = new AtomicBoolean();
        Thread hook = new Thread(
                () -> {
                    signalled.set(true);
                    int status = 0;
                    try {
                        service.close();
                        LOG.info("{} stopped", processName);
                    } catch (Exception e) {
                        LOG.error("{}: error while stopping", processName, e);
                        status = 1;
                    }
                    Runtime.getRuntime().halt(status);
                },
                processName + "-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            termination.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (signalled.get()) {
            waitForever(); // the hook is closing the service and will halt the JVM
        }
        Runtime.getRuntime().removeShutdownHook(hook);
        try {
            service.close();
        } catch (Exception e) {
            LOG.error("{}: error while stopping", processName, e);
        }
        LOG.error("{} stopped unexpectedly", processName);
        return 1;
    }

    /** Prints the one {@code ready} line the launcher and the tests wait for, and flushes it. */
    public static void printReady(PrintStream out, String line) {
        out.println(line);
        out.flush();
    }

    private static void waitForever() {
        Object never = new Object();
        synchronized (never) {
            while (true) {
                try {
                    never.wait();
                } catch (InterruptedException e) {
                    // keep waiting: the shutdown hook ends the JVM
                }
            }
        }
    }
}
