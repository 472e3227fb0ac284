package io.synod.clock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.synod.clock.BerkeleyMessage.ClockReply;
import io.synod.clock.BerkeleyMessage.ClockRequest;
import io.synod.clock.BerkeleyMessage.TimeAdjustment;
import io.synod.clock.BerkeleyMessage.TimeRequest;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Tests of one server's synchronisation, including paper tests for Cristian's method (F. Cristian,
 * "Probabilistic clock synchronization", Distributed Computing 3(3), 1989, section 3) and a whole
 * Berkeley round (Gusella and Zatti 1989, section II).
 */
class BerkeleySyncTest {

    private static final long EPOCH_MILLIS = 1_795_000_000_000L;
    private static final BerkeleyConfig CONFIG = BerkeleyConfig.defaults();

    /** Servers whose machine clocks are perfect: underlying reading = EPOCH + true time. */
    private static final class Cluster {
        final Map<String, BerkeleySync> syncs = new TreeMap<>();
        final Deque<Object[]> inFlight = new ArrayDeque<>();
        long trueMillis;

        Cluster(Map<String, Long> skewsMillis, String coordinator) {
            for (Map.Entry<String, Long> entry : skewsMillis.entrySet()) {
                SoftwareClock clock = new SoftwareClock(SoftwareClockConfig.defaults(), entry.getValue(), EPOCH_MILLIS);
                BerkeleySync sync = new BerkeleySync(CONFIG, entry.getKey(), clock);
                sync.setServers(skewsMillis.keySet());
                sync.coordinatorChanged(Optional.of(coordinator));
                syncs.put(entry.getKey(), sync);
            }
        }

        long underlying() {
            return EPOCH_MILLIS + trueMillis;
        }

        /** Advances true time, ticking every 10 ms, delivering each message 1 ms after it is sent. */
        void run(long millis) {
            for (long i = 0; i < millis; i++) {
                trueMillis++;
                deliverDue();
                if (trueMillis % 10 == 0) {
                    syncs.values().forEach(sync -> sync.tick(underlying()));
                }
                collect();
            }
        }

        private void collect() {
            for (Map.Entry<String, BerkeleySync> entry : syncs.entrySet()) {
                for (Outbound<BerkeleyMessage> outbound :
                        entry.getValue().ready().messagesToSend()) {
                    inFlight.addLast(new Object[] {trueMillis + 1, entry.getKey(), outbound});
                }
            }
        }

        @SuppressWarnings("unchecked")
        private void deliverDue() {
            while (!inFlight.isEmpty() && (long) inFlight.peekFirst()[0] <= trueMillis) {
                Object[] next = inFlight.removeFirst();
                Outbound<BerkeleyMessage> outbound = (Outbound<BerkeleyMessage>) next[2];
                syncs.get(outbound.target()).step((String) next[1], outbound.message(), underlying());
                collect();
            }
        }

        long displayedMinusTrue(String name) {
            return syncs.get(name).clock().readMillis(underlying()) - underlying();
        }
    }

    /** Section II: after a round and the slewing it needs, every clock shows the average. */
    @Test
    void oneBerkeleyRoundBringsAllClocksToTheAverage() {
        Cluster cluster = new Cluster(Map.of("m", 0L, "s1", 30L, "s2", -45L), "m");
        cluster.run(20);
        BerkeleyRoundReport report = cluster.syncs.get("m").lastRoundReport().orElseThrow();
        assertThat(report.offsetsMillis()).isEqualTo(Map.of("m", 0L, "s1", 30L, "s2", -45L));
        assertThat(report.averageOffsetMillis()).isEqualTo(-5);
        assertThat(report.spreadMillis()).isEqualTo(75);
        cluster.run(1_000);
        for (String name : List.of("m", "s1", "s2")) {
            assertThat(cluster.displayedMinusTrue(name)).as(name).isBetween(-7L, -3L);
        }
    }

    /** Section 3: the reply's time plus half the round trip; the error is at most rtt/2. */
    @Test
    void cristianCorrectionFromTheEveryTenMessagesRequest() {
        SoftwareClock clock = new SoftwareClock(SoftwareClockConfig.defaults(), -400, EPOCH_MILLIS);
        BerkeleySync follower = new BerkeleySync(CONFIG, "s1", clock);
        follower.coordinatorChanged(Optional.of("m"));
        for (int i = 0; i < 9; i++) {
            follower.noteMessageExchanged(EPOCH_MILLIS);
        }
        assertThat(follower.hasReady()).isFalse();
        follower.noteMessageExchanged(EPOCH_MILLIS);
        Outbound<BerkeleyMessage> request = follower.ready().messagesToSend().getFirst();
        assertThat(request).isEqualTo(new Outbound<BerkeleyMessage>("m", new ClockRequest(1)));
        // Asymmetric delays: 1 ms to the coordinator (whose clock is exact), 9 ms back.
        follower.step("m", new ClockReply(1, EPOCH_MILLIS + 1), EPOCH_MILLIS + 10);
        ClockCorrection correction = follower.ready().corrections().getFirst();
        assertThat(correction.method()).isEqualTo(ClockCorrection.Method.CRISTIAN);
        assertThat(correction.roundTripMillis()).isEqualTo(10);
        long errorMillis = clock.readTargetMillis(EPOCH_MILLIS + 10) - (EPOCH_MILLIS + 10);
        assertThat(Math.abs(errorMillis)).isLessThanOrEqualTo(correction.roundTripMillis() / 2);
    }

    @Test
    void clockRequestsAreAnsweredByAnyServerWithItsTarget() {
        SoftwareClock clock = new SoftwareClock(SoftwareClockConfig.defaults(), 25, EPOCH_MILLIS);
        BerkeleySync sync = new BerkeleySync(CONFIG, "m", clock);
        sync.step("foreign", new ClockRequest(7), EPOCH_MILLIS + 100);
        assertThat(sync.ready().messagesToSend())
                .containsExactly(new Outbound<>("foreign", new ClockReply(7, EPOCH_MILLIS + 125)));
    }

    @Test
    void adjustmentsFromAServerThatIsNotTheCoordinatorAreIgnored() {
        SoftwareClock clock = new SoftwareClock(SoftwareClockConfig.defaults(), 0, EPOCH_MILLIS);
        BerkeleySync sync = new BerkeleySync(CONFIG, "s1", clock);
        sync.coordinatorChanged(Optional.of("m"));
        sync.step("x", new TimeAdjustment(1, 50, 0), EPOCH_MILLIS);
        assertThat(clock.adjustmentCount()).isZero();
        sync.step("m", new TimeAdjustment(1, 50, 0), EPOCH_MILLIS);
        assertThat(clock.pendingAdjustmentMillis()).isEqualTo(50);
    }

    /** A measurement taken before another correction landed would count the error twice. */
    @Test
    void staleBerkeleyCorrectionIsDiscarded() {
        SoftwareClock clock = new SoftwareClock(SoftwareClockConfig.defaults(), 0, EPOCH_MILLIS);
        BerkeleySync sync = new BerkeleySync(CONFIG, "s1", clock);
        sync.coordinatorChanged(Optional.of("m"));
        sync.step("m", new TimeRequest(1, EPOCH_MILLIS), EPOCH_MILLIS);
        sync.ready();
        clock.adjust(EPOCH_MILLIS, 30);
        sync.step("m", new TimeAdjustment(1, 30, 0), EPOCH_MILLIS);
        assertThat(clock.pendingAdjustmentMillis()).isEqualTo(30);
        assertThat(sync.rejectedCorrectionCount()).isEqualTo(1);
    }

    @Test
    void smallCorrectionsAreHalvedLargeOnesApplied() {
        assertThat(BerkeleyFollower.damped(CONFIG, 10)).isEqualTo(5);
        assertThat(BerkeleyFollower.damped(CONFIG, -7)).isEqualTo(-3);
        assertThat(BerkeleyFollower.damped(CONFIG, 1)).isZero();
        assertThat(BerkeleyFollower.damped(CONFIG, 11)).isEqualTo(11);
        assertThat(BerkeleyFollower.damped(CONFIG, -400)).isEqualTo(-400);
    }

    @Test
    void losingTheCoordinatorRoleAbortsTheOpenRound() {
        SoftwareClock clock = new SoftwareClock(SoftwareClockConfig.defaults(), 0, EPOCH_MILLIS);
        BerkeleySync sync = new BerkeleySync(CONFIG, "m", clock);
        sync.setServers(List.of("m", "s1"));
        sync.coordinatorChanged(Optional.of("m"));
        sync.tick(EPOCH_MILLIS);
        assertThat(sync.ready().messagesToSend())
                .containsExactly(new Outbound<>("s1", new TimeRequest(1, EPOCH_MILLIS)));
        sync.coordinatorChanged(Optional.of("s9"));
        assertThat(sync.abortedRoundCount()).isEqualTo(1);
        sync.noteMessageExchanged(EPOCH_MILLIS);
        assertThat(sync.isCoordinator()).isFalse();
    }

    @Test
    void coordinatorDoesNotSendClockRequestsToItself() {
        SoftwareClock clock = new SoftwareClock(SoftwareClockConfig.defaults(), 0, EPOCH_MILLIS);
        BerkeleySync sync = new BerkeleySync(CONFIG, "m", clock);
        sync.coordinatorChanged(Optional.of("m"));
        for (int i = 0; i < 25; i++) {
            sync.noteMessageExchanged(EPOCH_MILLIS);
        }
        assertThat(sync.hasReady()).isFalse();
    }

    @Test
    void configIsValidated() {
        assertThatThrownBy(() -> new BerkeleyConfig(50, 50, 200, 50, 10, 100, 64, 10))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BerkeleyConfig(500, 50, 0, 50, 10, 100, 64, 10))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BerkeleyConfig(500, 50, 200, 50, 0, 100, 64, 10))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
