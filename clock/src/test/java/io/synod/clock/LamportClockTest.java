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
    void negativeValuesRejected() {
        LamportClock clock = new LamportClock();
        assertThatThrownBy(() -> clock.observe(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LamportClock(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(clock.current()).isZero();
    }

    @Test
    void overflowThrowsInsteadOfWrapping() {
        LamportClock clock = new LamportClock(Long.MAX_VALUE);
        assertThatThrownBy(clock::tick).isInstanceOf(ArithmeticException.class);
        assertThatThrownBy(() -> clock.observe(0)).isInstanceOf(ArithmeticException.class);
        assertThat(clock.current()).isEqualTo(Long.MAX_VALUE);
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
