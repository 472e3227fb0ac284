package io.synod.core;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The layout of the chat state in ordered byte keys. Every key starts with one tag byte; names are
 * UTF-8 and end with a NUL separator when something follows (names never contain NUL); sequence
 * numbers are big-endian so that byte order is numeric order.
 *
 * <pre>
 *   U name                         user: [loginCount, inboxSeq]
 *   L name 0 loginNumber           one login: [timestampSeconds, clock, index]
 *   C name                         channel: [lastSeq, timestampSeconds, clock, index]
 *   P channel 0 seq                channel post (Values.post)
 *   I user 0 inboxSeq              private message received by user (Values.direct)
 *   V low 0 high                   conversation: [lastConversationSeq]
 *   W low 0 high 0 conversationSeq private message of the conversation (Values.direct)
 *   D clientId                     a client's exactly-once window: [highest, appliedBitmap, id, error, ...]
 *   E lastUseIndex clientId        a server-given client id (~...) by its last write, oldest first: [] (eviction)
 *   G clientId                     that client id's last write: [lastUseIndex]
 *   R U user | R C channel         recent id-less sends of an owner: [fpHigh, fpLow, error|nil, ...] (RetryWindow)
 *   M name                         metadata (the state digest; the count of E entries)
 *   S user                         social counts: [posts, followers, following, notificationSeq, readSeq,
 *                                  postsReadIndex]
 *   O author 0 ~index              a post by author, newest first (Values.socialPost)
 *   T ~index                       every post, newest first: [author] (the one social range with no owner)
 *   F user 0 target                user follows target: [followIndex]
 *   B target 0 user                target is followed by user: [followIndex]
 *   N user 0 seq                   a notification of user (Values.notification)
 *   A user 0 peer                  user's side of a conversation: [lastIndex, readConversationSeq]
 *   K user 0 ~lastIndex peer       user's conversations, most recent first: []
 *   H user                         the user's password, in the server's stored form: [passwordHash]
 *   Z sessionHash                  a live session: [user, expiresAtSeconds] (deleted by logout)
 *   Y user                         the user's sessions, oldest first: [sessionHash, expiresAtSeconds, ...]
 *                                  (at most AccountRules.SESSIONS_PER_USER_MAX pairs; the recipients of private
 *                                  delivery)
 * </pre>
 *
 * <p>{@code ~index} is {@code Long.MAX_VALUE - index} ({@link #newestFirst}), so a forward scan lists newest first.
 *
 * <p>Thread-safety: stateless.
 */
final class Keys {
    static final byte USER = 'U';
    static final byte LOGIN = 'L';
    static final byte CHANNEL = 'C';
    static final byte POST = 'P';
    static final byte INBOX = 'I';
    static final byte CONVERSATION = 'V';
    static final byte CONVERSATION_MESSAGE = 'W';
    static final byte CLIENT = 'D';
    static final byte SERVER_CLIENT_BY_USE = 'E';
    static final byte SERVER_CLIENT_USE = 'G';
    static final byte RETRIES = 'R';
    static final byte META = 'M';
    static final byte SOCIAL = 'S';
    static final byte AUTHOR_POST = 'O';
    static final byte TIMELINE = 'T';
    static final byte FOLLOWING = 'F';
    static final byte FOLLOWER = 'B';
    static final byte NOTIFICATION = 'N';
    static final byte CONVERSATION_SIDE = 'A';
    static final byte CONVERSATION_BY_RECENCY = 'K';
    static final byte PASSWORD = 'H';
    static final byte SESSION = 'Z';
    static final byte USER_SESSIONS = 'Y';

    private Keys() {}

    static byte[] user(String name) {
        return tagged(USER, utf8(name));
    }

    static byte[] login(String name, long loginNumber) {
        return withSeq(prefix(LOGIN, name), loginNumber);
    }

    static byte[] password(String user) {
        return tagged(PASSWORD, utf8(user));
    }

    static byte[] session(String sessionHash) {
        return tagged(SESSION, utf8(sessionHash));
    }

    static byte[] userSessions(String user) {
        return tagged(USER_SESSIONS, utf8(user));
    }

    static byte[] channel(String name) {
        return tagged(CHANNEL, utf8(name));
    }

    static byte[] post(String channel, long seq) {
        return withSeq(prefix(POST, channel), seq);
    }

    static byte[] inbox(String user, long seq) {
        return withSeq(prefix(INBOX, user), seq);
    }

    static byte[] conversation(String a, String b) {
        return concat(prefix(CONVERSATION, low(a, b)), utf8(high(a, b)));
    }

    static byte[] conversationMessage(String a, String b, long seq) {
        return withSeq(conversationPrefix(a, b), seq);
    }

    static byte[] conversationPrefix(String a, String b) {
        return concat(prefix(CONVERSATION_MESSAGE, low(a, b)), utf8(high(a, b)), new byte[] {0});
    }

    static byte[] social(String user) {
        return tagged(SOCIAL, utf8(user));
    }

    static byte[] authorPost(String author, long index) {
        return withSeq(prefix(AUTHOR_POST, author), newestFirst(index));
    }

    static byte[] timeline(long index) {
        return withSeq(tagOnly(TIMELINE), newestFirst(index));
    }

    static byte[] following(String user, String target) {
        return concat(prefix(FOLLOWING, user), utf8(target));
    }

    static byte[] follower(String target, String user) {
        return concat(prefix(FOLLOWER, target), utf8(user));
    }

    static byte[] notification(String user, long seq) {
        return withSeq(prefix(NOTIFICATION, user), seq);
    }

    static byte[] conversationSide(String user, String peer) {
        return concat(prefix(CONVERSATION_SIDE, user), utf8(peer));
    }

    static byte[] conversationByRecency(String user, long lastIndex, String peer) {
        return concat(withSeq(prefix(CONVERSATION_BY_RECENCY, user), newestFirst(lastIndex)), utf8(peer));
    }

    /** {@code Long.MAX_VALUE - index}: big-endian, so the newest index sorts first. Its own inverse. */
    static long newestFirst(long index) {
        ChatInvariants.require(index >= 0, "indexes are not negative");
        return Long.MAX_VALUE - index;
    }

    /** The UTF-8 name at the end of {@code key}, after its first {@code prefixLength} bytes. */
    static String nameAfter(byte[] key, int prefixLength) {
        return new String(key, prefixLength, key.length - prefixLength, StandardCharsets.UTF_8);
    }

    static byte[] client(String clientId) {
        return tagged(CLIENT, utf8(clientId));
    }

    static byte[] digest() {
        return tagged(META, utf8("digest"));
    }

    /** How many server-given client ids have an exactly-once window (the entries under {@code E}). */
    static byte[] serverClientCount() {
        return tagged(META, utf8("server_clients"));
    }

    static byte[] serverClientByUse(long lastUseIndex, String clientId) {
        return concat(withSeq(tagOnly(SERVER_CLIENT_BY_USE), lastUseIndex), utf8(clientId));
    }

    /** The client id of a key built by {@link #serverClientByUse}. */
    static String clientIdOfUse(byte[] key) {
        return new String(key, 1 + Long.BYTES, key.length - 1 - Long.BYTES, StandardCharsets.UTF_8);
    }

    static byte[] serverClientUse(String clientId) {
        return tagged(SERVER_CLIENT_USE, utf8(clientId));
    }

    /** The recent id-less sends of {@code name}, a user ({@code ownerTag == USER}) or a channel ({@code CHANNEL}). */
    static byte[] retries(byte ownerTag, String name) {
        return concat(new byte[] {RETRIES, ownerTag}, utf8(name));
    }

    /** {@code tag name NUL}: the prefix of the keys that belong to one name. */
    static byte[] prefix(byte tag, String name) {
        return concat(tagged(tag, utf8(name)), new byte[] {0});
    }

    /** The one-byte prefix of every key with {@code tag}. */
    static byte[] tagOnly(byte tag) {
        return new byte[] {tag};
    }

    /** The first key after every key starting with {@code prefix}; prefixes never end in 0xFF. */
    static byte[] prefixEnd(byte[] prefix) {
        byte[] end = Arrays.copyOf(prefix, prefix.length);
        int last = end.length - 1;
        ChatInvariants.check(end[last] != (byte) 0xFF, "a key prefix never ends in 0xFF");
        end[last]++;
        return end;
    }

    static byte[] withSeq(byte[] prefix, long seq) {
        ChatInvariants.require(seq >= 0, "sequence numbers are not negative");
        return ByteBuffer.allocate(prefix.length + Long.BYTES)
                .put(prefix)
                .putLong(seq)
                .array();
    }

    /** The sequence number at the end of a key built by {@link #withSeq}. */
    static long seqOf(byte[] key) {
        return ByteBuffer.wrap(key, key.length - Long.BYTES, Long.BYTES).getLong();
    }

    /** The big-endian number at {@code offset} in {@code key}. */
    static long longAt(byte[] key, int offset) {
        return ByteBuffer.wrap(key, offset, Long.BYTES).getLong();
    }

    /** The smallest key after every key that starts with {@code prefix} followed by {@code name}. */
    static byte[] afterName(byte[] prefix, String name) {
        return concat(prefix, utf8(name), new byte[] {0});
    }

    /** The name of a key {@code tag name} (users, channels). */
    static String nameOf(byte[] key) {
        return new String(key, 1, key.length - 1, StandardCharsets.UTF_8);
    }

    /** The lower of two names in key order; with {@link #high} it names a conversation. */
    static String low(String a, String b) {
        return Arrays.compareUnsigned(utf8(a), utf8(b)) <= 0 ? a : b;
    }

    static String high(String a, String b) {
        return Arrays.compareUnsigned(utf8(a), utf8(b)) <= 0 ? b : a;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] tagged(byte tag, byte[] rest) {
        return concat(new byte[] {tag}, rest);
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        ByteBuffer out = ByteBuffer.allocate(length);
        for (byte[] part : parts) {
            out.put(part);
        }
        return out.array();
    }
}
