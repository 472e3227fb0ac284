/**
 * Replicated servers (issue 4): the adapter that runs the Multi-Paxos core ({@link
 * io.synod.consensus.PaxosReplica}) inside a chat server, owned by the server's event-loop thread. {@link
 * io.synod.server.replication.ReplicationDriver} is the facade that wires one class per job: the writes this server
 * accepted until their {@link io.synod.server.replication.Completion} ({@code PendingWrites}), the {@code Ready}
 * contract carried out through {@code ReadyRunner} ({@code ReadyEffects}), decided commands applied to the chat
 * state machine ({@code CommandApplier}), deliveries published while leading and republished by a new leader
 * ({@code Deliveries}), checkpoint snapshots ({@code SnapshotTransfer}), the address book and join/remove ({@code
 * AddressBook}, {@code MembershipChanges}), peer messages ({@code PeerMessages}) and {@code /status} ({@code
 * ReplicationStatus}). See docs/decisions/0004-replicated-servers.md.
 */
package io.synod.server.replication;
