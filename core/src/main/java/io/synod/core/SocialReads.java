package io.synod.core;

import io.synod.protocol.Publication;
import io.synod.protocol.Social;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The social network's reads, answered from the applied state like {@code history}. Lists of posts and
 * conversations are newest first and paged by {@code before}, a log index (exclusive; 0 for the newest): a page
 * ends at the index its last item has, so the next page neither repeats nor skips an item whatever is written
 * meanwhile (newer items land before the cursor, never after it). Followers and following are in name (code point)
 * order, paged by {@code after}, the last name seen; notifications by {@code after_seq}.
 *
 * <p>Costs: every page reads at most {@code limit + 1} items ({@code limit <= }{@link Social#PAGE_ITEMS_MAX}), and
 * a {@code feed} page or an unread count also one store seek per followed user ({@code <=} {@link
 * Social#FOLLOWING_MAX}): the fan-out is on read (docs/decisions/0005-social-fan-out.md).
 *
 * <p>Thread-safety: not thread-safe; read from the thread that owns the state machine.
 */
public final class SocialReads {
    /** Entries one followed author's cursor reads per store scan while a feed page is merged. */
    private static final int FEED_SCAN_PAGE_ENTRIES = 8;

    private final ChatStore store;

    SocialReads(ChatStore store) {
        this.store = store;
    }

    /**
     * One page of a social read, or the reason it was refused.
     *
     * @param errorText why the read was refused (an unknown user); null when answered
     * @param items the page: names (followers, following) or payload maps (posts, notifications, conversations)
     * @param next the cursor of the next page: a name ({@code after}) or a number ({@code before}, {@code after_seq})
     * @param more whether a next page has items now
     * @param extra the counts that come with the page (profile counts, unread counts)
     *     <p>Thread-safety: immutable.
     */
    public record Page(String errorText, List<Object> items, Object next, boolean more, Map<String, Object> extra) {
        public Page {
            items = items == null ? List.of() : List.copyOf(items);
            extra = extra == null ? Map.of() : Map.copyOf(extra);
        }

        static Page rejected(String errorText) {
            return new Page(errorText, List.of(), null, false, Map.of());
        }

        public boolean isOk() {
            return errorText == null;
        }
    }

    /**
     * Every channel message, private message and post in the applied state (stored publications, whose {@code index}
     * is the writing command's), read lazily a page of store entries at a time ({@link MessageScan}): what a server
     * rebuilds its search index from.
     */
    public Iterator<Publication> messages() {
        return new MessageScan(store);
    }

    /** The users who follow {@code user}, by name after {@code after} (empty: from the first). */
    public Page followers(String user, String after, int limit) {
        return names(Keys.FOLLOWER, user, after, limit);
    }

    /** The users {@code user} follows, by name after {@code after} (empty: from the first). */
    public Page following(String user, String after, int limit) {
        return names(Keys.FOLLOWING, user, after, limit);
    }

    private Page names(byte tag, String user, String after, int limit) {
        if (!userExists(user)) {
            return unknown(user);
        }
        int pageMax = clamp(limit);
        byte[] prefix = Keys.prefix(tag, user);
        byte[] from = after.isEmpty() ? prefix : Keys.afterName(prefix, after);
        List<StoreEntry> entries = store.scan(from, Keys.prefixEnd(prefix), pageMax + 1);
        List<Object> names = new ArrayList<>();
        String next = after;
        for (StoreEntry e : entries.subList(0, Math.min(entries.size(), pageMax))) {
            next = Keys.nameAfter(e.key(), prefix.length);
            names.add(next);
        }
        return new Page(null, names, next, entries.size() > pageMax, Map.of());
    }

    /** {@code user}'s posts before index {@code before}, newest first, with its counts. */
    public Page profile(String user, long before, int limit) {
        if (!userExists(user)) {
            return unknown(user);
        }
        SocialRecord record = SocialRecord.read(store.get(Keys.social(user)));
        AuthorCursor cursor = new AuthorCursor(user, before, clamp(limit) + 1);
        List<Publication.SocialPost> posts = new ArrayList<>();
        for (Publication.SocialPost p = cursor.head(); p != null && posts.size() <= clamp(limit); p = cursor.head()) {
            posts.add(p);
            cursor.pop();
        }
        Map<String, Object> counts = new LinkedHashMap<>();
        counts.put("post_count", record.posts());
        counts.put("follower_count", record.followers());
        counts.put("following_count", record.following());
        return postPage(posts, before, limit, counts);
    }

    /** Every post before index {@code before}, newest first. */
    public Page timeline(long before, int limit) {
        int pageMax = clamp(limit);
        byte[] prefix = Keys.tagOnly(Keys.TIMELINE);
        byte[] from = before == 0 ? prefix : Keys.timeline(before - 1);
        List<Publication.SocialPost> posts = new ArrayList<>();
        for (StoreEntry e : store.scan(from, Keys.prefixEnd(prefix), pageMax + 1)) {
            String author = Values.stringAt(Values.decode(e.value(), 1), 0);
            long index = Keys.newestFirst(Keys.seqOf(e.key()));
            posts.add(Values.socialPost(store.get(Keys.authorPost(author, index))));
        }
        return postPage(posts, before, limit, Map.of());
    }

    /**
     * The posts of the users {@code user} follows before index {@code before}, newest first: older posts of a user
     * are in the feed from the moment it is followed, and leave it when it is unfollowed. A merge of the followed
     * users' own post lists (fan-out on read).
     */
    public Page feed(String user, long before, int limit) {
        if (!userExists(user)) {
            return unknown(user);
        }
        int pageMax = clamp(limit);
        PriorityQueue<AuthorCursor> heads = new PriorityQueue<>(
                (a, b) -> Long.compare(b.head().index(), a.head().index()));
        for (Followed followed : followed(user)) {
            AuthorCursor cursor = new AuthorCursor(followed.user(), before, FEED_SCAN_PAGE_ENTRIES);
            if (cursor.head() != null) {
                heads.add(cursor);
            }
        }
        List<Publication.SocialPost> posts = new ArrayList<>();
        while (!heads.isEmpty() && posts.size() <= pageMax) {
            AuthorCursor newest = heads.poll();
            posts.add(newest.pop());
            if (newest.head() != null) {
                heads.add(newest);
            }
        }
        return postPage(posts, before, limit, Map.of());
    }

    private Page postPage(List<Publication.SocialPost> posts, long before, int limit, Map<String, Object> extra) {
        int pageMax = clamp(limit);
        List<Object> items = new ArrayList<>();
        long next = before;
        for (Publication.SocialPost p : posts.subList(0, Math.min(posts.size(), pageMax))) {
            items.add(p.toPayload());
            next = p.index();
        }
        return new Page(null, items, next, posts.size() > pageMax, extra);
    }

    /**
     * {@code user}'s notifications with {@code seq > afterSeq}, oldest first, with its unread counts: {@code unread}
     * (stored notifications after its read mark), {@code unread_posts} (posts of the users it follows newer than
     * both the follow and its {@code posts_read_index}) and their sum {@code unread_total}.
     */
    public Page notifications(String user, long afterSeq, int limit) {
        if (!userExists(user)) {
            return unknown(user);
        }
        int pageMax = clamp(limit);
        byte[] prefix = Keys.prefix(Keys.NOTIFICATION, user);
        long from = afterSeq == Long.MAX_VALUE ? afterSeq : afterSeq + 1;
        List<StoreEntry> entries = store.scan(Keys.withSeq(prefix, from), Keys.prefixEnd(prefix), pageMax + 1);
        List<Object> items = new ArrayList<>();
        long next = afterSeq;
        for (StoreEntry e : entries.subList(0, Math.min(entries.size(), pageMax))) {
            next = Keys.seqOf(e.key());
            items.add(Values.notification(user, next, e.value()).toPayload());
        }
        SocialRecord record = SocialRecord.read(store.get(Keys.social(user)));
        long unreadPosts = unreadPosts(user, record.postsReadIndex());
        Map<String, Object> counts = new LinkedHashMap<>();
        counts.put("last_seq", record.notificationSeq());
        counts.put("read_seq", record.readSeq());
        counts.put("unread", record.unread());
        counts.put("posts_read_index", record.postsReadIndex());
        counts.put("unread_posts", unreadPosts);
        counts.put("unread_total", record.unread() + unreadPosts);
        return new Page(null, items, next, entries.size() > pageMax, counts);
    }

    /** Posts of the users {@code user} follows with an index above both the follow and {@code readIndex}. */
    private long unreadPosts(String user, long readIndex) {
        long unread = 0;
        for (Followed followed : followed(user)) {
            long seen = Math.max(followed.sinceIndex(), readIndex);
            byte[] prefix = Keys.prefix(Keys.AUTHOR_POST, followed.user());
            List<StoreEntry> newestSeen = store.scan(Keys.authorPost(followed.user(), seen), Keys.prefixEnd(prefix), 1);
            long seenSeq = newestSeen.isEmpty()
                    ? 0
                    : Values.socialPost(newestSeen.get(0).value()).seq();
            unread += SocialRecord.read(store.get(Keys.social(followed.user()))).posts() - seenSeq;
        }
        return unread;
    }

    /**
     * {@code user}'s private conversations whose last message is before index {@code before}, most recent first:
     * each with {@code peer}, {@code last_message} (its payload), {@code conversation_seq} (of the last message),
     * {@code read_seq}, {@code unread} and {@code index} (of the last message).
     */
    public Page conversations(String user, long before, int limit) {
        if (!userExists(user)) {
            return unknown(user);
        }
        int pageMax = clamp(limit);
        byte[] prefix = Keys.prefix(Keys.CONVERSATION_BY_RECENCY, user);
        byte[] from = before == 0 ? prefix : Keys.withSeq(prefix, Keys.newestFirst(before - 1));
        List<StoreEntry> entries = store.scan(from, Keys.prefixEnd(prefix), pageMax + 1);
        List<Object> items = new ArrayList<>();
        long next = before;
        for (StoreEntry e : entries.subList(0, Math.min(entries.size(), pageMax))) {
            next = Keys.newestFirst(Keys.longAt(e.key(), prefix.length));
            String peer = Keys.nameAfter(e.key(), prefix.length + Long.BYTES);
            long readSeq = Values.longAt(Values.decode(store.get(Keys.conversationSide(user, peer)), 2), 1);
            long lastSeq = Values.longAt(Values.decode(store.get(Keys.conversation(user, peer)), 1), 0);
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("peer", peer);
            byte[] last = store.get(Keys.conversationMessage(user, peer, lastSeq));
            item.put("last_message", Values.direct(last).toPayload());
            item.put("conversation_seq", lastSeq);
            item.put("read_seq", readSeq);
            item.put("unread", lastSeq - readSeq);
            item.put("index", next);
            items.add(item);
        }
        return new Page(null, items, next, entries.size() > pageMax, Map.of());
    }

    private record Followed(String user, long sinceIndex) {}

    /** Every user {@code user} follows (at most {@link Social#FOLLOWING_MAX}, which follow enforces). */
    private List<Followed> followed(String user) {
        byte[] prefix = Keys.prefix(Keys.FOLLOWING, user);
        List<Followed> followed = new ArrayList<>();
        for (StoreEntry e : store.scan(prefix, Keys.prefixEnd(prefix), Social.FOLLOWING_MAX)) {
            followed.add(new Followed(
                    Keys.nameAfter(e.key(), prefix.length), Values.longAt(Values.decode(e.value(), 1), 0)));
        }
        return followed;
    }

    /** One author's posts before an index, newest first, read from the store a page at a time. */
    private final class AuthorCursor {
        private final byte[] end;
        private final int scanPageEntries;
        private final ArrayDeque<StoreEntry> buffered = new ArrayDeque<>();
        private byte[] from;
        private boolean exhausted;

        AuthorCursor(String author, long before, int scanPageEntries) {
            byte[] prefix = Keys.prefix(Keys.AUTHOR_POST, author);
            this.end = Keys.prefixEnd(prefix);
            this.from = before == 0 ? prefix : Keys.authorPost(author, before - 1);
            this.scanPageEntries = scanPageEntries;
        }

        /** The newest post not popped yet, or null. */
        Publication.SocialPost head() {
            if (buffered.isEmpty() && !exhausted) {
                List<StoreEntry> page = store.scan(from, end, scanPageEntries);
                buffered.addAll(page);
                exhausted = page.size() < scanPageEntries;
                if (!page.isEmpty()) {
                    byte[] last = page.get(page.size() - 1).key();
                    from = java.util.Arrays.copyOf(last, last.length + 1);
                }
            }
            return buffered.isEmpty()
                    ? null
                    : Values.socialPost(buffered.peekFirst().value());
        }

        Publication.SocialPost pop() {
            Publication.SocialPost head = head();
            buffered.removeFirst();
            return head;
        }
    }

    private boolean userExists(String user) {
        return store.get(Keys.user(ChatInvariants.requireKeyName("user", user))) != null;
    }

    private static Page unknown(String user) {
        return Page.rejected("user '" + user + "' does not exist");
    }

    private static int clamp(int limit) {
        ChatInvariants.require(limit > 0, "limit must be positive, was " + limit);
        return Math.min(limit, Social.PAGE_ITEMS_MAX);
    }
}
