package io.synod.server;

import io.synod.consensus.Ballot;
import io.synod.messaging.LeaderMark;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * When this server tells the brokers that it leads ({@link LeaderMark}): at once when it becomes leader or its ballot
 * changes, again every {@link LeaderMark#ANNOUNCE_INTERVAL_MILLIS} while it leads (a broker that restarted, or
 * connected since, learns it; a broker forgets a mark not repeated), and once when it stops leading, so that the
 * brokers go back to round robin without waiting for the mark to expire.
 *
 * <p>Thread-safety: the server's event loop only.
 */
final class LeaderAnnouncer {
    /** The ballot last announced as leading, or null when this server did not announce itself (or resigned). */
    private Ballot announced;

    private long nextNanos;

    /** Called every turn with the ballot this server leads with (null: it does not lead); {@code send} announces. */
    void turn(Ballot leading, long nowNanos, Consumer<List<byte[]>> send) {
        if (leading == null) {
            if (announced != null) {
                send.accept(LeaderMark.announcement(false, announced.round(), announced.nodeId()));
                announced = null;
            }
            return;
        }
        if (Objects.equals(leading, announced) && nowNanos - nextNanos < 0) {
            return;
        }
        send.accept(LeaderMark.announcement(true, leading.round(), leading.nodeId()));
        announced = leading;
        nextNanos = nowNanos + TimeUnit.MILLISECONDS.toNanos(LeaderMark.ANNOUNCE_INTERVAL_MILLIS);
    }
}
