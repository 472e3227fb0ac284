package io.synod.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.simulation.ReplicaFactory;
import io.synod.simulation.SimOptions;
import io.synod.simulation.SimResult;
import io.synod.simulation.Simulation;
import java.util.EnumSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Breaks the protocol on purpose ({@link Mutation}) and asserts that the simulator's checkers notice within a few
 * hundred seeds: a simulator that cannot catch these bugs proves nothing. Lives in the consensus package (in the
 * simulation module's tests) because mutations are package-private.
 */
class MutationTest {
    private static final int SEEDS_MAX = 300;

    @ParameterizedTest
    @EnumSource(Mutation.class)
    void simulatorCatchesMutation(Mutation mutation) {
        ReplicaFactory mutated = (config, state, applied, random) ->
                PaxosReplica.restore(config, state, applied, random, EnumSet.of(mutation));
        SimResult failure = null;
        long seed = 0;
        for (; seed < SEEDS_MAX && failure == null; seed++) {
            SimResult result = new Simulation(seed, SimOptions.defaults(), mutated).run();
            if (!result.ok()) {
                failure = result;
            }
        }
        assertThat(failure)
                .as("a violation with " + mutation + " within " + SEEDS_MAX + " seeds")
                .isNotNull();
        System.out.println(mutation + " caught at seed " + (seed - 1) + ": " + failure.violation());
    }
}
