/**
 * Deterministic cluster simulator for the Multi-Paxos core: {@link io.synod.simulation.Simulation} runs five
 * replicas in one thread on a seeded network ({@code SimNetwork}), with crashes, restarts from the persisted state
 * ({@link io.synod.consensus.InMemoryDurableLog} as the disk), per-node tick rates, membership changes and retrying
 * clients; {@code SimChecker} checks agreement, prefix consistency and exactly-once after every step, and the run
 * ends with a liveness phase. {@link io.synod.simulation.SimCommand} runs many seeds from the command line; a
 * failing seed replays with {@code -Dsim.seed=N}.
 */
package io.synod.simulation;
