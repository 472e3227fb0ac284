package io.synod.client;

import io.synod.protocol.Envelope;
import io.synod.protocol.Services;
import io.synod.protocol.Social;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The social network's calls of a {@link SynodClient} ({@link SynodClient#social()}): posts, follows, the feed,
 * notifications, conversations and search, as docs/protocol.md ("The social network") and docs/search.md define
 * them. Each call blocks until the reply, like the client's other typed methods, and is sent with the client's
 * {@code client_id} and a fresh {@code request_id} that its retries reuse, so a write is applied once however often
 * it is retried. A server's {@code erro} is a reply with {@code ok() == false} and its text.
 *
 * <p>Writes and the reads about "me" ({@code feed}, {@code notifications}, {@code conversations}, {@code search})
 * act as the logged-in user ({@link IllegalStateException} before a login). Paging: newest-first lists take
 * {@code before} (0 for the newest; the reply's {@code next_before} for the next page), {@code followers} /
 * {@code following} take {@code after} (null for the first page; the reply's {@code next_after}), notifications
 * take {@code afterSeq}. A {@code limit} of 0 leaves it to the server's default (20).
 *
 * <p>Live: the login subscribes to the user's notification topic; {@link #subscribePosts} adds an author's posts.
 * Both are delivered to the client's {@link DeliveryListener} in {@code seq} order with gaps filled from
 * {@code notifications} and {@code profile} (see {@link Subscriptions}).
 *
 * <p>Thread-safe, as the client.
 */
public final class SynodSocial {
    private final SynodClient client;

    SynodSocial(SynodClient client) {
        this.client = client;
    }

    /**
     * Options of a {@code search}: each null (or 0 for {@code limit}) is left out, and the server's default holds.
     *
     * @param sort {@code newest} or {@code best}
     * @param kind {@code channel}, {@code post} or {@code private}
     * @param channel only this channel's messages
     * @param author only this author's messages
     * @param limit results per page, 1 to 100
     * @param cursor the previous page's {@code next_cursor}
     */
    public record SearchOptions(String sort, String kind, String channel, String author, int limit, String cursor) {
        public static final SearchOptions NONE = new SearchOptions(null, null, null, null, 0, null);

        public SearchOptions withCursor(String next) {
            return new SearchOptions(sort, kind, channel, author, limit, next);
        }
    }

    /** {@code post}: a public post; {@code replyTo} is the id of the post it answers, or null. Reply: {@code id}. */
    public ClientReply.SocialPage post(String message, String replyTo) {
        return await(postAsync(message, replyTo));
    }

    public CompletableFuture<ClientReply.SocialPage> postAsync(String message, String replyTo) {
        Map<String, Object> fields = mine();
        fields.put("message", message);
        put(fields, "reply_to", replyTo);
        return request(Services.POST, fields, null);
    }

    public ClientReply.SocialPage follow(String target) {
        return await(followAsync(target));
    }

    public CompletableFuture<ClientReply.SocialPage> followAsync(String target) {
        Map<String, Object> fields = mine();
        fields.put("target", client.checkName("target", target));
        return request(Services.FOLLOW, fields, null);
    }

    public ClientReply.SocialPage unfollow(String target) {
        Map<String, Object> fields = mine();
        fields.put("target", client.checkName("target", target));
        return await(request(Services.UNFOLLOW, fields, null));
    }

    /** {@code followers} of {@code user}: names in code point order after {@code after}. */
    public ClientReply.SocialPage followers(String user, String after, int limit) {
        return await(request(Services.FOLLOWERS, names(user, after, limit), null));
    }

    /** {@code following}: whom {@code user} follows. */
    public ClientReply.SocialPage following(String user, String after, int limit) {
        return await(request(Services.FOLLOWING, names(user, after, limit), null));
    }

    /** {@code profile}: {@code user}'s posts, newest first, and the counts. */
    public ClientReply.SocialPage profile(String user, long before, int limit) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("user", client.checkName("user", user));
        paged(fields, before, limit);
        return await(request(Services.PROFILE, fields, "posts"));
    }

    /** {@code timeline}: every post, newest first. */
    public ClientReply.SocialPage timeline(long before, int limit) {
        Map<String, Object> fields = new LinkedHashMap<>();
        paged(fields, before, limit);
        return await(request(Services.TIMELINE, fields, "posts"));
    }

    /** {@code feed}: the posts of the users the logged-in user follows, newest first. */
    public ClientReply.SocialPage feed(long before, int limit) {
        Map<String, Object> fields = mine();
        paged(fields, before, limit);
        return await(request(Services.FEED, fields, "posts"));
    }

    /**
     * {@code notifications} after {@code afterSeq}, oldest first, with the counts ({@code last_seq}, {@code read_seq},
     * {@code unread}, {@code unread_posts}, {@code unread_total}, {@code posts_read_index}).
     */
    public ClientReply.SocialPage notifications(long afterSeq, int limit) {
        return await(notificationsAsync(afterSeq, limit));
    }

    public CompletableFuture<ClientReply.SocialPage> notificationsAsync(long afterSeq, int limit) {
        Map<String, Object> fields = mine();
        if (afterSeq > 0) {
            fields.put("after_seq", afterSeq);
        }
        if (limit > 0) {
            fields.put("limit", limit);
        }
        return request(Services.NOTIFICATIONS, fields, "notifications");
    }

    /**
     * {@code notifications_read}: marks the notifications up to {@code seq} read and, with a {@code postIndex} above
     * 0, the followed users' posts up to that log index. Marks never move back.
     */
    public ClientReply.SocialPage notificationsRead(long seq, long postIndex) {
        Map<String, Object> fields = mine();
        fields.put("seq", seq);
        if (postIndex > 0) {
            fields.put("post_index", postIndex);
        }
        return await(request(Services.NOTIFICATIONS_READ, fields, null));
    }

    /** {@code conversations}: the private conversations, most recent first, each with its unread count. */
    public ClientReply.SocialPage conversations(long before, int limit) {
        Map<String, Object> fields = mine();
        paged(fields, before, limit);
        return await(request(Services.CONVERSATIONS, fields, null));
    }

    /** {@code conversation_read}: marks the conversation with {@code peer} read up to {@code seq}. */
    public ClientReply.SocialPage conversationRead(String peer, long seq) {
        Map<String, Object> fields = mine();
        fields.put("peer", client.checkName("peer", peer));
        fields.put("seq", seq);
        return await(request(Services.CONVERSATION_READ, fields, null));
    }

    /** {@code search}: words in channel messages, posts and the user's own private messages ({@code results}). */
    public ClientReply.SocialPage search(String query, SearchOptions options) {
        Map<String, Object> fields = mine();
        fields.put("query", query);
        put(fields, "sort", options.sort());
        put(fields, "kind", options.kind());
        put(fields, "channel", options.channel());
        put(fields, "author", options.author());
        if (options.limit() > 0) {
            fields.put("limit", options.limit());
        }
        put(fields, "cursor", options.cursor());
        return await(request(Services.SEARCH, fields, null));
    }

    /**
     * Listens to {@code author}'s posts (topic {@code \u001Fposts\u001F<author>\u001F}) from the next one on; a jump
     * in their {@code seq} is filled from {@code profile}.
     */
    public void subscribePosts(String author) {
        String name = client.checkName("author", author);
        client.call(subscriptions -> {
            subscriptions.subscribePosts(name);
            return null;
        });
    }

    public void unsubscribePosts(String author) {
        String name = client.checkName("author", author);
        client.call(subscriptions -> {
            subscriptions.unsubscribePosts(name);
            return null;
        });
    }

    /** The authors whose posts are listened to, sorted. */
    public Set<String> subscribedPostAuthors() {
        return client.call(Subscriptions::postAuthors);
    }

    // ---- helpers ----

    private Map<String, Object> mine() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("user", client.requireUser());
        return fields;
    }

    private Map<String, Object> names(String user, String after, int limit) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("user", client.checkName("user", user));
        put(fields, "after", after);
        if (limit > 0) {
            fields.put("limit", limit);
        }
        return fields;
    }

    private static void paged(Map<String, Object> fields, long before, int limit) {
        if (before > 0) {
            fields.put("before", before);
        }
        if (limit > 0) {
            fields.put("limit", limit);
        }
    }

    private static void put(Map<String, Object> fields, String key, String value) {
        if (value != null) {
            fields.put(key, value);
        }
    }

    /** Sends the request; {@code itemsKey} names the list of publications in the reply (null for none). */
    private CompletableFuture<ClientReply.SocialPage> request(
            String service, Map<String, Object> fields, String itemsKey) {
        String me = client.user().orElse("");
        Function<Map<?, ?>, String> topicOf = "notifications".equals(itemsKey)
                ? item -> Social.notificationsTopic(me)
                : item -> item.get("user") instanceof String author ? Social.postsTopic(author) : null;
        return client.requestAsync(service, fields)
                .thenApply((Envelope reply) -> ReplyParser.socialPage(
                        reply, itemsKey, topicOf, client.config().limits()));
    }

    private <T> T await(CompletableFuture<T> future) {
        return client.await(future);
    }
}
