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
 * The {@code proxy} process (requirement S2): XSUB bound for publishers (servers connect their PUB
 * sockets), XPUB bound for subscribers, and a plain {@link Forwarder} between them (subscriptions
 * flow upstream, publications downstream).
 *
 * <p>Prints {@code proxy ready xsub=<endpoint> xpub=<endpoint>} once bound.
 */
@Command(
        name = "proxy",
        mixinStandardHelpOptions = true,
        description = "Publish-subscribe proxy: XSUB for publishers, XPUB for subscribers.")
public final class ProxyCommand implements Callable<Integer> {
    @Option(names = "--xsub", description = "XSUB bind endpoint for publishers (default: ${DEFAULT-VALUE})")
    String xsub = "tcp://127.0.0.1:5557";

    @Option(names = "--xpub", description = "XPUB bind endpoint for subscribers (default: ${DEFAULT-VALUE})")
    String xpub = "tcp://127.0.0.1:5558";

    @Option(names = "--log", description = "interaction log file (JSON lines)")
    Path logFile;

    /** Starts a proxy; its frontend is the XSUB side, its backend the XPUB side. */
    public static Forwarder start(String xsub, String xpub, InteractionLog log, ProcessClock clock) {
        return Forwarder.start(
                "proxy", SocketType.XSUB, xsub, SocketType.XPUB, xpub, ForwarderConfig.DEFAULT, log, clock);
    }

    @Override
    public Integer call() {
        InteractionLog log = InteractionLog.open(logFile, "proxy");
        ProcessClock clock = ProcessClock.system();
        Forwarder proxy;
        try {
            proxy = start(xsub, xpub, log, clock);
        } catch (ZMQException e) {
            System.err.println("proxy: cannot bind " + xsub + " / " + xpub + ": " + e.getMessage());
            log.close();
            return 1;
        }
        log.event(
                "started",
                clock.lamport().current(),
                clock.nowSeconds(),
                Map.of("xsub", proxy.frontendEndpoint(), "xpub", proxy.backendEndpoint()));
        ProcessRunner.printReady(
                System.out, "proxy ready xsub=" + proxy.frontendEndpoint() + " xpub=" + proxy.backendEndpoint());
        return ProcessRunner.awaitShutdown(
                "proxy",
                () -> {
                    proxy.close();
                    log.close();
                },
                proxy::awaitTermination);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new ProxyCommand()).execute(args));
    }
}
