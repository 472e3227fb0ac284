package io.synod.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Where the broker sends a request ({@link BrokerServers}, {@link LeaderMark}), with names standing for servers. */
class BrokerServersTest {
    private static final List<byte[]> REQUEST = List.of(new byte[] {0, 1, 2, 3, 4}, new byte[0], new byte[] {9});
    private static final long TTL_NANOS = TimeUnit.MILLISECONDS.toNanos(LeaderMark.MARK_TTL_MILLIS);

    private final BrokerServers<String> servers = new BrokerServers<>();
    /** Where each offered request went, in order. */
    private final List<String> taken = new ArrayList<>();
    /** Servers without room. */
    private final Set<String> full = new HashSet<>();

    BrokerServersTest() {
        servers.add("a");
        servers.add("b");
        servers.add("c");
    }

    private List<String> send(int requests, long nowNanos) {
        taken.clear();
        for (int i = 0; i < requests; i++) {
            boolean sent = servers.offer(REQUEST, nowNanos, (server, frames) -> {
                if (full.contains(server)) {
                    return false;
                }
                taken.add(server);
                return true;
            });
            if (!sent) {
                taken.add("none");
            }
        }
        return List.copyOf(taken);
    }

    private boolean announce(String from, boolean leading, long round, int node, long nowNanos) {
        return servers.announced(from, LeaderMark.announcement(leading, round, node), nowNanos);
    }

    @Test
    void withoutAnAnnouncementTheServersTakeTurns() {
        assertThat(send(6, 0)).containsExactly("b", "c", "a", "b", "c", "a");
    }

    @Test
    void anAnnouncedLeaderGetsEveryRequestWhileItHasRoom() {
        assertThat(announce("c", true, 4, 2, 0)).isTrue();
        assertThat(send(4, 1)).containsExactly("c", "c", "c", "c");
        full.add("c");
        assertThat(send(3, 2)).containsExactly("b", "a", "b"); // in turn, skipping the full one
        full.add("a");
        full.add("b");
        assertThat(send(1, 3)).containsExactly("none");
    }

    @Test
    void aRepliesFramesAreNotAnAnnouncement() {
        assertThat(servers.announced("a", REQUEST, 0)).isFalse();
        assertThat(servers.announced("a", List.of(LeaderMark.MARKER.clone()), 0))
                .isFalse(); // one frame: not it
        assertThat(send(2, 0)).containsExactly("b", "c");
    }

    @Test
    void aMarkNotRepeatedExpiresAndARepeatRenewsIt() {
        announce("b", true, 1, 1, 0);
        assertThat(send(1, TTL_NANOS - 1)).containsExactly("b");
        announce("b", true, 1, 1, TTL_NANOS - 1);
        assertThat(send(1, 2 * TTL_NANOS - 2)).containsExactly("b");
        assertThat(send(3, 2 * TTL_NANOS - 1)).containsExactly("b", "c", "a");
    }

    @Test
    void aHigherBallotTakesTheMarkAndALowerOneIsIgnoredWhileItLasts() {
        announce("a", true, 3, 0, 0);
        announce("b", true, 3, 1, 1); // same round, higher node: a newer leader
        assertThat(send(2, 2)).containsExactly("b", "b");
        announce("a", true, 3, 0, 3); // the old leader, not yet told
        announce("c", true, 2, 9, 3);
        assertThat(send(1, 4)).containsExactly("b");
        announce("c", true, 4, 0, 5);
        assertThat(send(1, 6)).containsExactly("c");
    }

    @Test
    void aLowerBallotIsTakenOnceTheMarkIsGone() {
        announce("b", true, 7, 1, 0);
        servers.remove("b"); // its connection closed (killed)
        assertThat(send(2, 1)).containsExactly("c", "a");
        announce("a", true, 5, 0, 2);
        assertThat(send(1, 3)).containsExactly("a");
    }

    @Test
    void aResignationClearsOnlyItsOwnMark() {
        announce("b", true, 2, 1, 0);
        announce("a", false, 1, 0, 1); // not the marked one: changes nothing
        assertThat(send(1, 2)).containsExactly("b");
        announce("b", false, 2, 1, 3);
        assertThat(send(3, 4)).containsExactly("b", "c", "a");
    }

    @Test
    void aMalformedAnnouncementIsCountedAndChangesNothing() {
        byte[] badVersion = LeaderMark.announcement(true, 1, 1).get(1).clone();
        badVersion[0] = 99;
        assertThat(servers.announced("a", List.of(LeaderMark.MARKER.clone(), badVersion), 0))
                .isTrue();
        assertThat(servers.announced("a", List.of(LeaderMark.MARKER.clone(), new byte[3]), 0))
                .isTrue();
        assertThat(send(2, 1)).containsExactly("b", "c");
        Map<String, Object> stats = new LinkedHashMap<>();
        servers.stats(stats, 1);
        assertThat(stats)
                .containsEntry("bad_announcements", 2L)
                .containsEntry("leader_known", false)
                .containsEntry("to_leader", 0L);
    }

    @Test
    void theStatsCountTheRequestsSentToTheLeaderPerInterval() {
        announce("a", true, 1, 0, 0);
        send(5, 1);
        Map<String, Object> stats = new LinkedHashMap<>();
        servers.stats(stats, 1);
        assertThat(stats).containsEntry("to_leader", 5L).containsEntry("leader_known", true);
        servers.stats(stats, 2);
        assertThat(stats).containsEntry("to_leader", 0L);
    }

    @Test
    void theMarkerIsNoRoutingIdARouterGivesOrAccepts() {
        byte[] marker = LeaderMark.announcement(true, 1, 1).get(0);
        assertThat(marker[0]).isZero(); // ZeroMQ refuses client identities starting with a zero byte
        assertThat(marker).hasSizeGreaterThan(5); // the ids a ROUTER makes up are 5 bytes
    }
}
