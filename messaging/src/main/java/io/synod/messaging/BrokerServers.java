package io.synod.messaging;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;

/**
 * The broker's server connections and which one a request goes to: the one that said it leads ({@link LeaderMark})
 * while that mark holds and it has room, else the next in turn that has room (round robin, as a DEALER does).
 *
 * <p>Thread-safety: the broker's loop only.
 *
 * @param <C> a server connection (the broker's, or a test's stand-in)
 */
final class BrokerServers<C> {
    private final List<C> servers = new ArrayList<>();
    private final LeaderMark<C> leaderMark = new LeaderMark<>();
    private int nextServer;
    /** Requests sent to the marked leader since the last {@link #stats}. */
    private long toLeader;
    /** Announcements ignored as malformed since the last {@link #stats}. */
    private long badAnnouncements;

    void add(C server) {
        servers.add(server);
    }

    void remove(C server) {
        servers.remove(server);
        leaderMark.closed(server);
    }

    /**
     * Takes a leader's announcement that came on {@code from} ({@link LeaderMark#isAnnouncement}).
     *
     * @return false if {@code frames} are not one (a reply, to route to its client)
     */
    boolean announced(C from, List<byte[]> frames, long nowNanos) {
        if (!LeaderMark.isAnnouncement(frames)) {
            return false;
        }
        if (!leaderMark.claim(from, frames, nowNanos)) {
            badAnnouncements++;
        }
        return true;
    }

    /**
     * Offers {@code frames} through {@code offer} to the marked leader, else to each server in turn until one takes
     * them.
     *
     * @return false if none had room
     */
    boolean offer(List<byte[]> frames, long nowNanos, BiPredicate<C, List<byte[]>> offer) {
        C leader = leaderMark.leader(nowNanos);
        if (leader != null && offer.test(leader, frames)) {
            toLeader++;
            return true;
        }
        for (int tried = 0; tried < servers.size(); tried++) {
            nextServer = (nextServer + 1) % servers.size();
            if (offer.test(servers.get(nextServer), frames)) {
                return true;
            }
        }
        return false;
    }

    /** Adds this interval's figures to the broker's stats, and starts the next interval's counts. */
    void stats(Map<String, Object> data, long nowNanos) {
        data.put("to_leader", toLeader);
        data.put("leader_known", leaderMark.leader(nowNanos) != null);
        data.put("bad_announcements", badAnnouncements);
        toLeader = badAnnouncements = 0;
    }
}
