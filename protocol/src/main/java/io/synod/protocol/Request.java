package io.synod.protocol;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every request a Synod process accepts, one record per service. {@link Requests#parse} turns an
 * {@link Envelope} into one of these or throws a {@link ProtocolException}; {@link #toEnvelope()}
 * turns it back (without the Lamport stamp, which the sending adapter adds).
 */
public sealed interface Request {
    RequestMeta meta();

    String service();

    /** The request-specific fields; the meta fields are added by {@link #toEnvelope()}. */
    Map<String, Object> fields();

    default Envelope toEnvelope() {
        Map<String, Object> data = new LinkedHashMap<>(fields());
        meta().write(data);
        return new Envelope(service(), data);
    }

    /**
     * {@code login}: records a login of {@code user} (every login is kept with its timestamp).
     *
     * @param password extension {@code password}, or null: sets the user's password on its first use, and is then
     *     required on every login of that user (docs/security.md). Never logged.
     */
    record Login(RequestMeta meta, String user, String password) implements Request {
        /** A statement login, without a password. */
        public Login(RequestMeta meta, String user) {
            this(meta, user, null);
        }

        public String service() {
            return Services.LOGIN;
        }

        public Map<String, Object> fields() {
            return password == null ? Map.of("user", user) : Map.of("user", user, "password", password);
        }

        /** Hides the password. */
        @Override
        public String toString() {
            return "Login[meta=" + meta + ", user=" + user + ", password=" + (password == null ? "null" : "<hidden>")
                    + "]";
        }
    }

    /** Extension {@code logout}: revokes the session whose {@code token} the request carries. */
    record Logout(RequestMeta meta, String user) implements Request {
        public String service() {
            return Services.LOGOUT;
        }

        public Map<String, Object> fields() {
            return Map.of("user", user);
        }
    }

    /** {@code users}: lists every user who ever logged in. */
    record Users(RequestMeta meta) implements Request {
        public String service() {
            return Services.USERS;
        }

        public Map<String, Object> fields() {
            return Map.of();
        }
    }

    /** {@code channel}: creates a channel if it does not exist. */
    record CreateChannel(RequestMeta meta, String channel) implements Request {
        public String service() {
            return Services.CHANNEL;
        }

        public Map<String, Object> fields() {
            return Map.of("channel", channel);
        }
    }

    /** {@code channels}: lists every channel. */
    record Channels(RequestMeta meta) implements Request {
        public String service() {
            return Services.CHANNELS;
        }

        public Map<String, Object> fields() {
            return Map.of();
        }
    }

    /** {@code publish}: posts {@code message} on {@code channel} as {@code user}. */
    record Publish(RequestMeta meta, String user, String channel, String message) implements Request {
        public String service() {
            return Services.PUBLISH;
        }

        public Map<String, Object> fields() {
            return Map.of("user", user, "channel", channel, "message", message);
        }
    }

    /** {@code message}: a private message from {@code src} to {@code dst}. */
    record SendMessage(RequestMeta meta, String src, String dst, String message) implements Request {
        public String service() {
            return Services.MESSAGE;
        }

        public Map<String, Object> fields() {
            return Map.of("src", src, "dst", dst, "message", message);
        }
    }

    /** Extension {@code history}: a channel's messages with sequence numbers above {@code afterSeq}. */
    record History(RequestMeta meta, String channel, long afterSeq, int limit) implements Request {
        public String service() {
            return Services.HISTORY;
        }

        public Map<String, Object> fields() {
            return Map.of("channel", channel, "after_seq", afterSeq, "limit", limit);
        }
    }

    /**
     * Extension {@code private_history}: the conversation between {@code user} and {@code peer}
     * (both directions) with {@code conversation_seq} above {@code afterSeq}; with no peer, the
     * user's inbox: every private message whose {@code dst} is {@code user}, by the {@code seq}
     * its publication carried.
     */
    record PrivateHistory(RequestMeta meta, String user, String peer, long afterSeq, int limit) implements Request {
        public String service() {
            return Services.PRIVATE_HISTORY;
        }

        public Map<String, Object> fields() {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("user", user);
            if (peer != null) {
                f.put("peer", peer);
            }
            f.put("after_seq", afterSeq);
            f.put("limit", limit);
            return f;
        }
    }

    /** Extension {@code post}: a public post by {@code user}; {@code replyTo} is a post id or empty. */
    record Post(RequestMeta meta, String user, String message, String replyTo) implements Request {
        public String service() {
            return Services.POST;
        }

        public Map<String, Object> fields() {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("user", user);
            f.put("message", message);
            if (!replyTo.isEmpty()) {
                f.put("reply_to", replyTo);
            }
            return f;
        }
    }

    /** Extension {@code follow}: {@code user} follows {@code target}. */
    record Follow(RequestMeta meta, String user, String target) implements Request {
        public String service() {
            return Services.FOLLOW;
        }

        public Map<String, Object> fields() {
            return Map.of("user", user, "target", target);
        }
    }

    /** Extension {@code unfollow}: {@code user} stops following {@code target}. */
    record Unfollow(RequestMeta meta, String user, String target) implements Request {
        public String service() {
            return Services.UNFOLLOW;
        }

        public Map<String, Object> fields() {
            return Map.of("user", user, "target", target);
        }
    }

    /**
     * Extension {@code notifications_read}: {@code user} has read its notifications up to {@code seq}, and the posts
     * of the users it follows up to log index {@code postIndex} (0: unchanged).
     */
    record NotificationsRead(RequestMeta meta, String user, long seq, long postIndex) implements Request {
        public String service() {
            return Services.NOTIFICATIONS_READ;
        }

        public Map<String, Object> fields() {
            return Map.of("user", user, "seq", seq, "post_index", postIndex);
        }
    }

    /** Extension {@code conversation_read}: {@code user} has read its conversation with {@code peer} up to seq. */
    record ConversationRead(RequestMeta meta, String user, String peer, long seq) implements Request {
        public String service() {
            return Services.CONVERSATION_READ;
        }

        public Map<String, Object> fields() {
            return Map.of("user", user, "peer", peer, "seq", seq);
        }
    }

    /**
     * The social reads (extension): {@code followers}/{@code following} of {@code user} (paged by name, {@code
     * after}), {@code profile} (the user's posts), {@code timeline} (every post; no user), {@code feed} (the posts of
     * the users {@code user} follows), {@code notifications} (paged by {@code after}, a seq) and {@code
     * conversations} (paged by {@code before}). Newest-first lists page by {@code before}: a log index, 0 for the
     * newest.
     *
     * @param after a name cursor (followers, following) or a seq (notifications, as text); empty for the first page
     * @param before the index cursor of newest-first lists, 0 for the newest
     */
    record SocialRead(RequestMeta meta, String service, String user, String after, long before, int limit)
            implements Request {
        public Map<String, Object> fields() {
            Map<String, Object> f = new LinkedHashMap<>();
            if (!user.isEmpty()) {
                f.put("user", user);
            }
            switch (service) {
                case Services.FOLLOWERS, Services.FOLLOWING -> {
                    if (!after.isEmpty()) {
                        f.put("after", after);
                    }
                }
                case Services.NOTIFICATIONS -> f.put("after_seq", Long.parseLong(after));
                default -> f.put("before", before);
            }
            f.put("limit", limit);
            return f;
        }
    }

    /**
     * Extension {@code search}: a page of the messages, posts and {@code user}'s own private messages holding every
     * word of {@code query} (docs/protocol.md). Only the fields' types are checked here: the server's index owns the
     * rules (query length and words, page size, sort and kind names, the cursor) and refuses with the field's name.
     *
     * @param query the words as sent, or null when absent
     * @param sort {@code newest} or {@code best} as sent, null when absent (newest)
     * @param kind the kind filter as sent, null when absent
     * @param channel the channel filter, null when absent
     * @param author the author filter, null when absent
     * @param limit the page size as sent (clamped to the int range), {@link Social#PAGE_ITEMS_DEFAULT} when absent
     * @param cursor the previous page's {@code next_cursor} as sent, null for the first page
     */
    record Search(
            RequestMeta meta,
            String user,
            String query,
            String sort,
            String kind,
            String channel,
            String author,
            int limit,
            String cursor)
            implements Request {
        public String service() {
            return Services.SEARCH;
        }

        public Map<String, Object> fields() {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("user", user);
            putIfPresent(f, "query", query);
            putIfPresent(f, "sort", sort);
            putIfPresent(f, "kind", kind);
            putIfPresent(f, "channel", channel);
            putIfPresent(f, "author", author);
            f.put("limit", (long) limit);
            putIfPresent(f, "cursor", cursor);
            return f;
        }

        private static void putIfPresent(Map<String, Object> fields, String field, String value) {
            if (value != null) {
                fields.put(field, value);
            }
        }
    }

    /** Statement {@code clock} (server to coordinator): asks for the coordinator's time. */
    record ClockRequest(RequestMeta meta) implements Request {
        public String service() {
            return Services.CLOCK;
        }

        public Map<String, Object> fields() {
            return Map.of();
        }
    }

    /** Statement {@code election} (server to higher-ranked servers). */
    record ElectionRequest(RequestMeta meta) implements Request {
        public String service() {
            return Services.ELECTION;
        }

        public Map<String, Object> fields() {
            return Map.of();
        }
    }

    /** Statement {@code rank} (server to reference); extension {@code address}: the peer endpoint. */
    record Rank(RequestMeta meta, String user, String address) implements Request {
        public String service() {
            return Services.RANK;
        }

        public Map<String, Object> fields() {
            return address == null ? Map.of("user", user) : Map.of("user", user, "address", address);
        }
    }

    /** Statement {@code list} (server to reference). */
    record ListServers(RequestMeta meta) implements Request {
        public String service() {
            return Services.LIST;
        }

        public Map<String, Object> fields() {
            return Map.of();
        }
    }

    /** Statement {@code heartbeat} (server to reference); extension {@code address}. */
    record Heartbeat(RequestMeta meta, String user, String address) implements Request {
        public String service() {
            return Services.HEARTBEAT;
        }

        public Map<String, Object> fields() {
            return address == null ? Map.of("user", user) : Map.of("user", user, "address", address);
        }
    }
}
