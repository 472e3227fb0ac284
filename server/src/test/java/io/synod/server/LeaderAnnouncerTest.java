package io.synod.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.consensus.Ballot;
import io.synod.messaging.LeaderMark;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LeaderAnnouncerTest {
    private static final long INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(LeaderMark.ANNOUNCE_INTERVAL_MILLIS);

    private final LeaderAnnouncer announcer = new LeaderAnnouncer();
    private final List<List<byte[]>> sent = new ArrayList<>();

    private void turn(Ballot leading, long nowNanos) {
        announcer.turn(leading, nowNanos, sent::add);
    }

    /** leading flag, round, node of an announcement. */
    private static String decode(List<byte[]> frames) {
        assertThat(frames).hasSize(2);
        assertThat(frames.get(0)[0]).isZero();
        ByteBuffer body = ByteBuffer.wrap(frames.get(1));
        body.get(); // version
        return (body.get() == 1 ? "leads " : "resigned ") + body.getLong() + "." + body.getInt();
    }

    private List<String> sent() {
        List<String> decoded = sent.stream().map(LeaderAnnouncerTest::decode).toList();
        sent.clear();
        return decoded;
    }

    @Test
    void aFollowerSaysNothing() {
        turn(null, 0);
        turn(null, 10 * INTERVAL_NANOS);
        assertThat(sent()).isEmpty();
    }

    @Test
    void aNewLeaderSaysSoAtOnceAndRepeatsItEveryInterval() {
        turn(new Ballot(3, 2), 0);
        assertThat(sent()).containsExactly("leads 3.2");
        turn(new Ballot(3, 2), INTERVAL_NANOS - 1);
        assertThat(sent()).isEmpty();
        turn(new Ballot(3, 2), INTERVAL_NANOS);
        assertThat(sent()).containsExactly("leads 3.2");
    }

    @Test
    void aNewBallotIsAnnouncedAtOnce() {
        turn(new Ballot(3, 2), 0);
        turn(new Ballot(5, 2), 1);
        assertThat(sent()).containsExactly("leads 3.2", "leads 5.2");
    }

    @Test
    void aLeaderThatStopsLeadingResignsOnceThenSaysNothing() {
        turn(new Ballot(3, 2), 0);
        turn(null, 1);
        turn(null, 2 * INTERVAL_NANOS);
        assertThat(sent()).containsExactly("leads 3.2", "resigned 3.2");
        turn(new Ballot(4, 2), 3 * INTERVAL_NANOS);
        assertThat(sent()).containsExactly("leads 4.2");
    }
}
