package io.synod.core;

import io.synod.protocol.Limits;
import io.synod.protocol.MsgPack;
import io.synod.protocol.ProtocolException;
import io.synod.protocol.Publication;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The stored values of the chat state, as MessagePack arrays (compact, and independent of the
 * wire payload format). Decoding a stored value that does not have the expected shape is a
 * programmer error (or corruption) and fails an invariant.
 *
 * <p>Thread-safety: stateless.
 */
final class Values {
    /** Stored values are trusted and may be large (snapshots); only the shape is checked. */
    static final Limits STORED = new Limits(
            Integer.MAX_VALUE,
            8,
            Integer.MAX_VALUE,
            Integer.MAX_VALUE,
            Integer.MAX_VALUE,
            Integer.MAX_VALUE,
            Integer.MAX_VALUE);

    private Values() {}

    static byte[] encode(Object... items) {
        return MsgPack.encode(Arrays.asList(items));
    }

    static List<Object> decode(byte[] value, int itemsExpected) {
        List<Object> list = decodeList(value);
        ChatInvariants.check(
                list.size() == itemsExpected, "a stored value has " + itemsExpected + " items, found " + list.size());
        return list;
    }

    /** A stored array of any length (the caller checks its shape). */
    static List<Object> decodeList(byte[] value) {
        Object decoded;
        try {
            decoded = MsgPack.decode(value, STORED);
        } catch (ProtocolException e) {
            throw new IllegalStateException("invariant violated: corrupt stored value: " + e.getMessage(), e);
        }
        ChatInvariants.check(decoded instanceof List<?>, "a stored value is a MessagePack array");
        return new ArrayList<>((List<?>) decoded);
    }

    static long longAt(List<Object> items, int i) {
        ChatInvariants.check(items.get(i) instanceof Long, "stored item " + i + " is an integer");
        return (Long) items.get(i);
    }

    static double doubleAt(List<Object> items, int i) {
        ChatInvariants.check(items.get(i) instanceof Double, "stored item " + i + " is a float");
        return (Double) items.get(i);
    }

    static String stringAt(List<Object> items, int i) {
        ChatInvariants.check(items.get(i) instanceof String, "stored item " + i + " is a string");
        return (String) items.get(i);
    }

    static byte[] post(Publication.ChannelPost p) {
        return encode(p.channel(), p.user(), p.message(), p.timestampSeconds(), p.clock(), p.seq(), p.id(), p.index());
    }

    static Publication.ChannelPost post(byte[] value) {
        List<Object> v = decode(value, 8);
        return new Publication.ChannelPost(
                stringAt(v, 0),
                stringAt(v, 1),
                stringAt(v, 2),
                doubleAt(v, 3),
                longAt(v, 4),
                longAt(v, 5),
                stringAt(v, 6),
                longAt(v, 7));
    }

    static byte[] direct(Publication.DirectMessage m) {
        return encode(
                m.src(),
                m.dst(),
                m.message(),
                m.timestampSeconds(),
                m.clock(),
                m.seq(),
                m.id(),
                m.index(),
                m.conversationSeq());
    }

    static Publication.DirectMessage direct(byte[] value) {
        List<Object> v = decode(value, 9);
        return new Publication.DirectMessage(
                stringAt(v, 0),
                stringAt(v, 1),
                stringAt(v, 2),
                doubleAt(v, 3),
                longAt(v, 4),
                longAt(v, 5),
                stringAt(v, 6),
                longAt(v, 7),
                longAt(v, 8));
    }

    static byte[] socialPost(Publication.SocialPost p) {
        return encode(p.user(), p.message(), p.replyTo(), p.timestampSeconds(), p.clock(), p.seq(), p.id(), p.index());
    }

    static Publication.SocialPost socialPost(byte[] value) {
        List<Object> v = decode(value, 8);
        return new Publication.SocialPost(
                stringAt(v, 0),
                stringAt(v, 1),
                stringAt(v, 2),
                doubleAt(v, 3),
                longAt(v, 4),
                longAt(v, 5),
                stringAt(v, 6),
                longAt(v, 7));
    }

    /** A notification without its user and seq, which its key holds. */
    static byte[] notification(Publication.Notification n) {
        return encode(
                n.kind(),
                n.actor(),
                n.ref(),
                n.channel(),
                n.message(),
                n.timestampSeconds(),
                n.clock(),
                n.id(),
                n.index());
    }

    static Publication.Notification notification(String user, long seq, byte[] value) {
        List<Object> v = decode(value, 9);
        return new Publication.Notification(
                user,
                stringAt(v, 0),
                stringAt(v, 1),
                stringAt(v, 2),
                stringAt(v, 3),
                stringAt(v, 4),
                doubleAt(v, 5),
                longAt(v, 6),
                seq,
                stringAt(v, 7),
                longAt(v, 8));
    }
}
