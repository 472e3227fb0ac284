package io.synod.core;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * What makes one send of a write without {@code client_id}/{@code request_id} tell itself apart from another: a
 * 128-bit hash of the service, the operation's fields, and the {@code clock} and {@code timestamp} the client put in
 * the request. A statement client (part 4) increments its Lamport clock before every send and a Lazy Pirate retry
 * re-sends the same bytes, so two requests of one author with the same fingerprint are one send retried (see {@link
 * ChatStateMachine}: the result of the first is given to the second, nothing is applied again).
 *
 * <p>The hash is computed by the accepting server and carried in the {@link Command}, so every replica decides the
 * same way however the request reached the log. Collisions of different sends are a 2^-128 chance per pair.
 *
 * @param high the first 64 bits of the hash
 * @param low the next 64 bits
 *     <p>Thread-safety: immutable.
 */
public record Fingerprint(long high, long low) {
    /** Changes if what is hashed changes, so old and new fingerprints never match by accident. */
    private static final byte HASH_VERSION = 1;

    /**
     * The fingerprint of a send, or null when the request cannot be told apart from another identical send of the
     * same author and must not be recognised as a retry: without a {@code timestamp}; or without a {@code clock}
     * ({@code clientClock == 0}: clients of parts 1 to 3) and with a timestamp of whole seconds, where two identical
     * messages sent in one second would be taken for one.
     *
     * @param operation the write
     * @param clientClock the request's {@code clock}, 0 if absent
     * @param clientTimestampSeconds the request's {@code timestamp} as epoch seconds, or null if absent
     */
    public static Fingerprint of(ChatCommand operation, long clientClock, Double clientTimestampSeconds) {
        ChatInvariants.require(operation != null, "operation must not be null");
        if (clientTimestampSeconds == null || !Double.isFinite(clientTimestampSeconds)) {
            return null;
        }
        double timestamp = clientTimestampSeconds;
        if (clientClock <= 0 && timestamp == Math.rint(timestamp)) {
            return null;
        }
        MessageDigest sha = ChatStateMachine.sha256();
        sha.update(HASH_VERSION);
        text(sha, operation.service());
        for (String field : fields(operation)) {
            text(sha, field);
        }
        sha.update(ByteBuffer.allocate(2 * Long.BYTES)
                .putLong(clientClock)
                .putLong(Double.doubleToLongBits(timestamp))
                .array());
        ByteBuffer hash = ByteBuffer.wrap(sha.digest());
        return new Fingerprint(hash.getLong(), hash.getLong());
    }

    /** The fields of an operation, in record component order (the same as the command encoding). */
    static List<String> fields(ChatCommand operation) {
        return switch (operation) {
            case ChatCommand.Login l ->
                l.plain()
                        ? List.of(l.user())
                        : List.of(l.user(), l.passwordHash(), l.session(), Long.toString(l.expiresAtSeconds()));
            case ChatCommand.Logout l -> List.of(l.user(), l.session());
            case ChatCommand.CreateChannel c -> List.of(c.channel());
            case ChatCommand.Publish p -> List.of(p.user(), p.channel(), p.message());
            case ChatCommand.SendMessage m -> List.of(m.src(), m.dst(), m.message());
            case ChatCommand.Post p -> List.of(p.user(), p.message(), p.replyTo());
            case ChatCommand.Follow f -> List.of(f.user(), f.target());
            case ChatCommand.Unfollow u -> List.of(u.user(), u.target());
            case ChatCommand.NotificationsRead r ->
                List.of(r.user(), Long.toString(r.seq()), Long.toString(r.postIndex()));
            case ChatCommand.ConversationRead r -> List.of(r.user(), r.peer(), Long.toString(r.seq()));
        };
    }

    /** Length-prefixed, so ("ab", "c") and ("a", "bc") hash differently. */
    private static void text(MessageDigest sha, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        sha.update(ByteBuffer.allocate(Integer.BYTES).putInt(bytes.length).array());
        sha.update(bytes);
    }
}
