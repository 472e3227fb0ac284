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
 */
public record WebConfig(
        String brokerEndpoint,
        String proxyEndpoint,
        String host,
        int port,
        List<String> adminUrls,
        Path logFile,
        long requestTimeoutMillis,
        boolean secure) {

    /** A compat-mode configuration. */
    public WebConfig(
            String brokerEndpoint,
            String proxyEndpoint,
            String host,
            int port,
            List<String> adminUrls,
            Path logFile,
            long requestTimeoutMillis) {
        this(brokerEndpoint, proxyEndpoint, host, port, adminUrls, logFile, requestTimeoutMillis, false);
    }

    public WebConfig {
        Objects.requireNonNull(brokerEndpoint, "brokerEndpoint");
        Objects.requireNonNull(proxyEndpoint, "proxyEndpoint");
        Objects.requireNonNull(host, "host");
        adminUrls = List.copyOf(adminUrls);
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
