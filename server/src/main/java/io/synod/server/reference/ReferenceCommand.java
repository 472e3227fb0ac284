package io.synod.server.reference;

import io.synod.messaging.InteractionLog;
import io.synod.messaging.ProcessClock;
import io.synod.messaging.ProcessRunner;
import io.synod.messaging.ServerKeyOption;
import io.synod.messaging.admin.AdminGate;
import io.synod.messaging.admin.AdminOptions;
import io.synod.registry.RegistryConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.zeromq.ZMQException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The {@code reference} process. Prints {@code reference ready bind=<endpoint> servers=<known>}
 * once it serves.
 */
@Command(
        name = "reference",
        mixinStandardHelpOptions = true,
        description = "Reference server: rank, list and heartbeat for the chat servers.")
public final class ReferenceCommand implements Callable<Integer> {
    @Option(names = "--bind", description = "REP bind endpoint (default: ${DEFAULT-VALUE})")
    String bind = "tcp://127.0.0.1:5559";

    @Option(names = "--data-dir", required = true, description = "directory for the persisted ranks")
    Path dataDirectory;

    @Option(
            names = "--heartbeat-timeout-ms",
            description = "list a server until this long after its last rank or heartbeat (default: ${DEFAULT-VALUE};"
                    + " the course's servers beat every 10 s)")
    long heartbeatTimeoutMillis = RegistryConfig.DEFAULT.heartbeatTimeoutMillis();

    @Option(names = "--log", description = "interaction log file (JSON lines)")
    Path logFile;

    @Mixin
    AdminOptions admin = new AdminOptions();

    @Option(names = "--secure", description = "secure mode: CURVE with --server-key (docs/security.md)")
    boolean secure;

    @CommandLine.Mixin
    ServerKeyOption serverKey = new ServerKeyOption();

    @Override
    public Integer call() {
        if (heartbeatTimeoutMillis <= 0) {
            System.err.println("reference: --heartbeat-timeout-ms must be positive");
            return 2;
        }
        java.net.InetSocketAddress adminAddress;
        AdminGate gate;
        io.synod.messaging.zmtp.CurveCrypto.KeyPair keys;
        try {
            adminAddress = admin.address();
            gate = admin.gate(secure); // no guarded route: a key given is still checked (AdminGate#of)
            keys = serverKey.load(secure);
        } catch (IllegalArgumentException e) {
            System.err.println("reference: " + e.getMessage());
            return 2;
        }
        System.out.println("reference mode=" + (secure ? "secure" : "compat"));
        InteractionLog log = InteractionLog.open(logFile, "reference");
        ProcessClock clock = ProcessClock.system();
        ReferenceServer server;
        try {
            server = ReferenceServer.start(
                    bind, dataDirectory, RegistryConfig.withHeartbeatTimeout(heartbeatTimeoutMillis), keys, log, clock);
        } catch (ZMQException e) {
            System.err.println("reference: cannot bind " + bind + ": " + e.getMessage());
            log.close();
            return 1;
        } catch (RuntimeException e) {
            System.err.println("reference: cannot start: " + e.getMessage());
            log.close();
            return 1;
        }
        ReferenceAdmin adminEndpoint;
        try {
            adminEndpoint = ReferenceAdmin.start(server, adminAddress, gate);
        } catch (java.io.UncheckedIOException e) {
            System.err.println(e.getMessage());
            server.close();
            log.close();
            return 1;
        }
        System.out.println("reference admin=" + adminEndpoint.url());
        log.event("started", clock.lamport().current(), clock.nowSeconds(), Map.of("bind", server.endpoint()));
        ProcessRunner.printReady(
                System.out, "reference ready bind=" + server.endpoint() + " servers=" + server.serversKnownAtStart());
        return ProcessRunner.awaitShutdown(
                "reference",
                () -> {
                    adminEndpoint.close();
                    server.close();
                    log.close();
                },
                server::awaitTermination);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new ReferenceCommand()).execute(args));
    }
}
