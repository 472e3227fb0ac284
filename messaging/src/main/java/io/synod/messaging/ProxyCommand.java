package io.synod.messaging;

import io.synod.messaging.zmtp.ZmtpCodec.SocketType;
import java.nio.file.Path;
import java.util.concurrent.Callable;
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

    private static final ForwarderProcess PROXY =
            new ForwarderProcess("proxy", "xsub", SocketType.XSUB, "xpub", SocketType.XPUB);

    /** Starts a proxy; its frontend is the XSUB side, its backend the XPUB side. */
    public static Forwarder start(String xsub, String xpub, InteractionLog log, ProcessClock clock) {
        return PROXY.start(xsub, xpub, log, clock);
    }

    @Override
    public Integer call() {
        return PROXY.run(xsub, xpub, logFile);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new ProxyCommand()).execute(args));
    }
}
