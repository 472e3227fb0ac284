package io.synod.server;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One token bucket per key (a user name, a broker connection): a bucket holds up to {@code burst} tokens, gains
 * {@code ratePerSecond} per second, and each request takes one; a request finding less than one token is refused with
 * the time until one is there. The clock is the caller's ({@code nowNanos}, monotonic nanoseconds), so tests drive it.
 *
 * <p>Tokens are counted in nano-tokens (a token is {@link #NANO_TOKENS} of them): with the rate and the burst bounded
 * by {@link RateLimits#RATE_PER_SECOND_MAX}, refills are exact integer arithmetic and cannot overflow. A clock that
 * goes backwards refills nothing until it passes the last time seen again.
 *
 * <p>Memory: at most {@code bucketsMax} buckets, least recently used first out. A bucket idle long enough to be full
 * again is the same as no bucket, so such buckets are dropped as they age out ({@link #EVICTIONS_PER_TAKE_MAX} per
 * take); only beyond {@code bucketsMax} is a bucket that is not full forgotten (its key starts full again).
 *
 * <p>Thread-safety: not thread-safe; owned by the event loop, except {@link #size}, readable from any thread.
 */
final class TokenBuckets {
    /** Nano-tokens per token. */
    static final long NANO_TOKENS = 1_000_000_000L;
    /** Idle full buckets dropped per {@link #take}, so the sweep costs a bounded amount per request. */
    static final int EVICTIONS_PER_TAKE_MAX = 2;

    private static final class Bucket {
        long nanoTokens;
        long lastNanos;

        Bucket(long nanoTokens, long lastNanos) {
            this.nanoTokens = nanoTokens;
            this.lastNanos = lastNanos;
        }
    }

    private final long ratePerSecond;
    private final long burstNanoTokens;
    /** Nanoseconds an empty bucket takes to fill up: an idle bucket this old is full. */
    private final long fillNanos;

    private final Map<String, Bucket> buckets;
    private volatile int size;

    /**
     * @param ratePerSecond tokens gained per second, 1 to {@link RateLimits#RATE_PER_SECOND_MAX}
     * @param burst most tokens a bucket holds (a new bucket starts full), 1 to {@link RateLimits#RATE_PER_SECOND_MAX}
     * @param bucketsMax most buckets kept
     */
    TokenBuckets(long ratePerSecond, long burst, int bucketsMax) {
        if (ratePerSecond < 1 || ratePerSecond > RateLimits.RATE_PER_SECOND_MAX) {
            throw new IllegalArgumentException(
                    "rate must be 1 to " + RateLimits.RATE_PER_SECOND_MAX + " per second, was " + ratePerSecond);
        }
        if (burst < 1 || burst > RateLimits.RATE_PER_SECOND_MAX) {
            throw new IllegalArgumentException(
                    "burst must be 1 to " + RateLimits.RATE_PER_SECOND_MAX + ", was " + burst);
        }
        if (bucketsMax < 1) {
            throw new IllegalArgumentException("bucketsMax must be positive, was " + bucketsMax);
        }
        this.ratePerSecond = ratePerSecond;
        this.burstNanoTokens = burst * NANO_TOKENS;
        this.fillNanos = ceilDiv(burstNanoTokens, ratePerSecond);
        this.buckets = new LinkedHashMap<>(1_024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Bucket> eldest) {
                return size() > bucketsMax;
            }
        };
    }

    /**
     * Takes a token from {@code key}'s bucket at {@code nowNanos}.
     *
     * @return 0 if a token was taken, else the nanoseconds (at least 1) until the bucket holds one
     */
    long take(String key, long nowNanos) {
        evictIdle(nowNanos);
        Bucket bucket = buckets.get(key);
        if (bucket == null) {
            bucket = new Bucket(burstNanoTokens, nowNanos);
            buckets.put(key, bucket);
        } else {
            refill(bucket, nowNanos);
        }
        size = buckets.size();
        if (bucket.nanoTokens >= NANO_TOKENS) {
            bucket.nanoTokens -= NANO_TOKENS;
            return 0;
        }
        return Math.max(1, ceilDiv(NANO_TOKENS - bucket.nanoTokens, ratePerSecond));
    }

    /** The buckets kept now (any thread: the last value the owner saw). */
    int size() {
        return size;
    }

    private void refill(Bucket bucket, long nowNanos) {
        long elapsed = nowNanos - bucket.lastNanos;
        if (elapsed <= 0) { // the same instant, or a clock gone backwards: nothing gained, the last time kept
            return;
        }
        bucket.lastNanos = nowNanos;
        if (elapsed >= fillNanos) {
            bucket.nanoTokens = burstNanoTokens;
            return;
        }
        // elapsed < fillNanos = ceil(burstNanoTokens / rate), so elapsed * rate < burstNanoTokens + rate <= 10^15 +
        // 10^6
        bucket.nanoTokens = Math.min(burstNanoTokens, bucket.nanoTokens + elapsed * ratePerSecond);
    }

    private void evictIdle(long nowNanos) {
        Iterator<Bucket> eldest = buckets.values().iterator();
        for (int i = 0; i < EVICTIONS_PER_TAKE_MAX && eldest.hasNext(); i++) {
            Bucket bucket = eldest.next();
            if (nowNanos - bucket.lastNanos < fillNanos) {
                return; // the least recently used is not full yet, nor is anything after it
            }
            eldest.remove();
        }
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }
}
