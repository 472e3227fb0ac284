package io.synod.protocol;

/** The service names on the wire. Statement services first, then Synod's extensions. */
public final class Services {
    private Services() {}

    // Statement, client -> server (through the broker).
    public static final String LOGIN = "login";
    /** Extension: revokes a session token (docs/security.md). */
    public static final String LOGOUT = "logout";

    public static final String USERS = "users";
    public static final String CHANNEL = "channel";
    public static final String CHANNELS = "channels";
    public static final String PUBLISH = "publish";
    public static final String MESSAGE = "message";
    // Statement, server -> reference.
    public static final String RANK = "rank";
    public static final String LIST = "list";
    public static final String HEARTBEAT = "heartbeat";
    // Statement, server -> server.
    public static final String CLOCK = "clock";
    public static final String ELECTION = "election";
    // Extensions, client -> server.
    public static final String HISTORY = "history";
    public static final String PRIVATE_HISTORY = "private_history";
    // Extensions, client -> server: the social network (docs/protocol.md).
    public static final String POST = "post";
    public static final String FOLLOW = "follow";
    public static final String UNFOLLOW = "unfollow";
    public static final String NOTIFICATIONS_READ = "notifications_read";
    public static final String CONVERSATION_READ = "conversation_read";
    public static final String FOLLOWERS = "followers";
    public static final String FOLLOWING = "following";
    public static final String PROFILE = "profile";
    public static final String TIMELINE = "timeline";
    public static final String FEED = "feed";
    public static final String NOTIFICATIONS = "notifications";
    public static final String CONVERSATIONS = "conversations";
    /** Extension: full-text search of messages, posts and the asking user's private messages. */
    public static final String SEARCH = "search";
    /**
     * The client services that only read the chat state: they accept the read-consistency fields {@code min_index}
     * and {@code linearizable} (docs/protocol.md).
     */
    public static final java.util.Set<String> READS = java.util.Set.of(
            USERS,
            CHANNELS,
            HISTORY,
            PRIVATE_HISTORY,
            FOLLOWERS,
            FOLLOWING,
            PROFILE,
            TIMELINE,
            FEED,
            NOTIFICATIONS,
            CONVERSATIONS,
            SEARCH);
    /** Reply service used when the request's own service cannot be read. */
    public static final String ERROR = "erro";
    /** The topic on which the bully winner announces itself. */
    public static final String SERVERS_TOPIC = "servers";
}
