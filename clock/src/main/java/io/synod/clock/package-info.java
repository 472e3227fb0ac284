/**
 * Synod's clocks: pure, deterministic cores for logical time, physical time and the coordinator
 * election (statement part 4; requirements S7, S8, S11, S12, N8).
 *
 * <p>Map of the package:
 *
 * <ul>
 *   <li>{@link io.synod.clock.LamportClock}: the logical clock stamped on every message. The one
 *       thread-safe core (an atomic), shared by adapter threads.
 *   <li>{@link io.synod.clock.SoftwareClock}: the synchronised physical clock, {@code underlying +
 *       skew + offset}, corrected by slewing, never backwards. Thread-safe (synchronised); the
 *       underlying reading is always an argument ({@link io.synod.clock.PhysicalTimeSource} is the
 *       adapter's side).
 *   <li>{@link io.synod.clock.BullyElection}: who the coordinator is (Garcia-Molina 1982). Messages
 *       in {@link io.synod.clock.ElectionMessage}, outputs in {@link io.synod.clock.ElectionReady}.
 *   <li>{@link io.synod.clock.BerkeleySync}: one server's physical clock synchronisation, with the
 *       roles {@link io.synod.clock.BerkeleyCoordinator} (Gusella and Zatti 1989) and {@link
 *       io.synod.clock.BerkeleyFollower} (including the statement's every-10-messages {@code clock}
 *       request, Cristian 1989). Messages in {@link io.synod.clock.BerkeleyMessage}, outputs in
 *       {@link io.synod.clock.BerkeleyReady}.
 * </ul>
 *
 * <p>Driving the cores (what the adapter does):
 *
 * <pre>
 *   node thread, every tick (10 ms):   election.tick(); sync.tick(source.underlyingMillis())
 *   on a peer message:                 election.step(from, m) or sync.step(from, m, reading)
 *   on topic "servers" {coordinator}:  election.step(coordinator, new CoordinatorAnnouncement(coordinator))
 *   on a reference list change:        election.setMembers(ranks); sync.setServers(ranks.keySet())
 *   on a chat message handled:         sync.noteMessageExchanged(reading)
 *   after each of these:               drain election.ready() (send, publish, then feed each
 *                                      CoordinatorChange to sync.coordinatorChanged) and sync.ready()
 * </pre>
 *
 * <p>Architecture invariant: nothing here performs I/O, starts a thread, reads a clock or uses
 * unseeded randomness (forbiddenapis enforces it). Safety of the replicated log never depends on
 * these cores: they choose who runs clock rounds and what time is stamped, never what is decided.
 */
package io.synod.clock;
