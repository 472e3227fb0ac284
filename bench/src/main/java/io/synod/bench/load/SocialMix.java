package io.synod.bench.load;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The share of each operation in the {@code social} workload, as whole-number weights (they need not
 * add up to 100). A follow weight is spent on {@code follow} while a client follows fewer than
 * {@link #FOLLOWING_TARGET} other bench users, on {@code unfollow} otherwise, so feeds stay non-empty and
 * the follow lists keep changing. Immutable.
 *
 * @param post {@code post}: a write, one post by the client's user
 * @param follow {@code follow} or {@code unfollow}: a write
 * @param feed {@code feed}: a read, the newest page of the user's feed
 * @param timeline {@code timeline}: a read, the newest page of every post
 * @param notifications {@code notifications}: a read, the user's notifications and unread counts
 */
public record SocialMix(int post, int follow, int feed, int timeline, int notifications) {
    public static final int POST_WEIGHT_DEFAULT = 20;
    public static final int FOLLOW_WEIGHT_DEFAULT = 10;
    public static final int FEED_WEIGHT_DEFAULT = 30;
    public static final int TIMELINE_WEIGHT_DEFAULT = 15;
    public static final int NOTIFICATIONS_WEIGHT_DEFAULT = 25;
    public static final SocialMix DEFAULT = new SocialMix(
            POST_WEIGHT_DEFAULT,
            FOLLOW_WEIGHT_DEFAULT,
            FEED_WEIGHT_DEFAULT,
            TIMELINE_WEIGHT_DEFAULT,
            NOTIFICATIONS_WEIGHT_DEFAULT);
    /**
     * Other bench users a client follows before its follow weight turns to unfollows (or half the other
     * clients, if fewer).
     */
    public static final int FOLLOWING_TARGET = 8;

    static final int WEIGHT_MAX = 1_000;

    /** One operation of the mix. */
    enum Operation {
        POST,
        FOLLOW,
        FEED,
        TIMELINE,
        NOTIFICATIONS
    }

    public SocialMix {
        int[] weights = {post, follow, feed, timeline, notifications};
        long total = 0;
        for (int weight : weights) {
            if (weight < 0 || weight > WEIGHT_MAX) {
                throw new IllegalArgumentException(
                        "--social-mix weights must be between 0 and " + WEIGHT_MAX + ", was " + weight);
            }
            total += weight;
        }
        if (total == 0) {
            throw new IllegalArgumentException("--social-mix needs at least one weight above 0");
        }
    }

    /**
     * Parses {@code post=20,follow=10,feed=30,timeline=15,notifications=25}; operations left out weigh 0 when
     * any is given.
     */
    public static SocialMix parse(String text) {
        Map<String, Integer> weights = new LinkedHashMap<>();
        for (Operation operation : Operation.values()) {
            weights.put(operation.name().toLowerCase(Locale.ROOT), 0);
        }
        for (String part : text.split(",", -1)) {
            String[] pair = part.trim().split("=", -1);
            if (pair.length != 2 || !weights.containsKey(pair[0].trim())) {
                throw new IllegalArgumentException("'" + part.trim() + "' is not a weight; use e.g. " + DEFAULT.label()
                        + " (operations: " + String.join(", ", weights.keySet()) + ")");
            }
            try {
                weights.put(pair[0].trim(), Integer.parseInt(pair[1].trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + pair[1].trim() + "' is not a whole number in --social-mix");
            }
        }
        return new SocialMix(
                weights.get("post"),
                weights.get("follow"),
                weights.get("feed"),
                weights.get("timeline"),
                weights.get("notifications"));
    }

    /** The operation a uniform draw {@code 0 <= draw < total()} falls on. */
    Operation pick(int draw) {
        int[] weights = {post, follow, feed, timeline, notifications};
        int left = draw;
        for (int i = 0; i < weights.length; i++) {
            if (left < weights[i]) {
                return Operation.values()[i];
            }
            left -= weights[i];
        }
        throw new IllegalArgumentException("draw " + draw + " is not below the total " + total());
    }

    /** The sum of the weights. */
    int total() {
        return post + follow + feed + timeline + notifications;
    }

    /** The mix as the option takes it. */
    public String label() {
        return String.format(
                Locale.ROOT,
                "post=%d,follow=%d,feed=%d,timeline=%d,notifications=%d",
                post,
                follow,
                feed,
                timeline,
                notifications);
    }
}
