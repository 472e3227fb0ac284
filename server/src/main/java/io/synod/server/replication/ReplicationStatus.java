package io.synod.server.replication;

import io.synod.consensus.Membership;
import io.synod.consensus.PaxosReplica;
import io.synod.core.ChatStateMachine;
import io.synod.messaging.peer.StreamPeerLinks;
import io.synod.store.ReadCache;
import io.synod.store.RocksDbChatStore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The replication fields of {@code /status} (docs/protocol.md names them), and the turn counters behind {@code
 * turns}. Built on the event-loop thread from every piece's counters, read by any thread: an immutable map behind a
 * volatile.
 */
final class ReplicationStatus {
    /** How often {@code /status} is refreshed when nothing was applied (once per turn that applied something). */
    private static final long STATUS_INTERVAL_MILLIS = 50;

    /** What the status shows: every piece of the driver. */
    record Sources(
            ReplicationConfig config,
            PaxosReplica replica,
            ChatStateMachine machine,
            RocksDbChatStore store,
            StreamPeerLinks links,
            AddressBook addressBook,
            PendingWrites<?> writes,
            Deliveries deliveries,
            CommandApplier applier,
            ReadyEffects<?> effects,
            SnapshotTransfer snapshots,
            PeerMessages peerMessages) {}

    private final Sources s;
    private volatile Map<String, Object> fields = Map.of();
    private long nextStatusNanos = System.nanoTime();
    private long statusAppliedIndex = -1;
    // where the time goes (shown under "turns")
    private long turnCount;
    private long turnNanos;

    ReplicationStatus(Sources sources) {
        this.s = sources;
    }

    /** A turn starts (counted at once: the status it publishes counts it, but not its time). */
    void turnStarted() {
        turnCount++;
    }

    /** The turn that started at {@code startedNanos} ends. */
    void turnEnded(long startedNanos) {
        turnNanos += System.nanoTime() - startedNanos;
    }

    /** Publishes the fields again if something was applied or {@code STATUS_INTERVAL_MILLIS} has passed. */
    void refreshIfDue(long now) {
        if (now - nextStatusNanos >= 0 || s.machine().appliedIndex() != statusAppliedIndex) {
            nextStatusNanos = now + TimeUnit.MILLISECONDS.toNanos(STATUS_INTERVAL_MILLIS);
            publish();
        }
    }

    /** The fields last published; any thread. */
    Map<String, Object> fields() {
        return fields;
    }

    void publish() {
        PaxosReplica replica = s.replica();
        Membership membership = replica.latestMembership();
        List<Map<String, Object>> members = new ArrayList<>();
        for (int id : membership.members()) {
            Map<String, Object> member = new LinkedHashMap<>();
            String name = s.addressBook().nameOf(id); // null until a member's address is learned (e.g. after a restart)
            member.put("name", name);
            member.put("node_id", id);
            member.put("role", membership.voters().contains(id) ? "voter" : "learner");
            member.put("address", name == null ? null : s.addressBook().endpointOf(name));
            members.add(member);
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put(
                "role",
                replica.isLeader()
                        ? "leader"
                        : membership.learners().contains(s.config().nodeId()) ? "learner" : "follower");
        fields.put("leader", s.addressBook().leaderName(replica.leaderHint()));
        fields.put(
                "ballot",
                replica.promisedBallot().round() + "."
                        + replica.promisedBallot().nodeId());
        fields.put("decided_index", replica.decidedPrefixSlot());
        fields.put("applied_index", replica.appliedSlot());
        statusAppliedIndex = s.machine().appliedIndex();
        fields.put("applied_command_index", statusAppliedIndex);
        fields.put("snapshot_index", replica.snapshotSlot());
        fields.put("snapshots", s.snapshots().statusFields());
        fields.put("state_digest", s.machine().stateDigestHex());
        fields.put("members", members);
        fields.put(
                "membership_change_pending", !membership.equals(replica.membershipAt(replica.decidedPrefixSlot() + 1)));
        fields.put("pending_writes", s.writes().size());
        fields.put("published_index", s.deliveries().publishedIndex());
        fields.put("writes_expired", s.writes().expiredCount());
        fields.put("invalid_received", s.peerMessages().invalidReceivedCount());
        fields.put("failed_received", s.peerMessages().failedReceivedCount());
        fields.put("paxos_links", s.links().statsMap());
        fields.put(
                "catch_up",
                Map.of(
                        "requests",
                        replica.catchUpRequestCount(),
                        "decided_at_unresolved",
                        replica.decidedAtUnresolvedCount(),
                        "learned_from_votes",
                        replica.learnedFromVotesCount()));
        fields.put("turns", turns());
        ReadCache.Stats cache = s.store().readCacheStats();
        Map<String, Object> readCache = new LinkedHashMap<>();
        readCache.put("hits", cache.hits());
        readCache.put("misses", cache.misses());
        readCache.put("entries", cache.entries());
        readCache.put("bytes", cache.bytes());
        fields.put("read_cache", readCache);
        this.fields = Collections.unmodifiableMap(fields);
    }

    private Map<String, Object> turns() {
        long persists = s.effects().persistCount();
        long proposed = s.writes().proposedCount();
        long proposeCalls = s.writes().proposeCallCount();
        long forwarded = s.writes().forwardedCount();
        long forwardMessages = s.writes().forwardMessageCount();
        long applied = s.applier().appliedCount();
        long applyBatches = s.applier().applyBatchCount();
        Map<String, Object> turns = new LinkedHashMap<>();
        turns.put("turns", turnCount);
        turns.put("turn_us_avg", turnCount == 0 ? 0 : turnNanos / turnCount / 1_000);
        turns.put("persists", persists);
        turns.put("persist_us_avg", persists == 0 ? 0 : s.effects().persistNanos() / persists / 1_000);
        turns.put("persists_with_apply", s.effects().withApplyCount());
        turns.put("slots_answered_before_fsync", s.effects().earlyAppliedCount());
        turns.put("proposed", proposed);
        turns.put("proposed_per_call_avg", proposeCalls == 0 ? 0 : proposed / proposeCalls);
        turns.put("forwarded", forwarded);
        turns.put("forwarded_per_message_avg", forwardMessages == 0 ? 0 : forwarded / forwardMessages);
        turns.put("applied", applied);
        turns.put("applied_per_write_avg", applyBatches == 0 ? 0 : applied / applyBatches);
        return turns;
    }
}
