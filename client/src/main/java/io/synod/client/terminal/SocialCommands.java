package io.synod.client.terminal;

import io.synod.client.ClientException;
import io.synod.client.ClientReply;
import io.synod.client.Delivery;
import io.synod.client.SynodClient;
import io.synod.client.SynodSocial;
import io.synod.protocol.Names;
import io.synod.protocol.Publication;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The social network's commands of the terminal client ({@link TerminalSession} hands them over), its unread count
 * and its live notifications.
 *
 * <p>Unread count: the {@code unread_total} of the last {@code notifications} read (stored notifications not read
 * plus posts of followed users newer than the read mark), plus each notification and followed post delivered live
 * since. It is read again at login, by {@code /notifications} and after {@code /feed}. {@code /notifications} marks
 * the notifications it showed read; {@code /feed} marks the posts it showed read (their log index is the
 * {@code post_index} of {@code notifications_read}). A live {@code message} notification is counted but not printed:
 * the private message itself is.
 *
 * <p>Live posts: at login the session listens to the posts of the first {@link #LIVE_AUTHORS_MAX} users it follows
 * (beyond, the feed and the unread count have them); {@code /follow} and {@code /unfollow} add and remove one.
 *
 * <p>Thread-safety: commands run on the session's thread; {@link #onDelivery} on the client's delivery thread only
 * changes the (atomic) count and returns what to print.
 */
final class SocialCommands {
    static final List<String> COMMANDS = List.of(
            "/post",
            "/follow",
            "/unfollow",
            "/feed",
            "/timeline",
            "/profile",
            "/notifications",
            "/search",
            "/conversations");
    static final String HELP = """
              /post TEXT          publish a post everyone can see (@name mentions notify them)
              /follow USER        follow USER: their posts arrive live and in /feed
              /unfollow USER      stop following USER
              /feed [more]        posts of the users you follow, newest first (more: the next page)
              /timeline [more]    every post, newest first
              /profile [USER]     USER's posts and counts (default: you)
              /notifications [all]  unread notifications, then marks them read (all: the recent ones)
              /search [--best] [--kind channel|post|private] [--channel C] [--author A] WORDS | more
                                  find words in channels, posts and your private messages
              /conversations      your private conversations, most recent first, with unread counts""";
    /** Items one page of a listing shows. */
    static final int PAGE_ITEMS = 20;
    /** Followed users whose posts the session listens to live from login. */
    static final int LIVE_AUTHORS_MAX = 100;
    /** Unread notifications one {@code /notifications} shows (the server's page maximum). */
    static final int NOTIFICATIONS_SHOWN_MAX = 100;

    private final Console console;
    private final Supplier<SynodClient> client;
    private final AtomicLong unread = new AtomicLong();
    /** Where the next page of {@code /feed}, {@code /timeline} and {@code /search} starts; session thread only. */
    private long feedBefore;

    private long timelineBefore;
    private SynodSocial.SearchOptions lastSearch;
    private String lastSearchQuery;

    SocialCommands(Console console, Supplier<SynodClient> client) {
        this.console = console;
        this.client = client;
    }

    /** The prompt's mark: {@code " [N unread]"}, or empty. */
    String promptMark() {
        long count = unread.get();
        return count > 0 ? " [" + count + " unread]" : "";
    }

    long unread() {
        return unread.get();
    }

    /** A search command's arguments: options first, then the words (or {@code more} for the next page). */
    record Search(SynodSocial.SearchOptions options, String query, boolean nextPage) {}

    /**
     * Reads {@code /search} arguments: {@code --best}, {@code --newest}, {@code --kind K}, {@code --channel C},
     * {@code --author A} (a quoted value may hold spaces), then the words, sent as typed.
     *
     * @throws IllegalArgumentException for an option without its value, or no words
     */
    static Search parseSearch(String arguments) {
        String rest = arguments == null ? "" : arguments.strip();
        if (rest.equals("more")) {
            return new Search(SynodSocial.SearchOptions.NONE, null, true);
        }
        String sort = null;
        String kind = null;
        String channel = null;
        String author = null;
        while (rest.startsWith("--")) {
            CommandArguments.Split option = CommandArguments.split(rest, true);
            switch (option.command()) {
                case "--best", "--newest" -> {
                    sort = option.command().substring(2);
                    rest = rest.substring(option.command().length()).strip();
                    continue;
                }
                case "--kind", "--channel", "--author" -> {}
                default -> throw new IllegalArgumentException("unknown search option " + option.command());
            }
            if (option.first() == null) {
                throw new IllegalArgumentException("search option " + option.command() + " needs a value");
            }
            String value = Names.normalize(option.first());
            switch (option.command()) {
                case "--kind" -> kind = value;
                case "--channel" -> channel = value;
                default -> author = value;
            }
            rest = option.rest() == null ? "" : option.rest().strip();
        }
        if (rest.isEmpty()) {
            throw new IllegalArgumentException("usage: /search [--best] [--kind K] [--channel C] [--author A] WORDS");
        }
        return new Search(new SynodSocial.SearchOptions(sort, kind, channel, author, PAGE_ITEMS, null), rest, false);
    }

    /** After a login: the unread count, and the live posts of the users followed. Failures leave both as they are. */
    void onLogin() {
        SynodSocial social = client.get().social();
        try {
            for (String author : social.subscribedPostAuthors()) {
                social.unsubscribePosts(author);
            }
            refreshUnread();
            String me = client.get().user().orElseThrow();
            ClientReply.SocialPage following = social.following(me, null, LIVE_AUTHORS_MAX);
            if (following.ok()) {
                following.names("users").forEach(social::subscribePosts);
            }
        } catch (ClientException e) {
            // a server without the social services: the chat works as before
        }
        feedBefore = 0;
        timelineBefore = 0;
        lastSearch = null;
    }

    /**
     * A social delivery: counts it as unread and returns the line to print, or null for none (a {@code message}
     * notification, whose private message is printed, and a correction of one).
     */
    String onDelivery(Delivery delivery, String line) {
        Publication publication = delivery.publication();
        boolean isNew = delivery.source() != Delivery.Source.CORRECTION;
        if (publication instanceof Publication.Notification n) {
            if (isNew) {
                unread.incrementAndGet();
            }
            return "message".equals(n.kind()) ? null : line;
        }
        if (isNew) {
            unread.incrementAndGet();
        }
        return line;
    }

    /** Runs {@code line} if it is a social command; false if it is not one. */
    boolean handle(String command, String line) {
        String arguments = line.substring(command.length()).strip();
        switch (command) {
            case "/post" -> post(arguments);
            case "/follow" -> follow(name(line, "/follow USER"), true);
            case "/unfollow" -> follow(name(line, "/unfollow USER"), false);
            case "/feed" -> feed(arguments.equals("more"));
            case "/timeline" -> timeline(arguments.equals("more"));
            case "/profile" -> profile(arguments.isEmpty() ? me() : name(line, "/profile [USER]"));
            case "/notifications" -> notifications(arguments.equals("all"));
            case "/search" -> search(parseSearch(arguments));
            case "/conversations" -> conversations();
            default -> {
                return false;
            }
        }
        return true;
    }

    private void post(String text) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException("usage: /post TEXT");
        }
        ClientReply.SocialPage reply = social().post(text, null);
        if (!failed(reply)) {
            console.println("posted" + (reply.text("id") == null ? "" : " " + safe(reply.text("id"))));
        }
    }

    private void follow(String user, boolean follow) {
        ClientReply.SocialPage reply = follow ? social().follow(user) : social().unfollow(user);
        if (failed(reply)) {
            return;
        }
        if (follow) {
            social().subscribePosts(user);
            console.println("following " + safe(user) + "; their posts arrive live and in /feed");
        } else {
            social().unsubscribePosts(user);
            console.println("no longer following " + safe(user));
        }
    }

    private void feed(boolean nextPage) {
        long before = nextPage ? feedBefore : 0;
        if (nextPage && before <= 0) {
            console.println("feed: no more posts");
            return;
        }
        ClientReply.SocialPage page = social().feed(before, PAGE_ITEMS);
        if (failed(page)) {
            return;
        }
        feedBefore = page.more() ? page.number("next_before") : 0;
        printPosts("feed", page, "/feed more");
        long newest = page.items().stream()
                .filter(Publication.SocialPost.class::isInstance)
                .mapToLong(post -> ((Publication.SocialPost) post).index())
                .max()
                .orElse(0);
        if (!nextPage && newest > 0) {
            markRead(-1, newest);
        }
    }

    private void timeline(boolean nextPage) {
        long before = nextPage ? timelineBefore : 0;
        if (nextPage && before <= 0) {
            console.println("timeline: no more posts");
            return;
        }
        ClientReply.SocialPage page = social().timeline(before, PAGE_ITEMS);
        if (!failed(page)) {
            timelineBefore = page.more() ? page.number("next_before") : 0;
            printPosts("timeline", page, "/timeline more");
        }
    }

    private void profile(String user) {
        ClientReply.SocialPage page = social().profile(user, 0, PAGE_ITEMS);
        if (failed(page)) {
            return;
        }
        console.println(safe(user) + ": " + page.number("post_count") + " posts, " + page.number("follower_count")
                + " followers, " + page.number("following_count") + " following");
        printPosts("posts of " + safe(user), page, null);
    }

    /** A page of posts under {@code title}; {@code moreCommand} (or null) is what shows the next page. */
    private void printPosts(String title, ClientReply.SocialPage page, String moreCommand) {
        console.println(title + " (" + page.items().size() + " shown, newest first"
                + (page.more() && moreCommand != null ? "; more: " + moreCommand : "") + "):");
        page.items().forEach(post -> console.println("  " + TerminalSession.format(post)));
    }

    private void notifications(boolean all) {
        ClientReply.SocialPage counts = social().notifications(0, 1);
        if (failed(counts)) {
            return;
        }
        long lastSeq = counts.number("last_seq");
        long readSeq = counts.number("read_seq");
        unread.set(counts.number("unread_total"));
        console.println("notifications: " + counts.number("unread_total") + " unread (" + counts.number("unread")
                + " notifications, " + counts.number("unread_posts") + " new posts by users you follow: /feed)");
        long after = all ? Math.max(0, lastSeq - PAGE_ITEMS) : readSeq;
        if (after >= lastSeq) {
            return;
        }
        ClientReply.SocialPage page = social().notifications(after, all ? PAGE_ITEMS : NOTIFICATIONS_SHOWN_MAX);
        if (failed(page)) {
            return;
        }
        long shown = 0;
        for (Publication item : page.items()) {
            String mark = item.seq() > readSeq ? " *" : "  ";
            console.println(mark + TerminalSession.format(item));
            shown = Math.max(shown, item.seq());
        }
        if (page.more()) {
            console.println("(more: /notifications again)");
        }
        if (shown > readSeq) {
            markRead(shown, 0);
        }
    }

    private void search(Search search) {
        SynodSocial.SearchOptions options;
        String query;
        if (search.nextPage()) {
            if (lastSearch == null || lastSearch.cursor() == null) {
                console.println("search: no more results");
                return;
            }
            options = lastSearch;
            query = lastSearchQuery;
        } else {
            options = search.options();
            query = search.query();
        }
        ClientReply.SocialPage page = social().search(query, options);
        if (failed(page)) {
            return;
        }
        String next = page.more() ? page.text("next_cursor") : null;
        lastSearch = options.withCursor(next);
        lastSearchQuery = query;
        List<Map<String, Object>> results = page.maps("results");
        console.println("search \"" + safe(query) + "\" (" + results.size() + " shown"
                + (next != null ? "; more: /search more" : "") + "):");
        for (Map<String, Object> result : results) {
            console.println("  " + formatResult(result));
        }
    }

    /** One search result: kind, where, who, text. */
    static String formatResult(Map<String, Object> result) {
        String kind = String.valueOf(result.get("kind"));
        String where = switch (kind) {
            case "channel" -> "#" + safe(text(result, "channel"));
            case "private" -> "[dm] " + safe(text(result, "src")) + " -> " + safe(text(result, "dst"));
            case "post" -> "[post]";
            default -> "[" + safe(kind) + "]";
        };
        String points = result.get("points") instanceof Long p ? " (" + p + " points)" : "";
        return where + " <" + safe(text(result, "author")) + "> " + TerminalText.lines(text(result, "message"))
                + points;
    }

    private void conversations() {
        ClientReply.SocialPage page = social().conversations(0, PAGE_ITEMS);
        if (failed(page)) {
            return;
        }
        List<Map<String, Object>> items = page.maps("conversations");
        console.println("conversations (" + items.size() + " shown, most recent first):");
        for (Map<String, Object> item : items) {
            String last = item.get("last_message") instanceof Map<?, ?> m
                    ? safe(String.valueOf(m.get("src"))) + ": " + TerminalText.lines(String.valueOf(m.get("message")))
                    : "";
            long unreadHere = item.get("unread") instanceof Long u ? u : 0;
            console.println("  " + safe(text(item, "peer")) + (unreadHere > 0 ? " (" + unreadHere + " unread)" : "")
                    + " - " + last + "  (/dm " + CommandArguments.quote(text(item, "peer"), true) + ")");
        }
    }

    /** Moves the read marks ({@code seq} -1 keeps the notifications' mark) and reads the unread count again. */
    private void markRead(long seq, long postIndex) {
        long readSeq = seq;
        if (readSeq < 0) {
            ClientReply.SocialPage counts = social().notifications(0, 1);
            if (failed(counts)) {
                return;
            }
            readSeq = counts.number("read_seq");
        }
        if (!failed(social().notificationsRead(readSeq, postIndex))) {
            refreshUnread();
        }
    }

    private void refreshUnread() {
        ClientReply.SocialPage counts = social().notifications(0, 1);
        if (counts.ok()) {
            unread.set(counts.number("unread_total"));
        }
    }

    private static String name(String line, String usage) {
        CommandArguments.Split split = CommandArguments.split(line, false);
        if (split.first() == null || split.first().isBlank()) {
            throw new IllegalArgumentException("usage: " + usage);
        }
        return Names.normalize(split.first());
    }

    private String me() {
        return client.get().user().orElseThrow(() -> new IllegalStateException("log in first"));
    }

    private SynodSocial social() {
        return client.get().social();
    }

    private boolean failed(ClientReply reply) {
        if (reply.ok()) {
            return false;
        }
        console.println("error: " + safe(reply.errorText()));
        return true;
    }

    private static String text(Map<String, Object> map, String key) {
        return map.get(key) instanceof String s ? s : "";
    }

    private static String safe(String text) {
        return TerminalText.safe(text);
    }
}
