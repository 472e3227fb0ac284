package io.synod.client;

import io.synod.protocol.Envelope;
import io.synod.protocol.Publication;
import io.synod.protocol.Replies;
import io.synod.protocol.Services;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The social services of a {@link FakeCluster}, just enough for client tests: posts (published on the author's
 * topic), follows (a {@code follower} notification), profile / timeline / feed pages by {@code before}, notifications
 * by {@code after_seq} with the counts (no unread posts), {@code notifications_read}, empty conversations, and a
 * {@code search} that answers the words it was asked (so a test sees the fields sent). Log indexes count every write.
 * Called on the fake's thread; tests seed it before they start the client.
 */
public final class FakeSocial {
    private final FakeCluster cluster;
    private long index;

    public final Map<String, List<Publication.SocialPost>> posts = Collections.synchronizedMap(new HashMap<>());
    public final Map<String, Set<String>> following = Collections.synchronizedMap(new HashMap<>());
    public final Map<String, List<Publication.Notification>> notifications =
            Collections.synchronizedMap(new HashMap<>());
    public final Map<String, Long> readSeq = Collections.synchronizedMap(new HashMap<>());

    FakeSocial(FakeCluster cluster) {
        this.cluster = cluster;
    }

    /** Stores a notification for {@code user} without publishing it (a gap for the client to fill). */
    public synchronized Publication.Notification store(String user, String kind, String actor, String message) {
        List<Publication.Notification> list = notifications.computeIfAbsent(user, u -> new CopyOnWriteArrayList<>());
        long seq = list.size() + 1;
        index++;
        Publication.Notification n = new Publication.Notification(
                user, kind, actor, "", "", message, 1_700_000_000.0 + index, index, seq, "n" + index, index);
        list.add(n);
        return n;
    }

    /** Stores a post by {@code author} without publishing it. */
    public synchronized Publication.SocialPost storePost(String author, String message) {
        List<Publication.SocialPost> list = posts.computeIfAbsent(author, u -> new CopyOnWriteArrayList<>());
        index++;
        Publication.SocialPost post = new Publication.SocialPost(
                author, message, "", 1_700_000_000.0 + index, index, list.size() + 1, index + "-0", index);
        list.add(post);
        return post;
    }

    /** The reply to a social request, or null if {@code request} is not one. */
    synchronized Envelope answer(Envelope request) {
        Map<String, Object> d = request.data();
        String user = d.get("user") instanceof String u ? u : null;
        return switch (request.service()) {
            case Services.POST -> {
                Publication.SocialPost post = storePost(user, (String) d.get("message"));
                cluster.publish(post);
                yield Replies.success(Services.POST, Map.of("index", post.index(), "id", post.id()));
            }
            case Services.FOLLOW -> {
                String target = (String) d.get("target");
                if (target.equals(user)
                        || !following
                                .computeIfAbsent(user, u -> new TreeSet<>())
                                .add(target)) {
                    yield Replies.error(Services.FOLLOW, "field 'target': cannot follow '" + target + "'");
                }
                cluster.publish(store(target, "follower", user, ""));
                yield Replies.success(Services.FOLLOW, Map.of("index", index));
            }
            case Services.UNFOLLOW ->
                following.getOrDefault(user, Set.of()).remove((String) d.get("target"))
                        ? Replies.success(Services.UNFOLLOW, Map.of("index", ++index))
                        : Replies.error(Services.UNFOLLOW, "user '" + user + "' does not follow them");
            case Services.FOLLOWING ->
                Replies.socialPage(
                        Services.FOLLOWING,
                        "users",
                        new ArrayList<>(following.getOrDefault(user, Set.of())),
                        "next_after",
                        "",
                        false,
                        Map.of());
            case Services.PROFILE -> postsPage(Services.PROFILE, posts.getOrDefault(user, List.of()), d, counts(user));
            case Services.TIMELINE -> postsPage(Services.TIMELINE, allPosts(null), d, Map.of());
            case Services.FEED ->
                postsPage(Services.FEED, allPosts(following.getOrDefault(user, Set.of())), d, Map.of());
            case Services.NOTIFICATIONS -> notificationsPage(user, d);
            case Services.NOTIFICATIONS_READ -> {
                readSeq.merge(user, (Long) d.get("seq"), Math::max);
                yield Replies.success(Services.NOTIFICATIONS_READ, Map.of("index", ++index));
            }
            case Services.CONVERSATIONS ->
                Replies.socialPage(
                        Services.CONVERSATIONS, "conversations", List.of(), "next_before", 0L, false, Map.of());
            case "search" -> {
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("kind", "post");
                result.put("index", 1L);
                result.put("author", "ana");
                result.put("message", "found " + d.get("query") + " sort=" + d.get("sort") + " kind=" + d.get("kind"));
                result.put("timestamp", 1_700_000_000.0);
                result.put("post_id", "1-0");
                yield Replies.socialPage("search", "results", List.of(result), "next_cursor", "c1", true, Map.of());
            }
            default -> null;
        };
    }

    private Map<String, Object> counts(String user) {
        long followers =
                following.values().stream().filter(s -> s.contains(user)).count();
        return Map.of(
                "post_count", (long) posts.getOrDefault(user, List.of()).size(),
                "follower_count", followers,
                "following_count", (long) following.getOrDefault(user, Set.of()).size());
    }

    private List<Publication.SocialPost> allPosts(Set<String> authors) {
        List<Publication.SocialPost> all = new ArrayList<>();
        posts.forEach((author, list) -> {
            if (authors == null || authors.contains(author)) {
                all.addAll(list);
            }
        });
        return all;
    }

    private static Envelope postsPage(
            String service, List<Publication.SocialPost> list, Map<String, Object> d, Map<String, Object> extra) {
        long before = d.get("before") instanceof Long b && b > 0 ? b : Long.MAX_VALUE;
        long limit = d.get("limit") instanceof Long l ? l : 20;
        List<Publication.SocialPost> newest = new ArrayList<>(list);
        newest.sort((a, b) -> Long.compare(b.index(), a.index()));
        List<Map<String, Object>> page = newest.stream()
                .filter(p -> p.index() < before)
                .limit(limit)
                .map(Publication::toPayload)
                .toList();
        long next = page.isEmpty() ? 0 : (Long) page.get(page.size() - 1).get("index");
        boolean more = newest.stream().anyMatch(p -> p.index() < next);
        return Replies.socialPage(service, "posts", page, "next_before", next, more, extra);
    }

    private Envelope notificationsPage(String user, Map<String, Object> d) {
        long after = d.get("after_seq") instanceof Long a ? a : 0;
        long limit = d.get("limit") instanceof Long l ? l : 20;
        List<Publication.Notification> all = notifications.getOrDefault(user, List.of());
        List<Map<String, Object>> page = all.stream()
                .filter(n -> n.seq() > after)
                .limit(limit)
                .map(Publication::toPayload)
                .toList();
        long next = page.isEmpty() ? after : (Long) page.get(page.size() - 1).get("seq");
        long last = all.size();
        long read = readSeq.getOrDefault(user, 0L);
        Map<String, Object> counts = new LinkedHashMap<>();
        counts.put("last_seq", last);
        counts.put("read_seq", read);
        counts.put("unread", last - read);
        counts.put("posts_read_index", 0L);
        counts.put("unread_posts", 0L);
        counts.put("unread_total", last - read);
        return Replies.socialPage(Services.NOTIFICATIONS, "notifications", page, "next_seq", next, next < last, counts);
    }
}
