package io.synod.clock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LamportClockTest {

    @Test
    void tickIncrementsBeforeSend() {
        LamportClock clock = new LamportClock();
        assertThat(clock.current()).isZero();
        assertThat(clock.tick()).isEqualTo(1);
        assertThat(clock.tick()).isEqualTo(2);
        assertThat(clock.current()).isEqualTo(2);
    }

    @Test
    void observeTakesMaxPlusOne() {
        LamportClock clock = new LamportClock(5);
        assertThat(clock.observe(10)).isEqualTo(11);
        assertThat(clock.observe(3)).isEqualTo(12);
        assertThat(clock.observe(12)).isEqualTo(13);
    }

    @Test
    void negativeInitialValueRejected() {
        assertThatThrownBy(() -> new LamportClock(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LamportClock(LamportClock.STAMP_MAX + 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** Received stamps come from anyone: a stamp no conforming sender produces is a local event. */
    @Test
    void stampsOutsideTheWireRangeAreNotMerged() {
        LamportClock clock = new LamportClock(7);
        assertThat(clock.observe(-1)).isEqualTo(8);
        assertThat(clock.observe(Long.MIN_VALUE)).isEqualTo(9);
        assertThat(clock.observe(Long.MAX_VALUE)).isEqualTo(10);
        assertThat(clock.observe(Long.MAX_VALUE - 1)).isEqualTo(11);
        assertThat(clock.observe(LamportClock.STAMP_MAX + 1)).isEqualTo(12);
        assertThat(clock.stampsOutOfRange()).isEqualTo(5);
    }

    @Test
    void stampsAboveTheCeilingAreMergedAsTheCeiling() {
        LamportClock clock = new LamportClock();
        assertThat(clock.observe(LamportClock.STAMP_MAX)).isEqualTo(LamportClock.MERGE_CEILING + 1);
        assertThat(clock.observe(LamportClock.MERGE_CEILING + 5)).isEqualTo(LamportClock.MERGE_CEILING + 2);
        assertThat(clock.observe(LamportClock.MERGE_CEILING)).isEqualTo(LamportClock.MERGE_CEILING + 3);
        assertThat(clock.stampsOutOfRange()).isEqualTo(2);
        assertThat(clock.tick()).isEqualTo(LamportClock.MERGE_CEILING + 4);
    }

    /**
     * The attack of issue 19: stamps of 2^63-1 and 2^63-2 again and again. Every observe and tick
     * returns a valid stamp, and the clock stays far below where it could overflow.
     */
    @Test
    void hostileStampsNeverThrowAndLeaveTheClockSendable() {
        LamportClock clock = new LamportClock();
        long[] hostile = {Long.MAX_VALUE, Long.MAX_VALUE - 1, Long.MAX_VALUE - 1001, LamportClock.STAMP_MAX, -5};
        for (int round = 0; round < 1_000; round++) {
            for (long stamp : hostile) {
                assertThat(LamportClock.isValidStamp(clock.observe(stamp))).isTrue();
                assertThat(LamportClock.isValidStamp(clock.tick())).isTrue();
            }
        }
        // round 0 reaches the ceiling: six local events, the merge to C + 1, three more: C + 4; every later
        // round is ten local events, the merge included, since the clock is above the ceiling by then
        assertThat(clock.current()).isEqualTo(LamportClock.MERGE_CEILING + 4 + 999 * 10);
    }

    @Test
    void ticksPastTheWireMaximumStillIncrease() {
        LamportClock clock = new LamportClock(LamportClock.STAMP_MAX);
        for (int i = 0; i < 3; i++) {
            clock.tick(); // beyond what the wire accepts is still a valid long: no wrap, no throw
        }
        assertThat(clock.current()).isEqualTo(LamportClock.STAMP_MAX + 3);
    }

    /** Lamport 1978, clock condition: if a happens-before b (send then receive) then C(a) < C(b). */
    @Test
    void clockConditionHoldsAcrossAMessageChain() {
        LamportClock p = new LamportClock();
        LamportClock q = new LamportClock(40);
        LamportClock r = new LamportClock();
        long sendP = p.tick();
        long recvQ = q.observe(sendP);
        long sendQ = q.tick();
        long recvR = r.observe(sendQ);
        assertThat(sendP).isLessThan(recvQ);
        assertThat(recvQ).isLessThan(sendQ);
        assertThat(sendQ).isLessThan(recvR);
    }

    @Test
    void concurrentTicksAreUniqueAndNoneLost() throws Exception {
        LamportClock clock = new LamportClock();
        int threads = 4;
        int perThread = 10_000;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<Long>>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    List<Long> seen = new ArrayList<>(perThread);
                    for (int i = 0; i < perThread; i++) {
                        seen.add(i % 2 == 0 ? clock.tick() : clock.observe(0));
                    }
                    return seen;
                }));
            }
            start.countDown();
            Set<Long> all = new HashSet<>();
            for (Future<List<Long>> f : futures) {
                all.addAll(f.get(30, TimeUnit.SECONDS));
            }
            assertThat(all).hasSize(threads * perThread);
            assertThat(clock.current()).isEqualTo((long) threads * perThread);
        } finally {
            pool.shutdownNow();
        }
    }
}
