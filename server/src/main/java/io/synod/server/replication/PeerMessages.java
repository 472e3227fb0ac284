package io.synod.server.replication;

import io.synod.consensus.PaxosEnvelope;
import io.synod.consensus.PaxosReplica;
import io.synod.messaging.peer.PeerInbound;
import io.synod.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands each replication message from a peer to the piece that handles it, and contains the failures: anyone can
 * connect to the replication endpoint, so a message that is invalid, or whose handling throws, is dropped and
 * counted. Owned by the event-loop thread.
 */
final class PeerMessages {
    private static final Logger LOG = LoggerFactory.getLogger(PeerMessages.class);

    private final ReplicationConfig config;
    private final int nodeId;
    private final PaxosReplica replica;
    private final AddressBook addressBook;
    private final PendingWrites<?> writes;
    private final Deliveries deliveries;
    private final SnapshotTransfer snapshots;
    private final MembershipChanges membership;
    private long invalidReceivedCount;
    /** Replication messages whose handling threw something other than a decoding error; each was dropped. */
    private long failedReceivedCount;

    PeerMessages(
            ReplicationConfig config,
            PaxosReplica replica,
            AddressBook addressBook,
            PendingWrites<?> writes,
            Deliveries deliveries,
            SnapshotTransfer snapshots,
            MembershipChanges membership) {
        this.config = config;
        this.nodeId = config.nodeId();
        this.replica = replica;
        this.addressBook = addressBook;
        this.writes = writes;
        this.deliveries = deliveries;
        this.snapshots = snapshots;
        this.membership = membership;
    }

    /** Handles one message; Paxos messages are stepped into the replica, not drained (the turn's flush does that). */
    void onPeerMessage(PeerInbound inbound) {
        try {
            switch (inbound.envelope().service()) {
                case ReplicationCodec.PAXOS -> {
                    PaxosEnvelope message = ReplicationCodec.decodePaxos(inbound.envelope());
                    if (message.target() == nodeId
                            && addressBook.nameOf(message.source()) != null
                            && !snapshots.holdForCheckpoint(message)) {
                        replica.step(message); // drained once by flush
                    }
                }
                case ReplicationCodec.SNAPSHOT_GET -> {
                    if (!snapshots.serveChunk(inbound)) {
                        invalidReceivedCount++;
                    }
                }
                case ReplicationCodec.SNAPSHOT_CHUNK -> snapshots.onChunk(inbound);
                case ReplicationCodec.FORWARD -> writes.onForwarded(ReplicationCodec.decodeForward(inbound.envelope()));
                case ReplicationCodec.PUBLISHED ->
                    deliveries.onPublishedNote(ReplicationCodec.decodePublished(inbound.envelope()));
                case ReplicationCodec.MEMBERS -> addressBook.learn(ReplicationCodec.decodeMembers(inbound.envelope()));
                case ReplicationCodec.JOIN -> membership.onJoin(inbound);
                case ReplicationCodec.REMOVE -> membership.onRemove(inbound);
                default -> invalidReceivedCount++;
            }
        } catch (IllegalArgumentException e) {
            invalidReceivedCount++;
            LOG.debug(
                    "{}: invalid replication message from {}: {}", config.selfName(), inbound.source(), e.getMessage());
        } catch (StoreException e) {
            throw e; // the store failed: not about this message
        } catch (RuntimeException e) {
            // Anyone can connect to the replication endpoint (the course protocol authenticates nobody): a message
            // whose handling throws is dropped and counted, and the server goes on. Paxos assumes no forged
            // messages, so this is logged loudly: it is a bug or an attack (secure mode closes the port to both).
            failedReceivedCount++;
            LOG.error(
                    "{}: a '{}' replication message from {} failed and was dropped",
                    config.selfName(),
                    inbound.envelope().service(),
                    inbound.source(),
                    e);
        }
    }

    long invalidReceivedCount() {
        return invalidReceivedCount;
    }

    long failedReceivedCount() {
        return failedReceivedCount;
    }
}
