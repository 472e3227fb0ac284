package io.synod.consensus;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * What the driver must do after feeding a replica, obtained from {@link PaxosReplica#ready()}: the contract, stated
 * here once. {@link ReadyRunner} carries it out, in this order, through a driver's effects; every driver (the
 * server's, the simulator's, the consensus tests') uses it rather than writing the order again.
 *
 * <ol>
 *   <li>send {@link #sendableBeforePersist()}, a leader's {@code Accept}s, before persisting anything: they promise
 *       nothing about this replica's acceptor, and its own vote is counted only with a peer's, which arrives in a
 *       later input, after this Ready; so the peers' disks work while this one does. No other message may leave
 *       before the records are durable: a promise or a vote would be forgotten by a crash after a peer relied on it;
 *   <li>optionally, when {@link #earlyApplySparesAnFsync()}, apply early: write {@link
 *       #decisionsAppliableBeforePersist()} (decisions only, which need not be synced), then apply, and answer,
 *       {@link #appliableBeforePersist()}: the leading decided entries whose decision rests on no record of this
 *       Ready, so that their replies do not wait for the fsync of newer votes;
 *   <li>persist {@link #toPersist()} durably, in order (one synced batch: group commit), or what the early apply
 *       left of it, {@link #toPersistAfterEarlyApply()}, in order;
 *   <li>send {@link #sendableAfterPersist()} (best effort; loss, delay and duplication are tolerated);
 *   <li>if {@link #snapshotToInstall()} is present, replace the application state with its bytes;
 *   <li>apply {@link #toApply()} to the state machine, in order (entries are decided and contiguous), or what the
 *       early apply left of it, {@link #toApplyAfterPersist()};
 *   <li>call {@link PaxosReplica#advance(Ready)}; no input may reach the replica between {@code ready()} and this;
 *   <li>if {@link #snapshotRequestSlot()} is present, serialise the application state (which now reflects exactly
 *       that slot) and hand it to {@link PaxosReplica#snapshotTaken(long, byte[])}, now or later; later, the state
 *       may be serialised as it is then, with the slot it then reflects (any applied slot will do).
 * </ol>
 *
 * <p>A crash may stop a Ready between any two steps, and keep any prefix of a batch of records: the protocol is safe
 * whatever prefix of this order was carried out (the simulator crashes drivers at {@link ReadyRunner.Stop}s and in
 * the middle of a batch). A replica that was not advanced is dropped and restored from the durable log. A driver
 * may write the records of step 3 in the same atomic, synced write as the applies of step 6 (records first) when
 * nothing is sent or installed between them: a crash then keeps both or neither, outcomes this order allows (the
 * server's group of one does, so its turn is one write). Records that are decisions only ({@link
 * DurableRecord#isDecision}) may go in that write, unsynced, even when messages are sent before it: no message rests on them (a
 * decision rests on its quorum's persisted votes, and a decision record a crash loses is learned again, as one of
 * an unsynced batch is), so the server's turn that applies a decision is one write.
 *
 * <p>Immutable; thread-safe.
 */
public record Ready(
        List<DurableRecord> toPersist,
        List<PaxosEnvelope> toSend,
        Optional<Snapshot> snapshotToInstall,
        List<LogEntry> toApply,
        OptionalLong snapshotRequestSlot,
        int appliableBeforePersistCount) {

    public Ready {
        toPersist = List.copyOf(toPersist);
        toSend = List.copyOf(toSend);
        toApply = List.copyOf(toApply);
        PaxosInvariants.require(
                appliableBeforePersistCount >= 0 && appliableBeforePersistCount <= toApply.size(),
                "the early-appliable entries are a prefix of toApply");
        PaxosInvariants.require(
                appliableBeforePersistCount == 0 || snapshotToInstall.isEmpty(),
                "nothing is applied before a snapshot is installed");
    }

    /**
     * How many leading entries of {@code toApply} may be applied before {@code toPersist} is durable: those before
     * the first whose slot has an {@link DurableRecord.AcceptedValue} in {@code toPersist}, none when a snapshot is
     * installed or saved. Such an entry's decision rests only on votes persisted before this Ready: a leader counts
     * its own vote with a peer's, which arrives in a later input, and a replica that learns a slot from its own
     * vote and the leader's ({@link PaxosReplica}) holds that vote in this Ready's records when it cast it since
     * the last one. A decision learned from the leader or a peer is durable on a quorum already.
     */
    static int appliableBeforePersist(
            List<DurableRecord> toPersist, Optional<Snapshot> install, List<LogEntry> toApply) {
        if (install.isPresent() || toApply.isEmpty()) {
            return 0;
        }
        Set<Long> acceptedHere = new HashSet<>();
        for (DurableRecord record : toPersist) {
            if (record instanceof DurableRecord.SnapshotSaved) {
                return 0; // it truncates the log behind it: keep the records in their order
            }
            if (record instanceof DurableRecord.AcceptedValue accepted) {
                acceptedHere.add(accepted.entry().slot());
            }
        }
        int count = 0;
        while (count < toApply.size()
                && !acceptedHere.contains(toApply.get(count).slot())) {
            count++;
        }
        return count;
    }

    /** The leading entries of {@link #toApply()} that may be applied before the votes are durable (see above). */
    public List<LogEntry> appliableBeforePersist() {
        return toApply.subList(0, appliableBeforePersistCount);
    }

    /** The entries left to apply after {@link #toPersistAfterEarlyApply()}, once {@link #appliableBeforePersist()} is. */
    public List<LogEntry> toApplyAfterPersist() {
        return toApply.subList(appliableBeforePersistCount, toApply.size());
    }

    /** The decisions of {@link #appliableBeforePersist()}'s slots among {@link #toPersist()}: written before them. */
    public List<DurableRecord> decisionsAppliableBeforePersist() {
        return toPersist.stream().filter(this::decidesEarlySlot).toList();
    }

    /** {@link #toPersist()} without {@link #decisionsAppliableBeforePersist()}, in order. */
    public List<DurableRecord> toPersistAfterEarlyApply() {
        return toPersist.stream().filter(record -> !decidesEarlySlot(record)).toList();
    }

    /**
     * True when {@link #appliableBeforePersist()} is not empty and the records left after it hold more than decisions
     * (a promise, an accepted value, a snapshot), which a driver syncs: then applying and answering those entries
     * first spares their answers that fsync. A batch of decisions only needs none ({@link DurableRecord#isDecision}),
     * so there is nothing to gain.
     */
    public boolean earlyApplySparesAnFsync() {
        return appliableBeforePersistCount > 0
                && toPersistAfterEarlyApply().stream().anyMatch(record -> !record.isDecision());
    }

    private boolean decidesEarlySlot(DurableRecord record) {
        if (appliableBeforePersistCount == 0) {
            return false;
        }
        long first = toApply.get(0).slot();
        long last = toApply.get(appliableBeforePersistCount - 1).slot();
        long slot = switch (record) {
            case DurableRecord.DecidedValue d -> d.entry().slot();
            case DurableRecord.DecidedAccepted d -> d.slot();
            default -> -1;
        };
        return slot >= first && slot <= last;
    }

    /** The messages a driver may send before persisting: the leader's {@code Accept}s (step 1 above). */
    public List<PaxosEnvelope> sendableBeforePersist() {
        return toSend.stream()
                .filter(e -> e.message() instanceof PaxosMessage.Accept)
                .toList();
    }

    /** The messages that must wait until {@link #toPersist()} is durable: all but {@link #sendableBeforePersist()}. */
    public List<PaxosEnvelope> sendableAfterPersist() {
        return toSend.stream()
                .filter(e -> !(e.message() instanceof PaxosMessage.Accept))
                .toList();
    }

    /** True when there is nothing to do. */
    public boolean isEmpty() {
        return toPersist.isEmpty()
                && toSend.isEmpty()
                && snapshotToInstall.isEmpty()
                && toApply.isEmpty()
                && snapshotRequestSlot.isEmpty();
    }
}
