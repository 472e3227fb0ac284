package io.synod.messaging;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Which server connection of the broker leads, so that the broker sends requests straight to it instead of the next
 * server in turn: a write reaching a follower would be forwarded to the leader over the replication link, decided
 * there, and answered by the follower once it learns the decision (two more hops and their CPU).
 *
 * <p>Our server announces itself on its DEALER to the broker with a two-frame message ({@link #announcement}): a
 * first frame that no client of any ROUTER can have ({@link #MARKER}: it starts with a zero byte, which ZeroMQ keeps
 * for the 5-byte routing ids a ROUTER makes up itself, and is longer), and its ballot. A course broker ({@code
 * zmq.proxy} with ROUTER and DEALER) takes the first frame for a client's routing id, finds nobody by it and drops
 * the message, as a ROUTER does; no client ever sees it. Our broker takes it out of the replies and marks the
 * connection it came on.
 *
 * <p>The rules ({@link #claim}, {@link #leader}; {@link BrokerServers} sends): a claim with a ballot at least the
 * marked one's (or any claim when nothing is marked, or from the marked connection) marks its connection for {@link
 * #MARK_TTL_MILLIS}, renewed by each repeat; a lower ballot from another connection is ignored while the mark
 * lasts; a resignation from the marked connection, the marked connection closing or the mark expiring clears it.
 * While marked, every request (reads too: the broker does not decode payloads) goes to the marked connection if it
 * has room; otherwise, and with no mark, the broker takes its servers in turn. Foreign servers never claim, so a
 * broker in front of them behaves as it always did.
 *
 * <p>Thread-safety: the broker's loop only (the static members: any thread).
 *
 * @param <C> a server connection (the broker's, or a test's stand-in)
 */
public final class LeaderMark<C> {
    /** The first frame of a leader's announcement; not a routing id any ROUTER gives or accepts from a client. */
    static final byte[] MARKER = {0, 's', 'y', 'n', 'o', 'd', '-', 'l', 'e', 'a', 'd', 'e', 'r'};
    /** The announcement's second frame: version, leading (1) or resigned (0), ballot round (8), ballot node (4). */
    static final int BODY_BYTES = 14;

    private static final byte VERSION = 1;
    /** How often a leader repeats its announcement, so that a broker that restarted or missed one learns it. */
    public static final long ANNOUNCE_INTERVAL_MILLIS = 1_000;
    /**
     * How long a mark lasts without a repeat: three announcements missed. A leader that stopped leading without
     * saying so (paused, cut off) keeps getting requests this long at most; they are forwarded or time out and
     * are retried, as with round robin.
     */
    static final long MARK_TTL_MILLIS = 3 * ANNOUNCE_INTERVAL_MILLIS;

    private C marked;
    private long markedRound;
    private int markedNode;
    private long expiresNanos;

    /** A leader's announcement ({@code leading}) or its resignation, for its DEALER to the broker. */
    public static List<byte[]> announcement(boolean leading, long round, int nodeId) {
        byte[] body = ByteBuffer.allocate(BODY_BYTES)
                .put(VERSION)
                .put((byte) (leading ? 1 : 0))
                .putLong(round)
                .putInt(nodeId)
                .array();
        return List.of(MARKER.clone(), body);
    }

    /** Whether a message from a server is an announcement (of any version or shape) rather than a reply. */
    static boolean isAnnouncement(List<byte[]> frames) {
        return frames.size() == 2 && Arrays.equals(frames.get(0), MARKER);
    }

    /**
     * Applies the announcement {@code frames} that came on {@code from}; one of another version or length is ignored.
     *
     * @return false if it was ignored as malformed
     */
    boolean claim(C from, List<byte[]> frames, long nowNanos) {
        byte[] body = frames.get(1);
        if (body.length != BODY_BYTES || body[0] != VERSION) {
            return false;
        }
        ByteBuffer buffer = ByteBuffer.wrap(body, 2, BODY_BYTES - 2);
        long round = buffer.getLong();
        int node = buffer.getInt();
        if (body[1] == 0) {
            if (from == marked) {
                marked = null;
            }
            return true;
        }
        if (marked != null
                && marked != from
                && nowNanos - expiresNanos < 0
                && (round < markedRound || (round == markedRound && node < markedNode))) {
            return true; // an older leader that has not heard of the newer one yet
        }
        marked = from;
        markedRound = round;
        markedNode = node;
        expiresNanos = nowNanos + TimeUnit.MILLISECONDS.toNanos(MARK_TTL_MILLIS);
        return true;
    }

    /** Forgets the mark if it is on {@code connection}, which closed. */
    void closed(C connection) {
        if (connection == marked) {
            marked = null;
        }
    }

    /** The marked connection, or null if none is (or the mark expired: then it is cleared). */
    C leader(long nowNanos) {
        if (marked != null && nowNanos - expiresNanos >= 0) {
            marked = null;
        }
        return marked;
    }
}
