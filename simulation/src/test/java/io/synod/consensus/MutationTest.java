package io.synod.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.simulation.ReplicaFactory;
import io.synod.simulation.SimCommand;
import io.synod.simulation.SimOptions;
import io.synod.simulation.SimResult;
import io.synod.simulation.Simulation;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Breaks the protocol on purpose ({@link Mutation}) and asserts that the simulator's checkers notice within a few
 * hundred seeds: a simulator that cannot catch these bugs proves nothing. Lives in the consensus package (in the
 * simulation module's tests) because mutations are package-private.
 */
class MutationTest {
    private static final int SEEDS_MAX = 500;

    private static ReplicaFactory mutated(Mutation mutation) {
        return (config, state, applied, random) ->
                PaxosReplica.restore(config, state, applied, random, EnumSet.of(mutation));
    }

    @ParameterizedTest
    @EnumSource(Mutation.class)
    void simulatorCatchesMutation(Mutation mutation) {
        SimResult failure = null;
        for (long seed = 0; seed < SEEDS_MAX && failure == null; seed++) {
            SimResult result = new Simulation(seed, SimOptions.defaults(), mutated(mutation)).run();
            if (!result.ok()) {
                failure = result;
            }
        }
        assertThat(failure)
                .as("a violation with " + mutation + " within " + SEEDS_MAX + " seeds")
                .isNotNull();
        System.out.println(mutation + " caught at seed " + failure.seed() + ": " + failure.violation());
        SimResult replay = new Simulation(failure.seed(), SimOptions.defaults(), mutated(mutation)).run();
        assertThat(replay.violation()).as("the seed replays the same failure").isEqualTo(failure.violation());
        assertThat(replay.trace()).isEqualTo(failure.trace());
    }

    @Test
    void simCommandReportsFailingSeedsWithReplayHint() {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        int status = SimCommand.run(
                new String[] {"--seeds", "30", "--start", "0"},
                new PrintStream(buffer, true, StandardCharsets.UTF_8),
                mutated(Mutation.SKIP_PHASE_ONE));
        List<String> lines = buffer.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(status).isEqualTo(1);
        assertThat(lines).anyMatch(l -> l.startsWith("FAILED seed=")).anyMatch(l -> l.contains("-Dsim.seed="));
        assertThat(lines.get(lines.size() - 1)).matches("30 seeds, [1-9][0-9]* failed");
    }
}
