package io.synod.server;

import java.util.List;
import picocli.CommandLine.Option;

/**
 * The four rate-limit options ({@link RateLimits}), shared as a picocli mixin by {@code server} and by {@code synod
 * up}, which hands them on to every server it starts ({@link #asArguments}).
 */
public final class RateLimitOptions {
    @Option(
            names = "--rate-limit-user-writes-per-s",
            description = "USER_WRITES_PER_SECOND: writes per second one user may send to a server, 0 = no limit"
                    + " (default: ${DEFAULT-VALUE})")
    long userWritesPerSecond = RateLimits.DEFAULT.userWritesPerSecond();

    @Option(
            names = "--rate-limit-user-burst-writes",
            description = "USER_BURST_WRITES: writes one user may send at once (default: ${DEFAULT-VALUE})")
    long userBurstWrites = RateLimits.DEFAULT.userBurstWrites();

    @Option(
            names = "--rate-limit-connection-requests-per-s",
            description = "CONNECTION_REQUESTS_PER_SECOND: requests per second over one client connection, 0 = no"
                    + " limit (default: ${DEFAULT-VALUE})")
    long connectionRequestsPerSecond = RateLimits.DEFAULT.connectionRequestsPerSecond();

    @Option(
            names = "--rate-limit-connection-burst-requests",
            description =
                    "CONNECTION_BURST_REQUESTS: requests one connection may send at once (default: ${DEFAULT-VALUE})")
    long connectionBurstRequests = RateLimits.DEFAULT.connectionBurstRequests();

    /**
     * The limits given.
     *
     * @throws IllegalArgumentException if they are out of range (see {@link RateLimits})
     */
    public RateLimits limits() {
        return new RateLimits(
                userWritesPerSecond, userBurstWrites, connectionRequestsPerSecond, connectionBurstRequests);
    }

    /** The same options as arguments for a {@code server} command line. */
    public List<String> asArguments() {
        return List.of(
                "--rate-limit-user-writes-per-s",
                Long.toString(userWritesPerSecond),
                "--rate-limit-user-burst-writes",
                Long.toString(userBurstWrites),
                "--rate-limit-connection-requests-per-s",
                Long.toString(connectionRequestsPerSecond),
                "--rate-limit-connection-burst-requests",
                Long.toString(connectionBurstRequests));
    }
}
