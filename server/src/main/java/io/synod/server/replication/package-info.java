/**
 * Replicated servers (issue 4): the adapter that runs the Multi-Paxos core ({@link
 * io.synod.consensus.PaxosReplica}) inside a chat server. {@link
 * io.synod.server.replication.ReplicationDriver} is owned by the server's event-loop thread: it ticks
 * the replica, carries Paxos messages over its own peer links, follows the {@code Ready} contract
 * (persist, send, install snapshot, apply, advance), applies decided commands to the chat state
 * machine, answers the requests this server accepted once they are applied, forwards writes to the
 * leader, and publishes deliveries while it leads. See docs/decisions/0004-replicated-servers.md.
 */
package io.synod.server.replication;
