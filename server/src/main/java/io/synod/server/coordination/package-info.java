/**
 * The coordination service of a server process (issue 5; ADR 0003): the adapter that drives the
 * pure {@link io.synod.clock.BullyElection} and {@link io.synod.clock.BerkeleySync} cores.
 *
 * <p>{@link io.synod.server.coordination.CoordinationService} owns one thread and its own ZeroMQ
 * sockets: the peer links ({@link io.synod.messaging.peer.PeerLinks}: a ROUTER on the advertised
 * endpoint, a DEALER per peer), an XPUB (a publisher that also sees subscriptions) connected to
 * the proxy's XSUB for the statement's {@code servers} announcements, and a Lazy Pirate REQ to the
 * reference for {@code rank}, {@code heartbeat} and {@code list}. It ticks
 * both cores every 10 ms, learns membership from the reference and from its peers ({@link
 * io.synod.server.coordination.MembershipView}, requirement P3), and publishes a read-only {@link
 * io.synod.server.coordination.CoordinationStatus} for {@code /status}.
 *
 * <p>Announcements are learnt over the peer links (the winner sends the same {@code election}
 * envelope it publishes to every peer, and its heartbeats repair a lost one), not from a SUB on the
 * proxy: the election then does not depend on the proxy being up, and a server needs no XPUB
 * endpoint.
 */
package io.synod.server.coordination;
