package io.synod.protocol;

/** Parses envelopes into {@link Request}s, validating every field against {@link Limits}. */
public final class Requests {
    private Requests() {}

    /** The default page size of history requests that give no {@code limit}. */
    public static final int HISTORY_PAGE_DEFAULT = 100;

    /**
     * Parses {@code envelope} as a request.
     *
     * @throws ProtocolException for an unknown service or a missing, mistyped or oversized field
     */
    public static Request parse(Envelope envelope, Limits limits) {
        Fields f = envelope.fields();
        RequestMeta meta = RequestMeta.read(f, limits);
        int names = limits.nameCharsMax();
        return switch (envelope.service()) {
            case Services.LOGIN ->
                new Request.Login(
                        meta,
                        f.requireName("user", names),
                        f.optionalText("password", PASSWORD_CHARS_MAX).orElse(null));
            case Services.LOGOUT -> new Request.Logout(meta, f.requireName("user", names));
            case Services.USERS -> new Request.Users(meta);
            case Services.CHANNEL -> new Request.CreateChannel(meta, f.requireName("channel", names));
            case Services.CHANNELS -> new Request.Channels(meta);
            case Services.PUBLISH ->
                new Request.Publish(
                        meta,
                        f.requireName("user", names),
                        f.requireName("channel", names),
                        f.requireText("message", limits.messageCharsMax()));
            case Services.MESSAGE ->
                new Request.SendMessage(
                        meta,
                        f.requireName("src", names),
                        f.requireName("dst", names),
                        f.requireText("message", limits.messageCharsMax()));
            case Services.HISTORY ->
                new Request.History(meta, f.requireName("channel", names), afterSeq(f), limit(f, limits));
            case Services.PRIVATE_HISTORY ->
                new Request.PrivateHistory(
                        meta,
                        f.requireName("user", names),
                        f.optionalName("peer", names).orElse(null),
                        afterSeq(f),
                        limit(f, limits));
            case Services.POST ->
                new Request.Post(
                        meta,
                        f.requireName("user", names),
                        f.requireText("message", Social.POST_CHARS_MAX),
                        f.optionalString("reply_to", POST_ID_CHARS_MAX));
            case Services.FOLLOW ->
                new Request.Follow(meta, f.requireName("user", names), f.requireName("target", names));
            case Services.UNFOLLOW ->
                new Request.Unfollow(meta, f.requireName("user", names), f.requireName("target", names));
            case Services.NOTIFICATIONS_READ ->
                new Request.NotificationsRead(
                        meta, f.requireName("user", names), requireSeq(f), f.optionalWireInteger("post_index", 0));
            case Services.CONVERSATION_READ ->
                new Request.ConversationRead(
                        meta, f.requireName("user", names), f.requireName("peer", names), requireSeq(f));
            case Services.FOLLOWERS, Services.FOLLOWING ->
                new Request.SocialRead(
                        meta,
                        envelope.service(),
                        f.requireName("user", names),
                        f.optionalName("after", names).orElse(""),
                        0,
                        socialLimit(f));
            case Services.NOTIFICATIONS ->
                new Request.SocialRead(
                        meta,
                        envelope.service(),
                        f.requireName("user", names),
                        Long.toString(afterSeq(f)),
                        0,
                        socialLimit(f));
            case Services.TIMELINE ->
                new Request.SocialRead(meta, envelope.service(), "", "", before(f), socialLimit(f));
            case Services.PROFILE, Services.FEED, Services.CONVERSATIONS ->
                new Request.SocialRead(
                        meta, envelope.service(), f.requireName("user", names), "", before(f), socialLimit(f));
            case Services.SEARCH ->
                new Request.Search(
                        meta,
                        f.requireName("user", names),
                        searchText(f, "query"),
                        searchText(f, "sort"),
                        searchText(f, "kind"),
                        f.optionalName("channel", names).orElse(null),
                        f.optionalName("author", names).orElse(null),
                        searchLimit(f),
                        searchText(f, "cursor"));
            case Services.CLOCK -> new Request.ClockRequest(meta);
            case Services.ELECTION -> new Request.ElectionRequest(meta);
            case Services.RANK ->
                new Request.Rank(
                        meta,
                        f.requireName("user", names),
                        f.optionalText("address", 256).orElse(null));
            case Services.LIST -> new Request.ListServers(meta);
            case Services.HEARTBEAT ->
                new Request.Heartbeat(
                        meta,
                        f.requireName("user", names),
                        f.optionalText("address", 256).orElse(null));
            default -> throw new ProtocolException("unknown service '" + envelope.service() + "'");
        };
    }

    /** Longest {@code password} accepted: it bounds the slow hash's input. */
    public static final int PASSWORD_CHARS_MAX = 256;

    /** Longest post id {@code reply_to} may carry (ids are {@code <index>-<n>}: about 20 characters). */
    public static final int POST_ID_CHARS_MAX = 40;

    private static long requireSeq(Fields f) {
        if (!f.has("seq")) {
            throw new ProtocolException("missing field 'seq'");
        }
        return f.optionalWireInteger("seq", 0);
    }

    private static long before(Fields f) {
        return f.optionalWireInteger("before", 0);
    }

    private static int socialLimit(Fields f) {
        long limit = f.optionalLong("limit", Social.PAGE_ITEMS_DEFAULT);
        if (limit < 1 || limit > Social.PAGE_ITEMS_MAX) {
            throw new ProtocolException("field 'limit' must be between 1 and " + Social.PAGE_ITEMS_MAX);
        }
        return (int) limit;
    }

    /**
     * A search field as sent (null when absent; the empty string kept): the frame bounds its length, and the index
     * refuses what its rules do not allow, naming the field.
     */
    private static String searchText(Fields f, String field) {
        return f.has(field) ? f.optionalString(field, Integer.MAX_VALUE) : null;
    }

    /** A search's page size as sent, clamped to the int range (the index refuses what is outside 1..100). */
    private static int searchLimit(Fields f) {
        long limit = f.optionalLong("limit", Social.PAGE_ITEMS_DEFAULT);
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, limit));
    }

    private static long afterSeq(Fields f) {
        return f.optionalWireInteger("after_seq", 0);
    }

    private static int limit(Fields f, Limits limits) {
        long limit = f.optionalLong("limit", HISTORY_PAGE_DEFAULT);
        if (limit < 1 || limit > limits.historyPageMax()) {
            throw new ProtocolException("field 'limit' must be between 1 and " + limits.historyPageMax());
        }
        return (int) limit;
    }
}
