package io.synod.bench.load;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a celebrity run measured. Times are milliseconds; a time that could not be measured is -1.
 * Immutable.
 *
 * @param config the settings
 * @param setupSeconds the followers' logins and follows
 * @param authorFollowerCount {@code follower_count} of the author's {@code profile} before the post
 * @param authorUnread the author's unread stored notifications before the post (one per new follower)
 * @param posts the author's posts, in order
 * @param before the background writes acknowledged in the {@code --duration} before the first post
 * @param beforeSeconds the length of that window
 * @param beforeSecondP99MedianMillis the median of the p99s of each second of that window, and ...
 * @param beforeSecondP99MaxMillis ... the highest (a post's window is about a second: compare with these)
 * @param during the background writes acknowledged in the posts' windows together
 * @param duringSeconds the length of those windows together
 * @param feedMillis one follower's {@code feed} read after the post, and ...
 * @param notificationsMillis ... its {@code notifications} read
 * @param followerReads the feed and notifications reads of the checked followers
 * @param followersChecked followers whose feed and notifications were read after the post
 * @param followersSeeingPost of those, the ones whose feed starts with the last post
 * @param followersCountingPost of those, the ones whose {@code unread_posts} is the number of posts
 * @param backgroundErrors error replies to the background writes (whole run)
 * @param backgroundTimeouts background writes without a reply in time (whole run)
 */
public record CelebrityResult(
        BenchConfig config,
        double setupSeconds,
        long authorFollowerCount,
        long authorUnread,
        List<Post> posts,
        LatencySummary before,
        double beforeSeconds,
        double beforeSecondP99MedianMillis,
        double beforeSecondP99MaxMillis,
        LatencySummary during,
        double duringSeconds,
        double feedMillis,
        double notificationsMillis,
        LatencySummary followerReads,
        int followersChecked,
        int followersSeeingPost,
        int followersCountingPost,
        long backgroundErrors,
        long backgroundTimeouts,
        Map<String, Long> errorTexts) {
    public CelebrityResult {
        posts = List.copyOf(posts);
        errorTexts = Map.copyOf(errorTexts);
    }

    /**
     * One post of the author.
     *
     * @param acceptMillis from its send to its {@code OK}
     * @param index its log index
     * @param deliveryMillis from its send to its arrival on a subscriber of the author's post topic (-1: none)
     * @param window the background writes acknowledged from its send until {@link CelebrityRun#AFTER_POST}
     *     after its reply
     * @param windowSeconds the length of that window
     */
    public record Post(
            double acceptMillis, long index, double deliveryMillis, LatencySummary window, double windowSeconds) {
        Map<String, Object> toMap() {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("accept_ms", BenchResult.round(acceptMillis, 3));
            map.put("index", index);
            map.put("delivery_ms", BenchResult.round(deliveryMillis, 3));
            map.put("window_s", BenchResult.round(windowSeconds, 3));
            map.put("window_acked", window.count());
            map.putAll(window.toMap("window_"));
            return map;
        }
    }

    /** Whether every count is what the run set up: each follower counted, each checked follower sees the post. */
    public boolean consistent() {
        return authorFollowerCount == config.followers()
                && authorUnread == config.followers()
                && !posts.isEmpty()
                && followersSeeingPost == followersChecked
                && followersCountingPost == followersChecked
                && backgroundErrors == 0;
    }

    /** The {@code --json} object. */
    public Map<String, Object> headline() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("workload", config.workload().label());
        map.put("followers", config.followers());
        map.put("clients", config.clients());
        map.put("servers", config.servers());
        map.put("setup_s", BenchResult.round(setupSeconds, 3));
        map.put("follows_per_s", BenchResult.round(setupSeconds <= 0 ? 0 : config.followers() / setupSeconds, 1));
        map.put("author_follower_count", authorFollowerCount);
        map.put("author_unread", authorUnread);
        map.put(
                "post_accept_ms",
                posts.isEmpty() ? -1 : BenchResult.round(posts.get(0).acceptMillis(), 3));
        map.put(
                "post_accept_max_ms",
                BenchResult.round(
                        posts.stream().mapToDouble(Post::acceptMillis).max().orElse(-1), 3));
        map.put("before_s", BenchResult.round(beforeSeconds, 3));
        map.put("before_acked", before.count());
        map.putAll(before.toMap("before_"));
        map.put("before_second_p99_median_ms", beforeSecondP99MedianMillis);
        map.put("before_second_p99_max_ms", beforeSecondP99MaxMillis);
        map.put("during_s", BenchResult.round(duringSeconds, 3));
        map.put("during_acked", during.count());
        map.putAll(during.toMap("during_"));
        map.put("feed_ms", BenchResult.round(feedMillis, 3));
        map.put("notifications_ms", BenchResult.round(notificationsMillis, 3));
        map.putAll(followerReads.toMap("follower_reads_"));
        map.put("followers_checked", followersChecked);
        map.put("followers_seeing_post", followersSeeingPost);
        map.put("followers_counting_post", followersCountingPost);
        map.put("errors", backgroundErrors);
        map.put("timeouts", backgroundTimeouts);
        map.put("consistent", consistent());
        map.put("posts", posts.stream().map(Post::toMap).toList());
        return map;
    }

    /** Everything, for result.json. */
    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("config", config.toMap());
        map.put("summary", headline());
        map.put("error_texts", new java.util.TreeMap<>(errorTexts));
        return map;
    }

    /** The human summary. */
    public String summaryText() {
        StringBuilder out = new StringBuilder();
        out.append(String.format(
                Locale.ROOT,
                "synod bench: celebrity, %d follower(s), %d background client(s), %s server(s)%n",
                config.followers(),
                config.clients(),
                config.servers() > 0 ? Integer.toString(config.servers()) : "?"));
        out.append(String.format(
                Locale.ROOT,
                "  set-up        %.1f s (%.0f logins+follows/s); author: %d follower(s), %d unread%n",
                setupSeconds,
                setupSeconds <= 0 ? 0 : config.followers() / setupSeconds,
                authorFollowerCount,
                authorUnread));
        window(out, "before posts", before, beforeSeconds);
        out.append(String.format(
                Locale.ROOT,
                "  %-13s p99 of each second: median %.2f ms, highest %.2f ms%n",
                "",
                beforeSecondP99MedianMillis,
                beforeSecondP99MaxMillis));
        for (int i = 0; i < posts.size(); i++) {
            Post post = posts.get(i);
            out.append(String.format(
                    Locale.ROOT,
                    "  post %-8d accepted in %.2f ms (index %d), delivered in %.2f ms; %d background write(s)"
                            + " in %.1f s around it: p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                    i + 1,
                    post.acceptMillis(),
                    post.index(),
                    post.deliveryMillis(),
                    post.window().count(),
                    post.windowSeconds(),
                    post.window().p50Millis(),
                    post.window().p99Millis(),
                    post.window().maxMillis()));
        }
        window(out, "around posts", during, duringSeconds);
        out.append(String.format(
                Locale.ROOT,
                "  follower      feed %.2f ms, notifications %.2f ms; %d checked: %d see the last post first,"
                        + " %d count every post unread (reads p50 %.2f ms, max %.2f ms)%n",
                feedMillis,
                notificationsMillis,
                followersChecked,
                followersSeeingPost,
                followersCountingPost,
                followerReads.p50Millis(),
                followerReads.maxMillis()));
        out.append(String.format(
                Locale.ROOT,
                "  background errors %d, timeouts %d; counts %s%n",
                backgroundErrors,
                backgroundTimeouts,
                consistent() ? "consistent" : "NOT consistent"));
        errorTexts.forEach((text, count) -> out.append(String.format(Locale.ROOT, "  error x%d: %s%n", count, text)));
        return out.toString();
    }

    private static void window(StringBuilder out, String name, LatencySummary latency, double seconds) {
        out.append(String.format(
                Locale.ROOT,
                "  %-13s %d background write(s) in %.1f s (%.0f/s): p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                name,
                latency.count(),
                seconds,
                seconds <= 0 ? 0 : latency.count() / seconds,
                latency.p50Millis(),
                latency.p99Millis(),
                latency.maxMillis()));
    }
}
