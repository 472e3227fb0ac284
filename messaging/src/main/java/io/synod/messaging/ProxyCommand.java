package io.synod.messaging;

import io.synod.messaging.admin.AdminOptions;
import io.synod.messaging.zmtp.ZmtpCodec.SocketType;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The {@code proxy} process (requirement S2): XSUB bound for publishers (servers connect their PUB
 * sockets), XPUB bound for subscribers, and a plain {@link Forwarder} between them (subscriptions
 * flow upstream, publications downstream), which drops a publication identical to one it forwarded shortly
 * before for the same topic and {@code seq} ({@link ForwarderDedup}; {@code --dedup-entries 0} turns that off).
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

    @Mixin
    AdminOptions admin = new AdminOptions();

    @Mixin
    ForwarderSecurityOptions security = new ForwarderSecurityOptions();

    @Option(
            names = "--dedup-entries",
            description = "publications remembered to drop identical repeats of a (topic, seq); 0: off"
                    + " (default: ${DEFAULT-VALUE})")
    int dedupEntries = ForwarderConfig.DEDUP_ENTRIES_DEFAULT;

    @Option(
            names = "--dedup-window-ms",
            description = "how long a publication is remembered after its first copy (default: ${DEFAULT-VALUE})")
    long dedupWindowMillis = ForwarderConfig.DEDUP_AGE_MILLIS_DEFAULT;

    @Option(names = "--dedup-bytes", description = "most bytes of publications remembered (default: ${DEFAULT-VALUE})")
    long dedupBytes = ForwarderConfig.DEDUP_BYTES_DEFAULT;

    private static final ForwarderProcess PROXY =
            new ForwarderProcess("proxy", "xsub", SocketType.XSUB, "xpub", SocketType.XPUB, ForwarderSecurity::proxy);

    /** Starts a proxy; its frontend is the XSUB side, its backend the XPUB side. */
    public static Forwarder start(String xsub, String xpub, InteractionLog log, ProcessClock clock) {
        return PROXY.start(xsub, xpub, ForwarderConfig.DEFAULT, log, clock);
    }

    /** Starts a proxy with other limits (the dedup window, in tests). */
    public static Forwarder start(
            String xsub, String xpub, ForwarderConfig config, InteractionLog log, ProcessClock clock) {
        return PROXY.start(xsub, xpub, config, log, clock);
    }

    /** Starts a proxy speaking {@code security} (tests of secure mode). */
    public static Forwarder start(
            String xsub, String xpub, ForwarderSecurity security, InteractionLog log, ProcessClock clock) {
        return PROXY.start(xsub, xpub, ForwarderConfig.DEFAULT, security, log, clock);
    }

    @Override
    public Integer call() {
        ForwarderConfig config;
        try {
            config = ForwarderConfig.DEFAULT.withDedupWindow(dedupEntries, dedupBytes, dedupWindowMillis);
        } catch (IllegalArgumentException e) {
            System.err.println("proxy: " + e.getMessage());
            return 2;
        }
        return PROXY.run(xsub, xpub, config, security, logFile, admin);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new ProxyCommand()).execute(args));
    }
}
