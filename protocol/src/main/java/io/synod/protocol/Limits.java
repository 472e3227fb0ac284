package io.synod.protocol;

/**
 * Every size limit the wire protocol enforces, in one place. Decoding rejects anything over a
 * limit with a {@link ProtocolException} before it reaches a state machine.
 *
 * @param frameBytesMax largest accepted MessagePack frame
 * @param nestingDepthMax deepest accepted nesting of maps and arrays
 * @param collectionItemsMax most entries accepted in one map or array
 * @param nameCharsMax longest user, channel or server name
 * @param messageCharsMax longest message or post text
 * @param passwordCharsMax longest password
 * @param historyPageMax most items one history reply carries
 */
public record Limits(
        int frameBytesMax,
        int nestingDepthMax,
        int collectionItemsMax,
        int nameCharsMax,
        int messageCharsMax,
        int passwordCharsMax,
        int historyPageMax) {

    /**
     * The largest value of any integer field a request carries ({@code clock}, {@code request_id},
     * {@code after_seq}, {@code min_index}): 2^53 - 1, the largest integer a double holds exactly, so
     * JavaScript and float-based clients can carry every value Synod sends. Not configurable: it is
     * part of the wire contract, and the Lamport clock's own bound ({@code LamportClock.STAMP_MAX}).
     */
    public static final long INTEGER_MAX = (1L << 53) - 1;

    /** The limits every Synod process uses unless configured otherwise. */
    public static final Limits DEFAULT = new Limits(1 << 20, 16, 100_000, 64, 4_096, 128, 500);

    public Limits {
        positive(frameBytesMax, "frameBytesMax");
        positive(nestingDepthMax, "nestingDepthMax");
        positive(collectionItemsMax, "collectionItemsMax");
        positive(nameCharsMax, "nameCharsMax");
        positive(messageCharsMax, "messageCharsMax");
        positive(passwordCharsMax, "passwordCharsMax");
        positive(historyPageMax, "historyPageMax");
    }

    private static void positive(int value, String name) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }
}
