package io.synod.simulation;

import io.synod.consensus.DurableState;
import io.synod.consensus.PaxosConfig;
import io.synod.consensus.PaxosReplica;
import java.util.random.RandomGenerator;

/** Builds (or restores) the replica the simulator drives; tests substitute mutated replicas. Stateless. */
@FunctionalInterface
public interface ReplicaFactory {
    /** The production factory. */
    ReplicaFactory STANDARD = PaxosReplica::restore;

    /** A replica restored from {@code state}; {@code appliedSlot} as in {@link PaxosReplica#restore}. */
    PaxosReplica restore(PaxosConfig config, DurableState state, long appliedSlot, RandomGenerator random);
}
