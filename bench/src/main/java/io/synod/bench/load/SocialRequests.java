package io.synod.bench.load;

import io.synod.protocol.Services;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The requests of the {@code social} workload for the clients of one {@link LoadDriver}, drawn by the
 * {@link SocialMix} weights, and what each client follows. A follow or unfollow names only a bench user
 * with no follow or unfollow of this client in flight (its in-flight slots have separate client ids,
 * whose order the servers do not keep), so every one is valid when applied: an {@code erro} is a real
 * error. A timed-out one leaves that pair alone for the rest of the run (its outcome is unknown).
 *
 * <p>Not thread-safe: used by its driver's thread only.
 */
final class SocialRequests {
    /** Items per page of the feed, timeline and notifications reads (the protocol's default page). */
    static final int PAGE_ITEMS = 20;
    /** Random draws for a follow target before the follow turns into a feed read. */
    private static final int TARGET_DRAWS_MAX = 8;

    private final BenchConfig config;
    private final SplittableRandom random;
    private final Map<Integer, Set<Integer>> followed = new HashMap<>();
    private final Map<Integer, Set<Integer>> busy = new HashMap<>();

    SocialRequests(BenchConfig config, SplittableRandom random) {
        this.config = config;
        this.random = random;
    }

    /** The next request of client {@code index}, whose user is {@code user}. */
    LoadDriver.Request next(int index, String user) {
        SocialMix mix = config.socialMix();
        return switch (mix.pick(random.nextInt(mix.total()))) {
            case POST -> {
                Map<String, Object> fields = new LinkedHashMap<>();
                fields.put("user", user);
                yield new LoadDriver.Request(Services.POST, fields, false, true, "message");
            }
            case FOLLOW -> followOrUnfollow(index, user);
            case FEED -> read(Services.FEED, user);
            case TIMELINE -> read(Services.TIMELINE, null);
            case NOTIFICATIONS -> read(Services.NOTIFICATIONS, user);
        };
    }

    /**
     * Notes the outcome of a reply to a request {@link #next} made. After an {@code erro} (or a timeout, which
     * never comes here) the pair stays busy: what the servers hold about it is not known.
     */
    void onOutcome(int index, String service, int target, boolean ok) {
        if (target < 0 || !ok) {
            return;
        }
        busyOf(index).remove(target);
        if (service.equals(Services.FOLLOW)) {
            followedOf(index).add(target);
        }
    }

    private LoadDriver.Request followOrUnfollow(int index, String user) {
        Set<Integer> mine = followedOf(index);
        Set<Integer> pending = busyOf(index);
        // Half the others at most, so that a follow finds a free target by a few random draws.
        int target = Math.max(1, Math.min(SocialMix.FOLLOWING_TARGET, (config.clients() - 1) / 2));
        if (mine.size() >= target) {
            for (int followee : mine) {
                if (!pending.contains(followee)) {
                    mine.remove(followee);
                    pending.add(followee);
                    return relation(Services.UNFOLLOW, user, followee);
                }
            }
        } else if (config.clients() > 1) {
            for (int draw = 0; draw < TARGET_DRAWS_MAX; draw++) {
                int other = (index + 1 + random.nextInt(config.clients() - 1)) % config.clients();
                if (!mine.contains(other) && !pending.contains(other)) {
                    pending.add(other);
                    return relation(Services.FOLLOW, user, other);
                }
            }
        }
        return read(Services.FEED, user);
    }

    private LoadDriver.Request relation(String service, String user, int target) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("user", user);
        fields.put("target", config.userName(target));
        return new LoadDriver.Request(service, fields, false, false, null, target);
    }

    private static LoadDriver.Request read(String service, String user) {
        Map<String, Object> fields = new LinkedHashMap<>();
        if (user != null) {
            fields.put("user", user);
        }
        fields.put("limit", PAGE_ITEMS);
        return new LoadDriver.Request(service, fields, true, false, null);
    }

    private Set<Integer> followedOf(int index) {
        return followed.computeIfAbsent(index, k -> new HashSet<>());
    }

    private Set<Integer> busyOf(int index) {
        return busy.computeIfAbsent(index, k -> new HashSet<>());
    }
}
