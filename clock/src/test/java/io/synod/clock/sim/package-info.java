/**
 * A deterministic simulator for the clock cores: N servers, each with a {@link
 * io.synod.clock.BullyElection}, a {@link io.synod.clock.BerkeleySync} and a {@link
 * io.synod.clock.SoftwareClock} over a drifting model clock, on a seeded network (delay, loss,
 * duplication), with crashes, restarts and a reference that drops silent servers.
 *
 * <p>One run has a chaos phase (faults on), then a calm phase (faults off) long enough for every
 * clock to converge by slewing, then a check window. Checkers: software clocks never run backwards
 * (every read, every incarnation); in the window, the skew between live servers stays below
 * {@link io.synod.clock.sim.ClockSimulation#SKEW_BOUND_MILLIS}, exactly one server is coordinator,
 * it is the highest-ranked live server, and every live server names it.
 *
 * <p>Everything random comes from one seed; {@code -Dsim.seed=N} replays a run with its trace.
 */
package io.synod.clock.sim;
