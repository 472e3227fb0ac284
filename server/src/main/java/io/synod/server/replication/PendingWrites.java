package io.synod.server.replication;

import io.synod.consensus.LogCommand;
import io.synod.consensus.PaxosReplica;
import io.synod.consensus.ProposeOutcome;
import io.synod.core.ChatCommands;
import io.synod.core.Command;
import io.synod.core.Result;
import io.synod.messaging.peer.StreamPeerLinks;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writes and read barriers this server accepted, from {@link #submit} until they are applied here: routing each
 * to the replica's proposals (leading) or to the leader (following), retrying and expiring them, and completing
 * them. Owned by the event-loop thread.
 *
 * <p>A write is wrapped as a consensus command whose {@code (clientId, requestId)} is (this node id, a local
 * sequence number): the command id. When a decided command with this node's id is applied, the matching write
 * completes with the state machine's {@link Result}. Writes carrying client ids (the client's own, or ones the
 * server gave a write without them) are re-proposed or re-forwarded every {@code retryIntervalMillis} until applied
 * (the state machine drops duplicates); writes without them are sent once (a duplicate could apply twice). A write
 * not applied within {@code pendingTimeoutMillis} is forgotten without a reply: its outcome is unknown (an error
 * reply would claim nothing was applied), and the client's own retry with the same ids is safe.
 *
 * @param <T> what waits for each write (handed back in its {@link Completion})
 */
final class PendingWrites<T> {
    private static final Logger LOG = LoggerFactory.getLogger(PendingWrites.class);

    private static final class Pending<T> {
        final T waiting;
        final LogCommand.Client command;
        final boolean retryable;
        final long createdNanos;
        long routedNanos;
        boolean routed;

        Pending(T waiting, LogCommand.Client command, boolean retryable, long createdNanos) {
            this.waiting = waiting;
            this.command = command;
            this.retryable = retryable;
            this.createdNanos = createdNanos;
        }
    }

    private final ReplicationConfig config;
    private final int nodeId;
    private final PaxosReplica replica;
    private final StreamPeerLinks links;
    private final AddressBook addressBook;
    private final Map<Long, Pending<T>> pending = new LinkedHashMap<>();
    private final List<Completion<T>> completions = new ArrayList<>();
    /** This turn's commands for the replica to propose (own writes and forwarded ones), in arrival order. */
    private final List<LogCommand.Client> toPropose = new ArrayList<>();
    /** The pending entry of each command in {@link #toPropose}, null for a forwarded one. */
    private final List<Pending<T>> proposing = new ArrayList<>();
    /** This turn's writes to forward to the leader. */
    private final List<Pending<T>> toForward = new ArrayList<>();

    private long nextSeq = System.currentTimeMillis() * 1_000;
    private long nextRetryNanos = System.nanoTime();
    private long proposedCount;
    private long proposeCallCount;
    private long forwardedCount;
    private long forwardMessageCount;
    private long expiredCount;

    PendingWrites(ReplicationConfig config, PaxosReplica replica, StreamPeerLinks links, AddressBook addressBook) {
        this.config = config;
        this.nodeId = config.nodeId();
        this.replica = replica;
        this.links = links;
        this.addressBook = addressBook;
    }

    /** See {@link ReplicationDriver#submit}. */
    boolean submit(Command command, T waiting) {
        if (pending.size() >= config.pendingRequestsMax()) {
            return false;
        }
        add(waiting, ChatCommands.encode(command), command.isIdempotent());
        return true;
    }

    /** See {@link ReplicationDriver#submitBarrier}: an empty command, safe to repeat. */
    boolean submitBarrier(T waiting) {
        if (pending.size() >= config.pendingRequestsMax()) {
            return false;
        }
        add(waiting, new byte[0], true);
        return true;
    }

    private void add(T waiting, byte[] payload, boolean retryable) {
        long seq = nextSeq++;
        Pending<T> entry =
                new Pending<>(waiting, new LogCommand.Client(nodeId, seq, payload), retryable, System.nanoTime());
        pending.put(seq, entry);
        route(entry);
    }

    /** Writes a follower forwarded: proposed with this turn's own while leading, else dropped (the origin retries). */
    void onForwarded(List<LogCommand.Client> commands) {
        if (replica.isLeader()) {
            for (LogCommand.Client command : commands) {
                toPropose.add(command);
                proposing.add(null);
            }
        }
    }

    /**
     * A decided command was applied here: if this server accepted it, it completes with {@code result} at {@code
     * index}.
     */
    void applied(LogCommand.Client command, Result result, long index) {
        Pending<T> done = command.clientId() == nodeId ? pending.remove(command.requestId()) : null;
        if (done != null) {
            completions.add(new Completion<>(done.waiting, result, index));
        }
    }

    /** The completions since the last call, in apply order. */
    List<Completion<T>> takeCompletions() {
        if (completions.isEmpty()) {
            return List.of();
        }
        List<Completion<T>> done = List.copyOf(completions);
        completions.clear();
        return done;
    }

    /** Routes a write in this turn: to the replica's proposals when leading, else to the leader. */
    private void route(Pending<T> entry) {
        entry.routedNanos = System.nanoTime();
        entry.routed = true; // until dispatchRouted says otherwise
        if (replica.isLeader()) {
            toPropose.add(entry.command);
            proposing.add(entry);
        } else {
            toForward.add(entry);
        }
    }

    /** Twice per {@code retryIntervalMillis}: routes again the writes due for it, forgets the expired ones. */
    void retryOrExpireIfDue(long now) {
        if (now - nextRetryNanos < 0) {
            return;
        }
        nextRetryNanos = now + TimeUnit.MILLISECONDS.toNanos(config.retryIntervalMillis()) / 2;
        long retryNanos = TimeUnit.MILLISECONDS.toNanos(config.retryIntervalMillis());
        long timeoutNanos = TimeUnit.MILLISECONDS.toNanos(config.pendingTimeoutMillis());
        for (Iterator<Pending<T>> it = pending.values().iterator(); it.hasNext(); ) {
            Pending<T> entry = it.next();
            if (now - entry.createdNanos >= timeoutNanos) {
                it.remove(); // no reply: the outcome is unknown (errors are definite), the client retries
                expiredCount++;
                LOG.warn(
                        "{}: a write was not applied within {} ms ({} so far); left unanswered, the client retries",
                        config.selfName(),
                        config.pendingTimeoutMillis(),
                        expiredCount);
            } else if (!entry.routed || (entry.retryable && now - entry.routedNanos >= retryNanos)) {
                route(entry);
            }
        }
    }

    /** Proposes (leading) or forwards (following) the writes routed this turn, together. */
    void dispatchRouted() {
        if (!toPropose.isEmpty()) {
            List<ProposeOutcome> outcomes = replica.proposeAll(toPropose);
            proposedCount += toPropose.size();
            proposeCallCount++;
            for (int i = 0; i < outcomes.size(); i++) {
                Pending<T> entry = proposing.get(i);
                if (entry != null) {
                    entry.routed = outcomes.get(i) == ProposeOutcome.QUEUED;
                }
            }
            toPropose.clear();
            proposing.clear();
        }
        if (toForward.isEmpty()) {
            return;
        }
        String leaderName = addressBook.leaderName(replica.leaderHint());
        boolean reachable = leaderName != null && !leaderName.equals(config.selfName());
        for (int from = 0; from < toForward.size(); from += ReplicationCodec.FORWARD_WRITES_MAX) {
            List<Pending<T>> part =
                    toForward.subList(from, Math.min(toForward.size(), from + ReplicationCodec.FORWARD_WRITES_MAX));
            List<LogCommand.Client> commands = new ArrayList<>(part.size());
            for (Pending<T> entry : part) {
                commands.add(entry.command);
            }
            boolean sent = reachable && links.send(leaderName, ReplicationCodec.forward(nodeId, commands));
            forwardedCount += sent ? commands.size() : 0;
            forwardMessageCount += sent ? 1 : 0;
            for (Pending<T> entry : part) {
                entry.routed = sent;
            }
        }
        toForward.clear();
    }

    int size() {
        return pending.size();
    }

    long expiredCount() {
        return expiredCount;
    }

    long proposedCount() {
        return proposedCount;
    }

    long proposeCallCount() {
        return proposeCallCount;
    }

    long forwardedCount() {
        return forwardedCount;
    }

    long forwardMessageCount() {
        return forwardMessageCount;
    }
}
