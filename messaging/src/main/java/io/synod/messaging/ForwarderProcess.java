package io.synod.messaging;

import io.synod.messaging.admin.AdminOptions;
import io.synod.messaging.zmtp.CurveCrypto;
import io.synod.messaging.zmtp.ZmtpCodec.SocketType;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;

/**
 * The body shared by the {@code broker} and {@code proxy} processes: open the interaction log,
 * bind a {@link Forwarder} and its admin endpoint ({@link ForwarderAdmin}), print {@code <name> admin=<url>} and the
 * ready line, and serve until SIGTERM.
 *
 * @param name process name, used in the log, the ready line and errors
 * @param frontendLabel how the frontend is named in the ready line, e.g. {@code frontend} or {@code xsub}
 * @param backendLabel how the backend is named, e.g. {@code backend} or {@code xpub}
 * @param curveSides the mechanism of each side in secure mode, of the server key ({@link ForwarderSecurity#broker}
 *     or {@link ForwarderSecurity#proxy})
 */
record ForwarderProcess(
        String name,
        String frontendLabel,
        SocketType frontendType,
        String backendLabel,
        SocketType backendType,
        Function<CurveCrypto.KeyPair, ForwarderSecurity> curveSides) {

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

    /**
     * Runs the process with the mechanism {@code securityOptions} give (secure mode: CURVE); prints the mode first;
     * returns its exit status (1 if it cannot bind, 2 for malformed security or admin options).
     */
    int run(
            String frontend,
            String backend,
            ForwarderConfig config,
            ForwarderSecurityOptions securityOptions,
            Path logFile,
            AdminOptions adminOptions) {
        ForwarderSecurity security;
        java.net.InetSocketAddress adminAddress;
        io.synod.messaging.admin.AdminGate gate;
        try {
            security = securityOptions.security(curveSides);
            adminAddress = adminOptions.address();
            gate = adminOptions.gate(security.frontend().isCurve());
        } catch (IllegalArgumentException e) {
            System.err.println(name + ": " + e.getMessage());
            return 2;
        }
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
        ForwarderAdmin admin;
        try {
            admin = ForwarderAdmin.start(name, forwarder, config, adminAddress, gate);
        } catch (UncheckedIOException e) {
            System.err.println(e.getMessage());
            forwarder.close();
            log.close();
            return 1;
        }
        System.out.println(name + " admin=" + admin.url());
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
                    admin.close();
                    log.close();
                },
                forwarder::awaitTermination);
    }
}
