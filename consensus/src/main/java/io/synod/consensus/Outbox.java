package io.synod.consensus;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Collects a replica's outputs until the driver takes them as a {@link Ready}. Messages a replica addresses to itself
 * are queued locally and delivered by the replica before it returns, so its own acceptor and learner are driven
 * through the same code as remote ones. Not thread-safe: owned by one {@link PaxosReplica}.
 */
final class Outbox {
    private final int self;
    final List<DurableRecord> toPersist = new ArrayList<>();
    final List<PaxosEnvelope> toSend = new ArrayList<>();
    final List<LogEntry> toApply = new ArrayList<>();
    final ArrayDeque<PaxosMessage> local = new ArrayDeque<>();
    Snapshot snapshotToInstall;
    long snapshotRequestSlot;

    Outbox(int self) {
        this.self = self;
    }

    void persist(DurableRecord record) {
        toPersist.add(record);
    }

    void send(int target, PaxosMessage message) {
        if (target == self) {
            local.add(message);
        } else {
            toSend.add(new PaxosEnvelope(self, target, message));
        }
    }

    void sendAll(List<Integer> targets, PaxosMessage message) {
        for (int target : targets) {
            send(target, message);
        }
    }

    boolean hasReady() {
        return !toPersist.isEmpty()
                || !toSend.isEmpty()
                || !toApply.isEmpty()
                || snapshotToInstall != null
                || snapshotRequestSlot != 0;
    }

    /**
     * The outputs as a {@link Ready}; {@code earlyApplyAll} (a {@link Mutation} only) lets every decided entry be
     * applied before the records are durable, those resting on this replica's unpersisted vote too.
     */
    Ready toReady(boolean earlyApplyAll) {
        Optional<Snapshot> install = Optional.ofNullable(snapshotToInstall);
        return new Ready(
                toPersist,
                toSend,
                install,
                toApply,
                snapshotRequestSlot == 0 ? OptionalLong.empty() : OptionalLong.of(snapshotRequestSlot),
                earlyApplyAll && install.isEmpty()
                        ? toApply.size()
                        : Ready.appliableBeforePersist(toPersist, install, toApply));
    }

    void clear() {
        toPersist.clear();
        toSend.clear();
        toApply.clear();
        snapshotToInstall = null;
        snapshotRequestSlot = 0;
    }
}
