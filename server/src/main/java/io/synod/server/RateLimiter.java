package io.synod.server;

import io.synod.messaging.InteractionLog;
import io.synod.messaging.ProcessClock;
import io.synod.protocol.Envelope;
import io.synod.protocol.Replies;
import io.synod.protocol.Services;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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
 * <p>Refusals are summarised for the interaction log rather than logged one by one ({@link #dueSummaries}): a flood
 * refused at thousands of requests a second would otherwise cost two log lines each (JSON-encoded on the log's thread,
 * on the same cores as everyone's requests), more than refusing it.
 *
 * <p>Thread-safety: {@link #check} and {@link #dueSummaries} on the event loop only; {@link #statusFields} from any
 * thread.
 */
final class RateLimiter {
    /** A refusal: the limit ({@code user} or {@code connection}), the error text, when a retry may pass. */
    record Refusal(String limit, String text, long retryAfterMillis) {
        /** The {@code erro} reply to a request of {@code service}, with {@link #RETRY_AFTER_MILLIS}. */
        Envelope reply(String service) {
            Map<String, Object> data =
                    new LinkedHashMap<>(Replies.error(service, text).data());
            data.put(RETRY_AFTER_MILLIS, retryAfterMillis);
            return new Envelope(service, data);
        }
    }

    /** The field of a refusal that says when a token is there again (extension; nothing else replies with it). */
    static final String RETRY_AFTER_MILLIS = "retry_after_ms";

    private final RateLimits limits;
    private final LongSupplier nanoClock;
    private final TokenBuckets users;
    private final TokenBuckets connections;
    private final LongAdder usersLimited = new LongAdder();
    private final LongAdder connectionsLimited = new LongAdder();
    /** The refusals since the last summary, per limit and user or connection, in first-refused order. */
    private final Map<String, Refused> refusedSinceSummary = new LinkedHashMap<>();
    /** Refusals of keys beyond {@link #SUMMARY_KEYS_MAX} since the last summary (one line for them all). */
    private long refusedOtherKeys;
    /** When the summary of the refusals counted since the first one after the last summary is due. */
    private long summaryDueNanos;

    /** How often the refusals are summarised in the interaction log (one line per limit and key refused). */
    static final long SUMMARY_INTERVAL_MILLIS = 1_000;
    /** Users and connections summarised one by one per interval; the refusals of any more are counted together. */
    static final int SUMMARY_KEYS_MAX = 1_024;

    /** Refusals of one user or connection since the last summary, with the last refusal's text. */
    private static final class Refused {
        final String limit;
        final String key;
        long count;
        String lastText;

        Refused(String limit, String key) {
            this.limit = limit;
            this.key = key;
        }
    }

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
                return counted(
                        refusal(
                                "connection",
                                "connection over " + limits.connectionRequestsPerSecond() + " requests/s",
                                wait),
                        peer,
                        now);
            }
        }
        String user = users == null ? null : writer(request);
        if (user != null) {
            long wait = users.take(user, now);
            if (wait > 0) {
                usersLimited.increment();
                return counted(
                        refusal("user", "user '" + user + "' over " + limits.userWritesPerSecond() + " writes/s", wait),
                        user,
                        now);
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

    private Refusal counted(Refusal refusal, String key, long now) {
        if (refusedSinceSummary.isEmpty() && refusedOtherKeys == 0) {
            summaryDueNanos = now + SUMMARY_INTERVAL_MILLIS * 1_000_000L;
        }
        String mapKey = refusal.limit() + ' ' + key;
        Refused refused = refusedSinceSummary.get(mapKey);
        if (refused == null && refusedSinceSummary.size() < SUMMARY_KEYS_MAX) {
            refused = new Refused(refusal.limit(), key);
            refusedSinceSummary.put(mapKey, refused);
        }
        if (refused == null) {
            refusedOtherKeys++;
        } else {
            refused.count++;
            refused.lastText = refusal.text();
        }
        return refusal;
    }

    /**
     * The interaction log's lines for the refusals counted since the last summary, once {@link
     * #SUMMARY_INTERVAL_MILLIS} has passed since the first of them (else none): per user or connection refused, {@code
     * limit} ({@code user} or {@code connection}), {@code user} or {@code connection} (the broker's routing id),
     * {@code refused} (how many), {@code description} (the last refusal's text) and {@code interval_ms}; the refusals
     * of keys beyond {@link #SUMMARY_KEYS_MAX} as one line with {@code limit} {@code other}.
     */
    List<Map<String, Object>> dueSummaries() {
        if (refusedSinceSummary.isEmpty() && refusedOtherKeys == 0) {
            return List.of();
        }
        if (nanoClock.getAsLong() - summaryDueNanos < 0) {
            return List.of();
        }
        List<Map<String, Object>> lines = new ArrayList<>(refusedSinceSummary.size() + 1);
        for (Refused refused : refusedSinceSummary.values()) {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("limit", refused.limit);
            line.put(refused.limit, refused.key);
            line.put("refused", refused.count);
            line.put("description", refused.lastText);
            line.put("interval_ms", SUMMARY_INTERVAL_MILLIS);
            lines.add(line);
        }
        if (refusedOtherKeys > 0) {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("limit", "other");
            line.put("refused", refusedOtherKeys);
            line.put("interval_ms", SUMMARY_INTERVAL_MILLIS);
            lines.add(line);
        }
        refusedSinceSummary.clear();
        refusedOtherKeys = 0;
        return lines;
    }

    /** Writes the {@link #dueSummaries} to {@code log} as {@code rate-limited} events stamped by {@code clock}. */
    void logDueSummaries(InteractionLog log, ProcessClock clock) {
        for (Map<String, Object> line : dueSummaries()) {
            log.event("rate-limited", clock.lamport().current(), clock.nowSeconds(), line);
        }
    }

    /** Whether {@code reply} is a refusal of this limiter (held back and summarised rather than logged). */
    static boolean isRefusal(Envelope reply) {
        return reply != null && reply.data().containsKey(RETRY_AFTER_MILLIS);
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
