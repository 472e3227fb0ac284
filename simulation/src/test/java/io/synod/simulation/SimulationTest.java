package io.synod.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Runs the cluster simulator over many seeds with faults. {@code -Dsim.seed=N} replays one seed and prints its
 * trace; {@code -Dsim.seeds=N} changes how many seeds run (default 2000).
 */
class SimulationTest {
    private static final long DEFAULT_SEEDS = 2_000;

    @Test
    @DisplayName("agreement, prefix consistency, exactly-once and liveness hold for every seed")
    void manySeedsWithFaults() {
        Long replay = longProperty("sim.seed");
        if (replay != null) {
            SimOptions fullTrace = SimOptions.defaults().withTraceLinesMax(1_000_000);
            SimResult result = new Simulation(replay, fullTrace, ReplicaFactory.STANDARD).run();
            System.out.print(result.trace());
            assertThat(result.violation()).as(result.replayHint()).isNull();
            return;
        }
        long seeds = longProperty("sim.seeds") != null ? longProperty("sim.seeds") : DEFAULT_SEEDS;
        List<String> failures = new ArrayList<>();
        long decided = 0;
        for (long seed = 0; seed < seeds; seed++) {
            SimResult result = Simulation.run(seed);
            decided += result.decidedSlots();
            if (!result.ok()) {
                failures.add("seed=" + seed + " " + result.violation() + "\n  " + result.replayHint());
                if (failures.size() == 1) {
                    System.out.print(result.trace());
                }
            }
        }
        assertThat(failures).as("failing seeds").isEmpty();
        assertThat(decided).as("the workload made progress").isGreaterThan(seeds * 20);
    }

    @Test
    @DisplayName("a seed replays to exactly the same run")
    void sameSeedSameRun() {
        SimResult first = Simulation.run(42);
        SimResult second = Simulation.run(42);
        assertThat(second.events()).isEqualTo(first.events());
        assertThat(second.trace()).isEqualTo(first.trace());
    }

    static Long longProperty(String name) {
        String value = System.getProperty(name);
        return value != null && value.matches("-?\\d+") ? Long.parseLong(value) : null;
    }
}
