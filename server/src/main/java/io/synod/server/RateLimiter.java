package io.synod.server;

import io.synod.protocol.Envelope;
import io.synod.protocol.Services;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Applies {@link RateLimits} to requests before anything else looks at them past their envelope: a connection over its
 * rate, or a write whose user is over theirs, is refused at once, before parsing, ordering or applying, so it changes
 * nothing and costs the loop little; everyone else is served as before. Reads count only against their connection.
 *
 * <p>The refusal says which limit, its rate, and when a token is there again: {@code rate limited: user 'ana' over 500
 * writes/s; retry after 2 ms} or {@code rate limited: connection over 2000 requests/s; retry after 1 ms}, with the
 * extension field {@code retry_after_ms} (integer, at least 1).
 *
 * <p>Thread-safety: {@link #check} on the event loop only; {@link #statusFields} from any thread.
 */
final class RateLimiter {
    /** A refusal: the limit ({@code user} or {@code connection}), the error text, when a retry may pass. */
    record Refusal(String limit, String text, long retryAfterMillis) {}

    private final RateLimits limits;
    private final LongSupplier nanoClock;
    private final TokenBuckets users;
    private final TokenBuckets connections;
    private final LongAdder usersLimited = new LongAdder();
    private final LongAdder connectionsLimited = new LongAdder();

    /** Limits on {@code nanoClock} (monotonic nanoseconds: {@code System::nanoTime}, or a test's clock). */
    RateLimiter(RateLimits limits, LongSupplier nanoClock) {
        this.limits = limits;
        this.nanoClock = nanoClock;
        this.users = limits.userWritesPerSecond() == 0
                ? null
                : new TokenBuckets(limits.userWritesPerSecond(), limits.userBurstWrites(), RateLimits.BUCKETS_MAX);
        this.connections = limits.connectionRequestsPerSecond() == 0
                ? null
                : new TokenBuckets(
                        limits.connectionRequestsPerSecond(), limits.connectionBurstRequests(), RateLimits.BUCKETS_MAX);
    }

    /**
     * Takes the tokens {@code request} from {@code peer} needs: one from its connection, and for a write naming a user
     * one from that user. A request refused by its connection takes nothing from its user.
     *
     * @return null if it may go on, else why not
     */
    Refusal check(Envelope request, String peer) {
        if (users == null && connections == null) {
            return null;
        }
        long now = nanoClock.getAsLong();
        if (connections != null) {
            long wait = connections.take(peer, now);
            if (wait > 0) {
                connectionsLimited.increment();
                return refusal(
                        "connection", "connection over " + limits.connectionRequestsPerSecond() + " requests/s", wait);
            }
        }
        String user = users == null ? null : writer(request);
        if (user != null) {
            long wait = users.take(user, now);
            if (wait > 0) {
                usersLimited.increment();
                return refusal("user", "user '" + user + "' over " + limits.userWritesPerSecond() + " writes/s", wait);
            }
        }
        return null;
    }

    /** The user a write is sent as ({@code src} of a private message, else {@code user}), or null for a read. */
    private static String writer(Envelope request) {
        if (request.service() == null || Services.READS.contains(request.service())) {
            return null;
        }
        Object user = request.data().get(Services.MESSAGE.equals(request.service()) ? "src" : "user");
        return user instanceof String s ? s : null;
    }

    private static Refusal refusal(String limit, String what, long waitNanos) {
        long millis = Math.max(1, -Math.floorDiv(-waitNanos, 1_000_000L));
        return new Refusal(limit, "rate limited: " + what + "; retry after " + millis + " ms", millis);
    }

    /** The {@code rate_limits} object of {@code /status}: the limits, the refusals so far, the buckets kept. */
    Map<String, Object> statusFields() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("user_writes_per_s", limits.userWritesPerSecond());
        json.put("user_burst_writes", limits.userBurstWrites());
        json.put("connection_requests_per_s", limits.connectionRequestsPerSecond());
        json.put("connection_burst_requests", limits.connectionBurstRequests());
        json.put("limited_user", usersLimited.sum());
        json.put("limited_connection", connectionsLimited.sum());
        json.put("user_buckets", users == null ? 0 : users.size());
        json.put("connection_buckets", connections == null ? 0 : connections.size());
        return json;
    }
}
