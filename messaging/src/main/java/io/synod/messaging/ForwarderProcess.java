package io.synod.messaging;

import io.synod.messaging.zmtp.ZmtpCodec.SocketType;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The body shared by the {@code broker} and {@code proxy} processes: open the interaction log,
 * bind a {@link Forwarder}, print the ready line, and serve until SIGTERM.
 *
 * @param name process name, used in the log, the ready line and errors
 * @param frontendLabel how the frontend is named in the ready line, e.g. {@code frontend} or {@code xsub}
 * @param backendLabel how the backend is named, e.g. {@code backend} or {@code xpub}
 */
record ForwarderProcess(
        String name, String frontendLabel, SocketType frontendType, String backendLabel, SocketType backendType) {

    Forwarder start(String frontend, String backend, ForwarderConfig config, InteractionLog log, ProcessClock clock) {
        return start(frontend, backend, config, ForwarderSecurity.NONE, log, clock);
    }

    Forwarder start(
            String frontend,
            String backend,
            ForwarderConfig config,
            ForwarderSecurity security,
            InteractionLog log,
            ProcessClock clock) {
        return Forwarder.start(name, frontendType, frontend, backendType, backend, config, security, log, clock);
    }

    /** Runs the process; returns its exit status (1 if it cannot bind). */
    int run(String frontend, String backend, ForwarderConfig config, Path logFile) {
        return run(frontend, backend, config, ForwarderSecurity.NONE, logFile);
    }

    /** Runs the process with {@code security} (secure mode: CURVE); prints the mode first. */
    int run(String frontend, String backend, ForwarderConfig config, ForwarderSecurity security, Path logFile) {
        System.out.println(name + " mode=" + (security.frontend().isCurve() ? "secure" : "compat"));
        InteractionLog log = InteractionLog.open(logFile, name);
        ProcessClock clock = ProcessClock.system();
        Forwarder forwarder;
        try {
            forwarder = start(frontend, backend, config, security, log, clock);
        } catch (UncheckedIOException | IllegalArgumentException e) {
            System.err.println(name + ": cannot bind " + frontend + " / " + backend + ": " + e.getMessage());
            log.close();
            return 1;
        }
        log.event(
                "started",
                clock.lamport().current(),
                clock.nowSeconds(),
                Map.of(frontendLabel, forwarder.frontendEndpoint(), backendLabel, forwarder.backendEndpoint()));
        ProcessRunner.printReady(
                System.out,
                name + " ready " + frontendLabel + "=" + forwarder.frontendEndpoint() + " " + backendLabel + "="
                        + forwarder.backendEndpoint());
        return ProcessRunner.awaitShutdown(
                name,
                () -> {
                    forwarder.close();
                    log.close();
                },
                forwarder::awaitTermination);
    }
}
