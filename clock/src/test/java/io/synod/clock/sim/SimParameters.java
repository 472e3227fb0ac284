package io.synod.clock.sim;

import java.util.random.RandomGenerator;

/**
 * The shape of one simulated run, drawn from its seed.
 *
 * @param nodeCount servers (3..6)
 * @param tickMillis true time per tick (the production 10 ms)
 * @param chaosMillis length of the phase with faults
 * @param calmMillis length of the fault-free phase before checking starts
 * @param checkWindowMillis length of the checked window at the end
 * @param chaosDelayMaxMillis message delay bound in the chaos phase (uniform from 0)
 * @param calmDelayMaxMillis message delay bound afterwards (uniform from 0)
 * @param lossPermille chance that a message is lost in the chaos phase
 * @param duplicationPermille chance that a message is delivered twice in the chaos phase
 * @param crashCount crashes in the chaos phase
 * @param chatMessagePermillePerTick chance that a server handles a chat message in a tick
 * @param referenceTimeoutMillis the reference drops a server silent this long
 * @param listPollIntervalMillis each server polls the reference's list this often
 */
record SimParameters(
        int nodeCount,
        long tickMillis,
        long chaosMillis,
        long calmMillis,
        long checkWindowMillis,
        long chaosDelayMaxMillis,
        long calmDelayMaxMillis,
        int lossPermille,
        int duplicationPermille,
        int crashCount,
        int chatMessagePermillePerTick,
        long referenceTimeoutMillis,
        long listPollIntervalMillis) {

    /** Draws the parameters of one run. */
    static SimParameters draw(RandomGenerator random) {
        return new SimParameters(
                random.nextInt(3, 7),
                10,
                random.nextLong(3_000, 12_001),
                30_000,
                4_000,
                random.nextLong(1, 60),
                2,
                random.nextInt(0, 200),
                random.nextInt(0, 100),
                random.nextInt(0, 5),
                random.nextInt(50, 400),
                1_000,
                500);
    }
}
