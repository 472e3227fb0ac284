package io.synod.server;

import io.synod.core.ChatConfig;
import io.synod.messaging.EndpointList;
import io.synod.messaging.zmtp.CurveCrypto;
import io.synod.messaging.zmtp.ZmtpSecurity;
import io.synod.protocol.Limits;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Everything a {@link ChatServer} needs, validated at construction. Endpoints are ZeroMQ endpoints
 * the server connects to; {@code adminPort} 0 picks a free port.
 *
 * @param name the server's unique name (its rank key at the reference)
 * @param brokerEndpoint the broker's DEALER (backend) endpoint, or several separated by commas: the server connects
 *     to every broker and answers each request through the broker it came from ({@link ClusterLinks})
 * @param proxyEndpoint the proxy's XSUB endpoint, or several separated by commas: every publication goes to each
 * @param referenceEndpoint the reference's REP endpoint
 * @param dataDirectory this server's own data directory (never shared)
 * @param adminPort the admin HTTP port (on {@code admin}'s host, loopback by default); 0 for any free port
 * @param advertisedAddress the peer address sent to the reference (extension), or null
 * @param clockSkewMillis injected physical clock skew (demos and tests)
 * @param logFile the interaction log file, or null for memory only
 * @param heartbeatIntervalMillis how often the server sends {@code heartbeat} to the reference
 * @param listIntervalMillis how often the server asks the reference for {@code list}
 * @param referenceTimeoutMillis how long one reference request may take before the REQ socket is
 *     recreated (Lazy Pirate)
 * @param startupRankAttempts how many {@code rank} attempts are made before serving (the server
 *     serves anyway if the reference does not answer, and keeps asking)
 * @param pollIntervalMillis the event loop's longest wait, so timers and stop requests are seen
 * @param requestsPerWakeupMax most requests handled per wake-up before timers get a turn
 * @param limits the wire limits (frame size 1 MiB, names, messages...)
 * @param chat the state machine's limits
 * @param rateLimits the per-user and per-connection rate limits ({@link RateLimits#OFF} in {@link #defaults}; the
 *     {@code server} command's options default to {@link RateLimits#DEFAULT})
 * @param secure secure mode (docs/security.md): writes need a session token of their author, private reads one of
 *     their owner, logins a password; false is compat mode, the statement's protocol unchanged
 * @param admin where the admin endpoint binds (with {@code adminPort}) and which key its guarded routes need
 * @param serverKeys secure mode: the cluster's server key pair, which every link of this server speaks CURVE with
 *     (docs/security.md); null in compat mode (NULL mechanism)
 * @param searchIndex when the server keeps its search index: {@link SearchIndexMode#ON_DEMAND} (built by the first
 *     search, dropped when idle) or {@link SearchIndexMode#ALWAYS} ({@link #defaults}: on demand)
 *     <p>Thread-safety: immutable.
 */
public record ServerConfig(
        String name,
        String brokerEndpoint,
        String proxyEndpoint,
        String referenceEndpoint,
        Path dataDirectory,
        int adminPort,
        String advertisedAddress,
        long clockSkewMillis,
        Path logFile,
        long heartbeatIntervalMillis,
        long listIntervalMillis,
        long referenceTimeoutMillis,
        int startupRankAttempts,
        long pollIntervalMillis,
        int requestsPerWakeupMax,
        Limits limits,
        ChatConfig chat,
        RateLimits rateLimits,
        boolean secure,
        ServerAdmin admin,
        CurveCrypto.KeyPair serverKeys,
        SearchIndexMode searchIndex) {

    public ServerConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(brokerEndpoint, "brokerEndpoint");
        Objects.requireNonNull(proxyEndpoint, "proxyEndpoint");
        Objects.requireNonNull(referenceEndpoint, "referenceEndpoint");
        Objects.requireNonNull(dataDirectory, "dataDirectory");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(chat, "chat");
        Objects.requireNonNull(rateLimits, "rateLimits");
        Objects.requireNonNull(admin, "admin");
        Objects.requireNonNull(searchIndex, "searchIndex");
        EndpointList.parse(brokerEndpoint, "brokerEndpoint");
        EndpointList.parse(proxyEndpoint, "proxyEndpoint");
        if (name.isEmpty() || name.length() > limits.nameCharsMax()) {
            throw new IllegalArgumentException("name must have 1 to " + limits.nameCharsMax() + " characters");
        }
        if (adminPort < 0 || adminPort > 65_535) {
            throw new IllegalArgumentException("adminPort must be 0 to 65535, was " + adminPort);
        }
        if (heartbeatIntervalMillis <= 0
                || listIntervalMillis <= 0
                || referenceTimeoutMillis <= 0
                || startupRankAttempts < 0
                || pollIntervalMillis <= 0
                || requestsPerWakeupMax <= 0) {
            throw new IllegalArgumentException("intervals, timeouts and limits must be positive");
        }
    }

    /** Every broker's backend endpoint, in the order given. */
    public List<String> brokerEndpoints() {
        return EndpointList.parse(brokerEndpoint, "brokerEndpoint");
    }

    /** Every proxy's XSUB endpoint, in the order given. */
    public List<String> proxyEndpoints() {
        return EndpointList.parse(proxyEndpoint, "proxyEndpoint");
    }

    /** A configuration with the defaults: 1 s heartbeats, 5 s list, 1 s reference timeout. */
    public static ServerConfig defaults(
            String name, String broker, String proxy, String reference, Path dataDirectory, int adminPort) {
        return new ServerConfig(
                name,
                broker,
                proxy,
                reference,
                dataDirectory,
                adminPort,
                null,
                0,
                null,
                1_000,
                5_000,
                1_000,
                2,
                50,
                256,
                Limits.DEFAULT,
                ChatConfig.DEFAULT,
                RateLimits.OFF,
                false,
                ServerAdmin.LOOPBACK,
                null,
                SearchIndexMode.ON_DEMAND);
    }

    /** The same configuration in secure mode ({@code on}) or compat mode. */
    public ServerConfig withSecure(boolean on) {
        Copy copy = new Copy(this);
        copy.secure = on;
        return copy.build();
    }

    /** The same configuration with the cluster's server key pair (secure mode), or null for none. */
    public ServerConfig withServerKeys(CurveCrypto.KeyPair keys) {
        Copy copy = new Copy(this);
        copy.serverKeys = keys;
        return copy.build();
    }

    /** What this server's links to the broker, proxy, reference and peers speak: NULL, or CURVE with the server key. */
    public ZmtpSecurity linkSecurity() {
        return serverKeys == null ? ZmtpSecurity.NULL : ZmtpSecurity.serverLink(serverKeys);
    }

    public ServerConfig withAdvertisedAddress(String address) {
        Copy copy = new Copy(this);
        copy.advertisedAddress = address;
        return copy.build();
    }

    public ServerConfig withClockSkewMillis(long skewMillis) {
        Copy copy = new Copy(this);
        copy.clockSkewMillis = skewMillis;
        return copy.build();
    }

    public ServerConfig withLogFile(Path file) {
        Copy copy = new Copy(this);
        copy.logFile = file;
        return copy.build();
    }

    public ServerConfig withReferenceTiming(long heartbeatMillis, long timeoutMillis, int startupAttempts) {
        Copy copy = new Copy(this);
        copy.heartbeatIntervalMillis = heartbeatMillis;
        copy.referenceTimeoutMillis = timeoutMillis;
        copy.startupRankAttempts = startupAttempts;
        return copy.build();
    }

    public ServerConfig withRateLimits(RateLimits newRateLimits) {
        Copy copy = new Copy(this);
        copy.rateLimits = newRateLimits;
        return copy.build();
    }

    /** The same configuration with its admin endpoint on {@code newAdmin}'s host, guarded by its gate. */
    public ServerConfig withAdmin(ServerAdmin newAdmin) {
        Copy copy = new Copy(this);
        copy.admin = newAdmin;
        return copy.build();
    }

    /** The same configuration keeping its search index as {@code mode} says. */
    public ServerConfig withSearchIndex(SearchIndexMode mode) {
        Copy copy = new Copy(this);
        copy.searchIndex = mode;
        return copy.build();
    }

    /** A record's fields to change one or two of and build again: the {@code withX} methods' one copy. */
    private static final class Copy {
        String name;
        String brokerEndpoint;
        String proxyEndpoint;
        String referenceEndpoint;
        Path dataDirectory;
        int adminPort;
        String advertisedAddress;
        long clockSkewMillis;
        Path logFile;
        long heartbeatIntervalMillis;
        long listIntervalMillis;
        long referenceTimeoutMillis;
        int startupRankAttempts;
        long pollIntervalMillis;
        int requestsPerWakeupMax;
        Limits limits;
        ChatConfig chat;
        RateLimits rateLimits;
        boolean secure;
        ServerAdmin admin;
        CurveCrypto.KeyPair serverKeys;
        SearchIndexMode searchIndex;

        Copy(ServerConfig config) {
            name = config.name;
            brokerEndpoint = config.brokerEndpoint;
            proxyEndpoint = config.proxyEndpoint;
            referenceEndpoint = config.referenceEndpoint;
            dataDirectory = config.dataDirectory;
            adminPort = config.adminPort;
            advertisedAddress = config.advertisedAddress;
            clockSkewMillis = config.clockSkewMillis;
            logFile = config.logFile;
            heartbeatIntervalMillis = config.heartbeatIntervalMillis;
            listIntervalMillis = config.listIntervalMillis;
            referenceTimeoutMillis = config.referenceTimeoutMillis;
            startupRankAttempts = config.startupRankAttempts;
            pollIntervalMillis = config.pollIntervalMillis;
            requestsPerWakeupMax = config.requestsPerWakeupMax;
            limits = config.limits;
            chat = config.chat;
            rateLimits = config.rateLimits;
            secure = config.secure;
            admin = config.admin;
            serverKeys = config.serverKeys;
            searchIndex = config.searchIndex;
        }

        ServerConfig build() {
            return new ServerConfig(
                    name,
                    brokerEndpoint,
                    proxyEndpoint,
                    referenceEndpoint,
                    dataDirectory,
                    adminPort,
                    advertisedAddress,
                    clockSkewMillis,
                    logFile,
                    heartbeatIntervalMillis,
                    listIntervalMillis,
                    referenceTimeoutMillis,
                    startupRankAttempts,
                    pollIntervalMillis,
                    requestsPerWakeupMax,
                    limits,
                    chat,
                    rateLimits,
                    secure,
                    admin,
                    serverKeys,
                    searchIndex);
        }
    }
}
