package io.synod.core;

import io.synod.protocol.Limits;
import io.synod.protocol.MsgPack;
import io.synod.protocol.ProtocolException;
import java.util.ArrayList;
import java.util.List;

/**
 * The binary encoding of {@link Command}s for the replicated log: one MessagePack array, in one of two versions:
 *
 * <pre>
 *   [1, kind, index, timestampSeconds, clock, clientId|nil, requestId, fields...]                   no fingerprint
 *   [2, kind, index, timestampSeconds, clock, clientId|nil, requestId, fpHigh, fpLow, fields...]    with one
 *   [3, kind, index, timestampSeconds, clock, clientId|nil, requestId, fpHigh|nil, fpLow|nil, session, fields...]
 * </pre>
 *
 * <p>Version 3 is written only for a command sent with a session token (secure mode, {@link Command#session}).
 *
 * where {@code kind} is the service name ({@code login}, {@code channel}, {@code publish},
 * {@code message}, and the social {@code post}, {@code follow}, {@code unfollow}, {@code notifications_read},
 * {@code conversation_read}) and the fields are {@link Fingerprint#fields} (strings in record component order;
 * numbers as decimal text).
 * A command without a {@link Fingerprint} is written in version 1, byte for byte as before version 2 existed, so
 * logs and snapshots written by older servers decode unchanged and replaying them gives the same state digest (the
 * digest hashes the encoding). The encoding is deterministic: equal commands give equal bytes.
 *
 * <p>Thread-safety: stateless.
 */
public final class ChatCommands {
    /** The encoding version of a command without a fingerprint (the only one before fingerprints existed). */
    public static final long FORMAT_VERSION = 1;
    /** The encoding version of a command with a fingerprint; decoding rejects any version but these two. */
    public static final long FORMAT_VERSION_FINGERPRINT = 2;
    /** The encoding version of a command sent with a session token. */
    public static final long FORMAT_VERSION_SESSION = 3;

    private static final int HEADER_ITEMS = 7;
    private static final int FINGERPRINT_ITEMS = 2;
    private static final Limits LIMITS =
            new Limits(64 << 20, 4, 64, Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE);

    private ChatCommands() {}

    public static byte[] encode(Command command) {
        Fingerprint fingerprint = command.fingerprint();
        List<Object> items = new ArrayList<>(HEADER_ITEMS + FINGERPRINT_ITEMS + 3);
        boolean session = command.session() != null;
        items.add(session ? FORMAT_VERSION_SESSION : fingerprint == null ? FORMAT_VERSION : FORMAT_VERSION_FINGERPRINT);
        items.add(command.operation().service());
        items.add(command.index());
        items.add(command.timestampSeconds());
        items.add(command.clock());
        items.add(command.clientId());
        items.add(command.requestId());
        if (fingerprint != null) {
            items.add(fingerprint.high());
            items.add(fingerprint.low());
        } else if (session) {
            items.add(null);
            items.add(null);
        }
        if (session) {
            items.add(command.session());
        }
        items.addAll(Fingerprint.fields(command.operation()));
        return MsgPack.encode(items);
    }

    /**
     * Decodes bytes written by {@link #encode}.
     *
     * @throws IllegalArgumentException if the bytes are not an encoded command
     */
    public static Command decode(byte[] bytes) {
        List<?> items = decodeArray(bytes);
        require(items.size() >= HEADER_ITEMS, "too few items");
        boolean withSession = Long.valueOf(FORMAT_VERSION_SESSION).equals(items.get(0));
        boolean withFingerprint = Long.valueOf(FORMAT_VERSION_FINGERPRINT).equals(items.get(0))
                || (withSession && items.size() > HEADER_ITEMS && items.get(HEADER_ITEMS) != null);
        require(
                withSession || withFingerprint || Long.valueOf(FORMAT_VERSION).equals(items.get(0)),
                "unknown format version " + items.get(0));
        int header = withSession
                ? HEADER_ITEMS + FINGERPRINT_ITEMS + 1
                : withFingerprint ? HEADER_ITEMS + FINGERPRINT_ITEMS : HEADER_ITEMS;
        require(items.size() >= header, "too few items");
        String kind = text(items, 1);
        List<?> fields = items.subList(header, items.size());
        ChatCommand operation = operation(kind, fields);
        Object clientId = items.get(5);
        require(clientId == null || clientId instanceof String, "clientId must be a string or nil");
        return new Command(
                integer(items, 2),
                number(items, 3),
                integer(items, 4),
                (String) clientId,
                integer(items, 6),
                operation,
                withFingerprint ? new Fingerprint(integer(items, 7), integer(items, 8)) : null,
                withSession ? text(items, HEADER_ITEMS + FINGERPRINT_ITEMS) : null);
    }

    private static ChatCommand operation(String kind, List<?> f) {
        int expected = switch (kind) {
            case "login" -> f.size() == 4 ? 4 : 1;
            case "channel" -> 1;
            case "follow", "unfollow", "logout" -> 2;
            case "publish", "message", "post", "notifications_read", "conversation_read" -> 3;
            default -> throw new IllegalArgumentException("not a chat command: unknown kind '" + kind + "'");
        };
        if (f.size() != expected) { // the message is built only then: this runs for every decoded command
            require(false, kind + " has " + expected + " fields, found " + f.size());
        }
        return switch (kind) {
            case "login" ->
                f.size() == 1
                        ? new ChatCommand.Login(text(f, 0))
                        : new ChatCommand.Login(text(f, 0), text(f, 1), text(f, 2), decimal(f, 3));
            case "logout" -> new ChatCommand.Logout(text(f, 0), text(f, 1));
            case "channel" -> new ChatCommand.CreateChannel(text(f, 0));
            case "publish" -> new ChatCommand.Publish(text(f, 0), text(f, 1), text(f, 2));
            case "post" -> new ChatCommand.Post(text(f, 0), text(f, 1), text(f, 2));
            case "follow" -> new ChatCommand.Follow(text(f, 0), text(f, 1));
            case "unfollow" -> new ChatCommand.Unfollow(text(f, 0), text(f, 1));
            case "notifications_read" -> new ChatCommand.NotificationsRead(text(f, 0), decimal(f, 1), decimal(f, 2));
            case "conversation_read" -> new ChatCommand.ConversationRead(text(f, 0), text(f, 1), decimal(f, 2));
            default -> new ChatCommand.SendMessage(text(f, 0), text(f, 1), text(f, 2));
        };
    }

    private static List<?> decodeArray(byte[] bytes) {
        Object value;
        try {
            value = MsgPack.decode(bytes, LIMITS);
        } catch (ProtocolException e) {
            throw new IllegalArgumentException("not a chat command: " + e.getMessage(), e);
        }
        require(value instanceof List<?>, "expected an array");
        return (List<?>) value;
    }

    private static String text(List<?> items, int i) {
        requireItem(items.get(i) instanceof String, "item ", i, " must be a string");
        return (String) items.get(i);
    }

    /** A number written as decimal text (the fields of a command are strings, as {@link Fingerprint} hashes them). */
    private static long decimal(List<?> items, int i) {
        try {
            return Long.parseLong(text(items, i));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a chat command: item " + i + " must be a decimal integer", e);
        }
    }

    private static long integer(List<?> items, int i) {
        requireItem(items.get(i) instanceof Long, "item ", i, " must be an integer");
        return (Long) items.get(i);
    }

    private static double number(List<?> items, int i) {
        requireItem(items.get(i) instanceof Double, "item ", i, " must be a float");
        return (Double) items.get(i);
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException("not a chat command: " + message);
        }
    }

    /** {@link #require} with the message {@code before + number + after}, built only if it fails (every decode). */
    private static void requireItem(boolean condition, String before, long number, String after) {
        if (!condition) {
            throw new IllegalArgumentException("not a chat command: " + before + number + after);
        }
    }
}
