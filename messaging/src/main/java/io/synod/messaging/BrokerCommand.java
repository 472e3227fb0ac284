package io.synod.messaging;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.zeromq.SocketType;
import org.zeromq.ZMQException;
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

    /** Starts a broker (tests and the launcher's in-process mode use this directly). */
    public static Forwarder start(String frontend, String backend, InteractionLog log, ProcessClock clock) {
        return Forwarder.start(
                "broker", SocketType.ROUTER, frontend, SocketType.DEALER, backend, ForwarderConfig.DEFAULT, log, clock);
    }

    @Override
    public Integer call() {
        InteractionLog log = InteractionLog.open(logFile, "broker");
        ProcessClock clock = ProcessClock.system();
        Forwarder broker;
        try {
            broker = start(frontend, backend, log, clock);
        } catch (ZMQException e) {
            System.err.println("broker: cannot bind " + frontend + " / " + backend + ": " + e.getMessage());
            log.close();
            return 1;
        }
        log.event(
                "started",
                clock.lamport().current(),
                clock.nowSeconds(),
                Map.of("frontend", broker.frontendEndpoint(), "backend", broker.backendEndpoint()));
        ProcessRunner.printReady(
                System.out,
                "broker ready frontend=" + broker.frontendEndpoint() + " backend=" + broker.backendEndpoint());
        return ProcessRunner.awaitShutdown(
                "broker",
                () -> {
                    broker.close();
                    log.close();
                },
                broker::awaitTermination);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new BrokerCommand()).execute(args));
    }
}
