package io.synod.clock.sim;

import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * The physical clock of one simulated machine: linear drift, steps, and read noise (TigerBeetle's
 * time model, simplified). Readings are what a {@link io.synod.clock.PhysicalTimeSource} would
 * return, and may go backwards (noise, negative steps): the software clock must cope.
 *
 * @param driftPartsPerMillion rate error, positive runs fast
 * @param noiseMillis each reading is off by a uniform amount in {@code [-noiseMillis, noiseMillis]}
 * @param stepsMillisByTrueMillis sudden changes: from the key (true time) on, the clock is off by
 *     the value more
 */
record DriftModel(long driftPartsPerMillion, int noiseMillis, NavigableMap<Long, Long> stepsMillisByTrueMillis) {

    /** The epoch reading at true time 0. */
    static final long EPOCH_BASE_MILLIS = 1_795_000_000_000L;

    DriftModel {
        stepsMillisByTrueMillis = new TreeMap<>(stepsMillisByTrueMillis);
    }

    /** Reads the clock at a true time; {@code random} supplies the noise. */
    long underlyingMillis(long trueMillis, RandomGenerator random) {
        long stepMillis = 0;
        for (Map.Entry<Long, Long> step :
                stepsMillisByTrueMillis.headMap(trueMillis, true).entrySet()) {
            stepMillis += step.getValue();
        }
        long noise = noiseMillis == 0 ? 0 : random.nextLong(-noiseMillis, noiseMillis + 1L);
        return EPOCH_BASE_MILLIS
                + trueMillis
                + Math.floorDiv(trueMillis * driftPartsPerMillion, 1_000_000L)
                + stepMillis
                + noise;
    }
}
