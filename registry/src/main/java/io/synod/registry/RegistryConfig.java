package io.synod.registry;

/**
 * Limits of the registry.
 *
 * @param heartbeatTimeoutMillis a server is listed while its last rank or heartbeat is at most this
 *     old
 * @param serversMax most distinct server names ever registered (ranks are never reused)
 * @param nameCharsMax longest server name
 * @param addressCharsMax longest advertised address
 *     <p>Thread-safety: immutable.
 */
public record RegistryConfig(long heartbeatTimeoutMillis, int serversMax, int nameCharsMax, int addressCharsMax) {
    /** A 5 s heartbeat timeout (servers beat every second), 1,000 servers. */
    public static final RegistryConfig DEFAULT = new RegistryConfig(5_000, 1_000, 64, 256);

    public RegistryConfig {
        if (heartbeatTimeoutMillis <= 0 || serversMax <= 0 || nameCharsMax <= 0 || addressCharsMax <= 0) {
            throw new IllegalArgumentException("every registry limit must be positive");
        }
    }

    /** The defaults with another heartbeat timeout. */
    public static RegistryConfig withHeartbeatTimeout(long heartbeatTimeoutMillis) {
        return new RegistryConfig(
                heartbeatTimeoutMillis, DEFAULT.serversMax(), DEFAULT.nameCharsMax(), DEFAULT.addressCharsMax());
    }
}
