package io.synod.server;

/**
 * The server's rate limits ({@link RateLimiter}): per user, the writes naming that user ({@code user}, or {@code src}
 * of {@code message}); per broker connection (a client socket as the broker routes it), every request. Each is a token
 * bucket: a sustained rate and a burst. A rate of 0 turns that limit off (its burst is then ignored). The limits hold
 * on each server: the broker spreads a client's requests over the servers, so a cluster of n takes up to n times them.
 *
 * @param userWritesPerSecond {@code USER_WRITES_PER_SECOND}: writes per second one user may send to this server
 * @param userBurstWrites {@code USER_BURST_WRITES}: writes one user may send at once after being idle
 * @param connectionRequestsPerSecond {@code CONNECTION_REQUESTS_PER_SECOND}: requests per second over one connection
 * @param connectionBurstRequests {@code CONNECTION_BURST_REQUESTS}: requests one connection may send at once
 *     <p>Thread-safety: immutable.
 */
public record RateLimits(
        long userWritesPerSecond,
        long userBurstWrites,
        long connectionRequestsPerSecond,
        long connectionBurstRequests) {
    /** The largest rate or burst accepted: beyond it a limit limits nothing a server can serve. */
    public static final long RATE_PER_SECOND_MAX = 1_000_000;
    /**
     * The defaults: far above what a person or a bot (2 messages/s) sends, below what a three-server cluster on two
     * shared cores applies (about 1,500 writes/s: at 500 per user and server, one flooding user took all of it and
     * another user's p99 grew 2.7 times). The web process is one connection for all its users, hence the
     * connection's higher rate. {@code ./synod bench} runs its own cluster without limits (it measures capacity).
     */
    public static final RateLimits DEFAULT = new RateLimits(100, 200, 1_000, 2_000);
    /** No limit (tests and measurements that must not be throttled). */
    public static final RateLimits OFF = new RateLimits(0, 0, 0, 0);
    /** Buckets kept per limit (users, connections); the least recently used beyond it is forgotten. */
    public static final int BUCKETS_MAX = 65_536;

    public RateLimits {
        check("user writes per second", userWritesPerSecond, 0);
        check("connection requests per second", connectionRequestsPerSecond, 0);
        check("user burst writes", userBurstWrites, userWritesPerSecond > 0 ? 1 : 0);
        check("connection burst requests", connectionBurstRequests, connectionRequestsPerSecond > 0 ? 1 : 0);
    }

    private static void check(String what, long value, long min) {
        if (value < min || value > RATE_PER_SECOND_MAX) {
            throw new IllegalArgumentException(
                    "rate limit " + what + " must be " + min + " to " + RATE_PER_SECOND_MAX + ", was " + value);
        }
    }
}
