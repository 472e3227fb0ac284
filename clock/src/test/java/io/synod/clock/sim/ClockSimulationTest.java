package io.synod.clock.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs the clock simulator over many seeds. {@code -Dsim.seed=N} runs only seed N, with its trace;
 * {@code -Dsim.seeds=K} runs K seeds (default 500). Every failure names its seed.
 */
class ClockSimulationTest {

    private static final long DEFAULT_SEED_COUNT = 500;
    private static final long FIRST_SEED = 1;

    @TestFactory
    Stream<DynamicTest> seeds() {
        Long replaySeed = longProperty("sim.seed");
        if (replaySeed != null) {
            return Stream.of(DynamicTest.dynamicTest("seed=" + replaySeed, () -> runAndReport(replaySeed, true)));
        }
        Long seedCountProperty = longProperty("sim.seeds");
        long seedCount = seedCountProperty == null ? DEFAULT_SEED_COUNT : seedCountProperty;
        return LongStream.range(FIRST_SEED, FIRST_SEED + seedCount)
                .mapToObj(seed -> DynamicTest.dynamicTest("seed=" + seed, () -> runAndReport(seed, false)));
    }

    /** The same seed gives the same run, event for event. */
    @Test
    void runsAreDeterministic() {
        List<ClockSimulation.Result> first = new ArrayList<>();
        List<ClockSimulation.Result> second = new ArrayList<>();
        for (long seed = 9_001; seed < 9_004; seed++) {
            first.add(new ClockSimulation(seed, false).run());
            second.add(new ClockSimulation(seed, false).run());
        }
        assertThat(second).isEqualTo(first);
    }

    private static void runAndReport(long seed, boolean tracing) {
        ClockSimulation.Result result;
        try {
            result = new ClockSimulation(seed, tracing).run();
        } catch (ClockSimulation.SimFailure failure) {
            if (tracing) {
                System.out.println(failure.getMessage());
            }
            throw failure;
        }
        if (tracing) {
            System.out.println(result);
        }
        assertThat(result.maxSkewMillis()).isLessThanOrEqualTo(result.skewBoundMillis());
        if (result.liveCount() > 1) {
            assertThat(result.roundCount())
                    .as("seed=%d ran Berkeley rounds", seed)
                    .isPositive();
        }
    }

    private static Long longProperty(String name) {
        String value = System.getProperty(name);
        if (value == null || value.isBlank() || value.startsWith("${")) {
            return null;
        }
        return Long.parseLong(value.trim());
    }
}
