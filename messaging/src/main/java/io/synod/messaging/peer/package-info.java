/**
 * Server-to-server links (docs/protocol.md section 6): every server binds one ROUTER on its
 * advertised endpoint and reaches each peer through one DEALER connected to the peer's advertised
 * endpoint, with the DEALER's identity set to its own server name. A message is one frame, the
 * statement's MessagePack {@code {"service","data"}} envelope, stamped with the Lamport clock and the
 * synchronised time. A request arrives on the receiver's ROUTER; its reply goes back on the same
 * connection (ROUTER to the requester's DEALER), as REQ/REP would, so a foreign REQ peer can ask us
 * too.
 *
 * <ul>
 *   <li>{@link io.synod.messaging.peer.PeerLinks}: the sockets (ZMTP spoken on the owner's
 *       selector: a {@link io.synod.messaging.zmtp.ZmtpRouter} and a {@link
 *       io.synod.messaging.zmtp.ZmtpClient} DEALER per peer), bounded outbound queues and the
 *       Lamport stamping; service-agnostic.
 *   <li>{@link io.synod.messaging.peer.StreamPeerLinks}: replication's links, length-prefixed
 *       frames on plain TCP; its wait serves every {@link io.synod.messaging.zmtp.SelectorParty} of the
 *       same selector.
 *   <li>{@link io.synod.messaging.peer.CoordinationCodec}: the election, clock and membership
 *       messages as envelopes (the statement's {@code election} and {@code clock} fields exactly,
 *       plus Synod's extension services).
 * </ul>
 */
package io.synod.messaging.peer;
