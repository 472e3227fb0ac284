package io.synod.server.replication;

import io.synod.consensus.LogCommand;
import io.synod.consensus.PaxosReplica;
import io.synod.consensus.ProposeOutcome;
import io.synod.messaging.admin.AdminKey;
import io.synod.messaging.peer.PeerInbound;
import io.synod.messaging.peer.StreamPeerLinks;
import io.synod.protocol.Envelope;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Joins and removals (ADR 0004): a joiner announces itself until it is a member, the leader proposes {@code
 * AddLearner} for a join and {@code RemoveServer} for a removal, and an idle leader fills the slots a change waits
 * for. Also spreads the address book to the peers. Owned by the event-loop thread.
 */
final class MembershipChanges {
    private static final Logger LOG = LoggerFactory.getLogger(MembershipChanges.class);

    private final ReplicationConfig config;
    private final int nodeId;
    private final PaxosReplica replica;
    private final StreamPeerLinks links;
    private final AddressBook addressBook;
    private long nextMembershipNanos = System.nanoTime();
    private long nextNudgeSeq;

    MembershipChanges(ReplicationConfig config, PaxosReplica replica, StreamPeerLinks links, AddressBook addressBook) {
        this.config = config;
        this.nodeId = config.nodeId();
        this.replica = replica;
        this.links = links;
        this.addressBook = addressBook;
    }

    /**
     * Every {@code membershipIntervalMillis}: sends the address book to the peers and, while this server joins and is
     * not a member yet, its join request.
     */
    void announceIfDue(long now) {
        if (now - nextMembershipNanos >= 0) {
            nextMembershipNanos = now + TimeUnit.MILLISECONDS.toNanos(config.membershipIntervalMillis());
            addressBook.sendToPeers(ReplicationCodec.members(addressBook.endpoints()));
            if (config.joining() && !replica.latestMembership().contains(nodeId)) {
                addressBook.sendToPeers(ReplicationCodec.join(config.selfName(), config.selfEndpoint()));
            }
        }
    }

    /**
     * A membership change governs only {@code inflightSlotsMax} slots after its own; an idle leader fills those
     * slots with empty commands (origin 0: nothing to apply), one per tick, so a join or removal completes.
     */
    void nudgeReconfiguration() {
        if (replica.isLeader()
                && !replica.latestMembership().equals(replica.membershipAt(replica.decidedPrefixSlot() + 1))) {
            replica.propose(new LogCommand.Client(0, ++nextNudgeSeq, new byte[0]));
        }
    }

    void onJoin(PeerInbound inbound) {
        String name = ReplicationCodec.text(inbound.envelope(), "name");
        String endpoint = ReplicationCodec.text(inbound.envelope(), "endpoint");
        int id = ReplicationConfig.nodeIdOf(name);
        String known = addressBook.nameOf(id);
        if (id < 1 || (known != null && !known.equals(name))) {
            LOG.warn("{}: join of '{}' refused: node id {} belongs to '{}'", config.selfName(), name, id, known);
            return;
        }
        addressBook.update(name, endpoint);
        if (replica.isLeader() && !replica.latestMembership().contains(id)) {
            ProposeOutcome outcome = replica.propose(new LogCommand.AddLearner(id));
            LOG.info("{}: {} asks to join as node {}: AddLearner {}", config.selfName(), name, id, outcome);
        }
    }

    /**
     * An operator's {@code remove}: checked against the admin gate first (in secure mode it carries the admin key as
     * {@code admin_key}; a refusal changes nothing and is answered before anything else, leader or not).
     */
    void onRemove(PeerInbound inbound) {
        String name = ReplicationCodec.text(inbound.envelope(), "name");
        int id = ReplicationConfig.nodeIdOf(name);
        Map<String, Object> answer = new LinkedHashMap<>();
        Object presented = inbound.envelope().data().get(AdminKey.ENVELOPE_FIELD);
        String refusal = config.adminGate().refusal(presented instanceof String key ? key : null);
        if (refusal != null) {
            LOG.warn("{}: removal of '{}' refused: {}", config.selfName(), name, refusal);
            answer.put("status", "erro");
            answer.put("error", "unauthorized");
            answer.put("description", "unauthorized: " + refusal + "; nothing was changed");
        } else if (!replica.isLeader()) {
            String leaderName = addressBook.leaderName(replica.leaderHint());
            answer.put("status", "erro");
            answer.put("description", "not the leader; ask " + (leaderName == null ? "again later" : leaderName));
            if (leaderName != null) {
                answer.put("leader", leaderName);
                answer.put("leader_endpoint", addressBook.endpointOf(leaderName));
            }
        } else if (id < 1 || !replica.latestMembership().contains(id)) {
            answer.put("status", "erro");
            answer.put("description", "'" + name + "' is not a member of " + replica.latestMembership());
        } else {
            ProposeOutcome outcome = replica.propose(new LogCommand.RemoveServer(id));
            boolean queued = outcome == ProposeOutcome.QUEUED;
            answer.put("status", queued ? "OK" : "erro");
            answer.put(
                    "description",
                    queued
                            ? "removal of " + name + " proposed; it takes effect once decided plus the pipeline window"
                            : "refused: " + outcome);
        }
        links.reply(inbound, new Envelope(ReplicationCodec.REMOVE, answer));
    }
}
