package io.synod.web;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Everything a {@link WebServer} needs, validated at construction.
 *
 * @param brokerEndpoint the broker's client-facing ROUTER, or several separated by commas (the web process's
 *     client connects to all: {@link io.synod.client.ClientConfig})
 * @param proxyEndpoint the proxy's XPUB, or several separated by commas
 * @param host the address the HTTP server binds (127.0.0.1 unless asked otherwise)
 * @param port the HTTP port; 0 for any free port
 * @param adminUrls the servers' admin HTTP bases ({@code http://127.0.0.1:8081}) the dashboard polls
 * @param logFile the interaction log file, or null for memory only
 * @param requestTimeoutMillis one attempt of a cluster request (the client retries it)
 * @param secure secure mode (docs/security.md): a login needs a password, so every session's writes carry the
 *     cluster's session token
 * @param serverPublicKey secure mode: the cluster's CURVE server public key ({@code server.key} of {@code ./synod
 *     keys}), which every cluster connection of this process speaks CURVE towards; null for NULL links
 */
public record WebConfig(
        String brokerEndpoint,
        String proxyEndpoint,
        String host,
        int port,
        List<String> adminUrls,
        Path logFile,
        long requestTimeoutMillis,
        boolean secure,
        byte[] serverPublicKey) {

    /** A compat-mode configuration. */
    public WebConfig(
            String brokerEndpoint,
            String proxyEndpoint,
            String host,
            int port,
            List<String> adminUrls,
            Path logFile,
            long requestTimeoutMillis) {
        this(brokerEndpoint, proxyEndpoint, host, port, adminUrls, logFile, requestTimeoutMillis, false, null);
    }

    /** A configuration with plain (NULL) cluster links. */
    public WebConfig(
            String brokerEndpoint,
            String proxyEndpoint,
            String host,
            int port,
            List<String> adminUrls,
            Path logFile,
            long requestTimeoutMillis,
            boolean secure) {
        this(brokerEndpoint, proxyEndpoint, host, port, adminUrls, logFile, requestTimeoutMillis, secure, null);
    }

    /** The cluster client settings of this process: its brokers and proxies, CURVE in secure mode with a key. */
    public io.synod.client.ClientConfig clientConfig(long timeoutMillis) {
        return io.synod.client.ClientConfig.defaults(brokerEndpoint, proxyEndpoint)
                .withRequestTimeoutMillis(timeoutMillis)
                .withServerPublicKey(serverPublicKey);
    }

    public WebConfig {
        Objects.requireNonNull(brokerEndpoint, "brokerEndpoint");
        Objects.requireNonNull(proxyEndpoint, "proxyEndpoint");
        Objects.requireNonNull(host, "host");
        adminUrls = List.copyOf(adminUrls);
        if (serverPublicKey != null && serverPublicKey.length != 32) {
            throw new IllegalArgumentException("serverPublicKey must be a 32-byte CURVE key");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0 to 65535, was " + port);
        }
        if (requestTimeoutMillis <= 0) {
            throw new IllegalArgumentException("requestTimeoutMillis must be positive, was " + requestTimeoutMillis);
        }
        for (String url : adminUrls) {
            if (!url.startsWith("http://") && !url.startsWith("https://")) {
                throw new IllegalArgumentException("admin URL must start with http:// or https://, was " + url);
            }
        }
    }
}
