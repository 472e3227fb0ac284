package io.synod.messaging;

import io.synod.messaging.admin.AdminOptions;
import io.synod.messaging.zmtp.ZmtpCodec.SocketType;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code broker} process (requirement S1): a ROUTER bound for clients, a DEALER bound for
 * servers, and a plain {@link Forwarder} between them, so foreign REQ clients and foreign REP
 * servers work unchanged.
 *
 * <p>Prints {@code broker ready frontend=<endpoint> backend=<endpoint>} once bound.
 */
@Command(
        name = "broker",
        mixinStandardHelpOptions = true,
        description = "Request-reply broker: ROUTER for clients, DEALER for servers.")
public final class BrokerCommand implements Callable<Integer> {
    @Option(names = "--frontend", description = "ROUTER bind endpoint for clients (default: ${DEFAULT-VALUE})")
    String frontend = "tcp://127.0.0.1:5555";

    @Option(names = "--backend", description = "DEALER bind endpoint for servers (default: ${DEFAULT-VALUE})")
    String backend = "tcp://127.0.0.1:5556";

    @Option(names = "--log", description = "interaction log file (JSON lines)")
    Path logFile;

    @CommandLine.Mixin
    AdminOptions admin = new AdminOptions();

    @CommandLine.Mixin
    ForwarderSecurityOptions security = new ForwarderSecurityOptions();

    private static final ForwarderProcess BROKER = new ForwarderProcess(
            "broker", "frontend", SocketType.ROUTER, "backend", SocketType.DEALER, ForwarderSecurity::broker);

    /** Starts a broker (tests and the launcher's in-process mode use this directly). */
    public static Forwarder start(String frontend, String backend, InteractionLog log, ProcessClock clock) {
        return BROKER.start(frontend, backend, ForwarderConfig.DEFAULT, log, clock);
    }

    /** Starts a broker speaking {@code security} (tests of secure mode). */
    public static Forwarder start(
            String frontend, String backend, ForwarderSecurity security, InteractionLog log, ProcessClock clock) {
        return BROKER.start(frontend, backend, ForwarderConfig.DEFAULT, security, log, clock);
    }

    @Override
    public Integer call() {
        return BROKER.run(frontend, backend, ForwarderConfig.DEFAULT, security, logFile, admin);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new BrokerCommand()).execute(args));
    }
}
