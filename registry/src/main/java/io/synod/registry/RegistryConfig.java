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
    /**
     * A 30 s heartbeat timeout, 1,000 servers. The statement leaves the heartbeat period open and
     * the course's servers beat every 10 s (their references wait 30 s): a shorter timeout lists
     * them only part of the time. Synod's servers beat every second and detect a dead peer in
     * about half a second through their peer links, so a dead server still listed here for up to
     * 30 s costs them nothing (the bully election does not wait for servers that do not answer).
     */
    public static final RegistryConfig DEFAULT = new RegistryConfig(30_000, 1_000, 64, 256);

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
