/**
 * The coordination service of a server process (issue 5; ADR 0003): the adapter that drives the
 * pure {@link io.synod.clock.BullyElection} and {@link io.synod.clock.BerkeleySync} cores.
 *
 * <p>{@link io.synod.server.coordination.CoordinationService} is turned by the server's event loop
 * (no thread of its own) and its sockets speak ZMTP on the loop's selector: the peer links ({@link
 * io.synod.messaging.peer.PeerLinks}: a ROUTER on the advertised endpoint, a DEALER per peer), a
 * PUB that also hears subscriptions, connected to the proxy's XSUB for the statement's {@code
 * servers} announcements, and the server's one {@link
 * io.synod.server.coordination.ReferenceClient} (a Lazy Pirate REQ) for {@code rank}, {@code
 * heartbeat} and {@code list}. It ticks both cores every 10 ms ({@link
 * io.synod.server.coordination.CoordinationCores}, which also carries out their output), learns
 * membership from the reference and from its peers ({@link
 * io.synod.server.coordination.MembershipTracker}, {@link
 * io.synod.server.coordination.MembershipView}, requirement P3), and publishes a read-only {@link
 * io.synod.server.coordination.CoordinationStatus} for {@code /status}.
 *
 * <p>Announcements are learnt over the peer links (the winner sends the same {@code election}
 * envelope it publishes to every peer, and its heartbeats repair a lost one), not from a SUB on the
 * proxy: the election then does not depend on the proxy being up.
 */
package io.synod.server.coordination;
