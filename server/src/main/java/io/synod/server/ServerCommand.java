package io.synod.server;

import io.synod.clock.SoftwareClockConfig;
import io.synod.messaging.EndpointList;
import io.synod.messaging.ProcessRunner;
import io.synod.messaging.ServerKeyOption;
import io.synod.messaging.TcpEndpoint;
import io.synod.messaging.admin.AdminGate;
import io.synod.messaging.admin.AdminOptions;
import io.synod.server.coordination.CoordinationConfig;
import io.synod.server.replication.ReplicationConfig;
import io.synod.store.RocksDbLibrary;
import io.synod.store.StoreException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.zeromq.ZMQException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The {@code server} process. Prints {@code server <name> ready admin=http://<admin host>:<port>
 * rank=<rank>} once it serves ({@code rank=0} when the reference did not answer yet), after {@code server <name>
 * mode=secure} or {@code mode=compat} at start-up.
 *
 * <p>Every server is a member of a Paxos group: the group of {@code --initial-members}, or without them a group of one
 * ({@link ReplicationConfig#alone}) listening on {@code --paxos-endpoint}, by default any free loopback port.
 */
@Command(
        name = "server",
        mixinStandardHelpOptions = true,
        description = "Chat server: a member of the Paxos group of --initial-members, or a group of one without.")
public final class ServerCommand implements Callable<Integer> {
    @Option(names = "--name", required = true, description = "unique server name")
    String name;

    @Option(
            names = "--broker",
            split = ",",
            defaultValue = "tcp://127.0.0.1:5556",
            description = "broker DEALER endpoint; repeat it or separate by commas to connect to several brokers"
                    + " (default: ${DEFAULT-VALUE})")
    List<String> brokers;

    @Option(
            names = "--proxy",
            split = ",",
            defaultValue = "tcp://127.0.0.1:5557",
            description = "proxy XSUB endpoint; repeat it or separate by commas to publish to several proxies"
                    + " (default: ${DEFAULT-VALUE})")
    List<String> proxies;

    @Option(names = "--reference", description = "reference REP endpoint (default: ${DEFAULT-VALUE})")
    String reference = "tcp://127.0.0.1:5559";

    @Option(names = "--data-dir", required = true, description = "this server's own data directory")
    Path dataDirectory;

    @Mixin
    AdminOptions admin = new AdminOptions();

    @Option(names = "--advertise", description = "peer address sent to the reference (default: ${DEFAULT-VALUE})")
    String advertise = "tcp://127.0.0.1:0";

    @Option(names = "--clock-skew-ms", description = "injected physical clock skew (default: ${DEFAULT-VALUE})")
    long clockSkewMillis = 0;

    @Option(
            names = "--clock-sync-interval-ms",
            description = "Berkeley round interval when coordinator (default: ${DEFAULT-VALUE})")
    long clockSyncIntervalMillis = 5_000;

    @Option(names = "--log", description = "interaction log file (JSON lines)")
    Path logFile;

    @Option(
            names = "--initial-members",
            description = "replicate with these servers: name=tcp://host:port,... in node-id order, the same list on"
                    + " every server, this server included (its Paxos endpoint); absent: a group of one (this server)")
    String initialMembers;

    @Option(
            names = "--join",
            description = "join the running cluster of --initial-members as a learner (then a voter);"
                    + " needs --paxos-endpoint")
    boolean join;

    @Option(
            names = "--join-unless-member",
            description = "join (as --join) only when --name is not among --initial-members: one command line for"
                    + " every pod of a StatefulSet, the genesis members and those added by scaling (docs/deploy.md)")
    boolean joinUnlessMember;

    @Option(
            names = "--paxos-endpoint",
            description = "this server's replication endpoint when it joins, or alone (default alone: "
                    + ReplicationConfig.ALONE_ENDPOINT + ", any free loopback port)")
    String paxosEndpoint;

    @Option(
            names = "--snapshot-interval-slots",
            description = "take a snapshot (a RocksDB checkpoint) and truncate the Paxos log every this many applied"
                    + " slots (default: ${DEFAULT-VALUE})")
    int snapshotIntervalSlots = ReplicationConfig.SNAPSHOT_INTERVAL_SLOTS_DEFAULT;

    @Mixin
    RateLimitOptions rateLimits = new RateLimitOptions();

    @Option(
            names = "--secure",
            description = "secure mode: logins need a password, writes and private reads a session token"
                    + " (docs/security.md); without it, compat mode (the statement's protocol unchanged)")
    boolean secure;

    @Mixin
    ServerKeyOption serverKey = new ServerKeyOption();

    @Option(
            names = "--search-index",
            description = "when this server keeps its search index: on-demand (built from the store by the first"
                    + " search, which waits for it; dropped after "
                    + SearchService.SEARCH_INDEX_IDLE_DROP_MILLIS / 60_000
                    + " minutes without one) or always (from start-up:"
                    + " no first-search wait, but every message is indexed) (default: ${DEFAULT-VALUE})")
    String searchIndex = SearchIndexMode.ON_DEMAND.optionValue();

    @Override
    public Integer call() {
        ServerConfig config;
        CoordinationConfig coordination;
        ReplicationConfig replication;
        AdminGate gate;
        java.net.InetSocketAddress adminAddress;
        try {
            adminAddress = admin.address();
            gate = admin.gate(secure);
            String broker = EndpointList.join(brokers);
            String proxy = EndpointList.join(proxies);
            config = ServerConfig.defaults(name, broker, proxy, reference, dataDirectory, adminAddress.getPort())
                    .withAdvertisedAddress(advertise)
                    .withClockSkewMillis(clockSkewMillis)
                    .withLogFile(logFile)
                    .withRateLimits(rateLimits.limits())
                    .withSecure(secure)
                    .withAdmin(new ServerAdmin(adminAddress.getHostString(), gate))
                    .withServerKeys(serverKey.load(secure))
                    .withSearchIndex(SearchIndexMode.fromOption("--search-index", searchIndex));
            long skewMaxMillis = SoftwareClockConfig.defaults().skewMaxMillis();
            if (Math.abs(clockSkewMillis) > skewMaxMillis) {
                throw new IllegalArgumentException("--clock-skew-ms must be within +-" + skewMaxMillis);
            }
            coordination = CoordinationConfig.defaults(name, advertise, reference, proxy)
                    .withClockSyncIntervalMillis(clockSyncIntervalMillis);
            if (initialMembers != null) {
                var members = ReplicationConfig.parseMembers(initialMembers);
                join |= joinUnlessMember && !members.containsKey(name);
                if (join && paxosEndpoint == null) {
                    throw new IllegalArgumentException("--join needs --paxos-endpoint");
                }
                replication = ReplicationConfig.defaults(name, join ? paxosEndpoint : members.get(name), join, members)
                        .withSnapshotIntervalSlots(snapshotIntervalSlots)
                        .withAdminGate(gate);
            } else if (join) {
                throw new IllegalArgumentException("--join needs --initial-members (the cluster to join)");
            } else {
                String endpoint = paxosEndpoint == null ? ReplicationConfig.ALONE_ENDPOINT : paxosEndpoint;
                TcpEndpoint.parse(endpoint, true); // a clear exit 2 for a malformed one, as for --initial-members
                replication = ReplicationConfig.alone(name, endpoint)
                        .withSnapshotIntervalSlots(snapshotIntervalSlots)
                        .withAdminGate(gate);
            }
        } catch (IllegalArgumentException e) {
            System.err.println("server: " + e.getMessage());
            return 2;
        }
        System.out.println("server " + name + " mode=" + (secure ? "secure" : "compat"));
        if (gate.keyRequired()) { // says so at start-up, never the key
            System.out.println("server " + name + " admin operations "
                    + (admin.keyFile() == null ? "disabled (secure mode without --admin-key)" : "need the admin key"));
        }
        try { // before any other RocksDB class: a killed server then leaves no copy of it in the temporary directory
            RocksDbLibrary.Loaded library =
                    RocksDbLibrary.load(config.dataDirectory().resolve("lib"));
            if (library.file().isEmpty()) {
                System.err.println("server " + name + ": " + library.fallbackReason()
                        + "; using a temporary copy (left behind if this process is killed)");
            }
        } catch (RuntimeException e) {
            System.err.println("server " + name + ": cannot load RocksDB's library: " + e);
            return 1;
        }
        ChatServer server;
        try {
            server = ChatServer.start(config, coordination, replication);
        } catch (StoreException e) {
            System.err.println("server " + name + ": " + e.getMessage());
            return 1;
        } catch (ZMQException e) {
            System.err.println("server " + name + ": cannot connect: " + e.getMessage());
            return 1;
        } catch (java.io.UncheckedIOException e) {
            System.err.println("server " + name + ": " + e.getMessage()); // e.g. the replication endpoint in use
            return 1;
        } catch (RuntimeException e) {
            System.err.println("server " + name + ": cannot start (admin address " + adminAddress + " in use?): " + e);
            return 1;
        }
        ProcessRunner.printReady(
                System.out,
                "server " + name + " ready admin=http://" + adminUrlHost(adminAddress) + ":" + server.adminPort()
                        + " rank=" + server.rank());
        return ProcessRunner.awaitShutdown("server " + name, server, server::awaitTermination);
    }

    /** The host for the ready line's admin URL: a wildcard bind is reached on loopback from this machine. */
    private static String adminUrlHost(java.net.InetSocketAddress address) {
        String host = address.getHostString();
        if (address.getAddress() != null && address.getAddress().isAnyLocalAddress()) {
            return "127.0.0.1";
        }
        return host.contains(":") ? "[" + host + "]" : host;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new ServerCommand()).execute(args));
    }
}
