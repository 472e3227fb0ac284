package io.synod.core;

import io.synod.protocol.Limits;
import io.synod.protocol.MsgPack;
import io.synod.protocol.ProtocolException;
import java.util.ArrayList;
import java.util.List;

/**
 * The binary encoding of {@link Command}s for the replicated log: one MessagePack array
 *
 * <pre>
 *   [formatVersion=1, kind, index, timestampSeconds, clock, clientId|nil, requestId, fields...]
 * </pre>
 *
 * where {@code kind} is the service name ({@code login}, {@code channel}, {@code publish},
 * {@code message}) and the fields follow the record component order of the {@link ChatCommand}.
 * The encoding is deterministic: equal commands give equal bytes (the state digest relies on it).
 *
 * <p>Thread-safety: stateless.
 */
public final class ChatCommands {
    /** The encoding version written first; decoding rejects any other. */
    public static final long FORMAT_VERSION = 1;

    private static final int HEADER_ITEMS = 7;
    private static final Limits LIMITS =
            new Limits(64 << 20, 4, 64, Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE);

    private ChatCommands() {}

    public static byte[] encode(Command command) {
        List<Object> items = new ArrayList<>(HEADER_ITEMS + 3);
        items.add(FORMAT_VERSION);
        items.add(command.operation().service());
        items.add(command.index());
        items.add(command.timestampSeconds());
        items.add(command.clock());
        items.add(command.clientId());
        items.add(command.requestId());
        items.addAll(fields(command.operation()));
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
        require(Long.valueOf(FORMAT_VERSION).equals(items.get(0)), "unknown format version " + items.get(0));
        String kind = text(items, 1);
        List<?> fields = items.subList(HEADER_ITEMS, items.size());
        ChatCommand operation = operation(kind, fields);
        Object clientId = items.get(5);
        require(clientId == null || clientId instanceof String, "clientId must be a string or nil");
        return new Command(
                integer(items, 2),
                number(items, 3),
                integer(items, 4),
                (String) clientId,
                integer(items, 6),
                operation);
    }

    private static List<Object> fields(ChatCommand operation) {
        return switch (operation) {
            case ChatCommand.Login l -> List.of(l.user());
            case ChatCommand.CreateChannel c -> List.of(c.channel());
            case ChatCommand.Publish p -> List.of(p.user(), p.channel(), p.message());
            case ChatCommand.SendMessage m -> List.of(m.src(), m.dst(), m.message());
        };
    }

    private static ChatCommand operation(String kind, List<?> f) {
        int expected = switch (kind) {
            case "login", "channel" -> 1;
            case "publish", "message" -> 3;
            default -> throw new IllegalArgumentException("not a chat command: unknown kind '" + kind + "'");
        };
        require(f.size() == expected, kind + " has " + expected + " fields, found " + f.size());
        return switch (kind) {
            case "login" -> new ChatCommand.Login(text(f, 0));
            case "channel" -> new ChatCommand.CreateChannel(text(f, 0));
            case "publish" -> new ChatCommand.Publish(text(f, 0), text(f, 1), text(f, 2));
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
        require(items.get(i) instanceof String, "item " + i + " must be a string");
        return (String) items.get(i);
    }

    private static long integer(List<?> items, int i) {
        require(items.get(i) instanceof Long, "item " + i + " must be an integer");
        return (Long) items.get(i);
    }

    private static double number(List<?> items, int i) {
        require(items.get(i) instanceof Double, "item " + i + " must be a float");
        return (Double) items.get(i);
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException("not a chat command: " + message);
        }
    }
}
