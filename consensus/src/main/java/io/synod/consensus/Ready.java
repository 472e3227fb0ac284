package io.synod.consensus;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What the driver must do after feeding a replica, obtained from {@link PaxosReplica#ready()}. Obligations, in this
 * order:
 *
 * <ol>
 *   <li>persist {@link #toPersist()} durably, in order (one synced batch: group commit). Sending before persisting
 *       breaks Paxos: a promise or an accept would be forgotten by a crash after the peer relied on it. The one
 *       exception is {@link #sendableBeforePersist()}: a leader's {@code Accept}s promise nothing about this
 *       replica's acceptor, so a driver may send them first and let the peers' disks work while its own does (a
 *       vote of this replica is only counted with a peer's, which arrives in a later input, after this Ready);
 *   <li>send {@link #toSend()} (best effort; loss, delay and duplication are tolerated), or the rest of it;
 *   <li>if {@link #snapshotToInstall()} is present, replace the application state with its bytes;
 *   <li>apply {@link #toApply()} to the state machine, in order (entries are decided and contiguous);
 *   <li>call {@link PaxosReplica#advance(Ready)};
 *   <li>if {@link #snapshotRequestSlot()} is present, serialise the application state (which now reflects exactly
 *       that slot) and hand it to {@link PaxosReplica#snapshotTaken(long, byte[])}, now or later; later, the state
 *       may be serialised as it is then, with the slot it then reflects (any applied slot will do).
 * </ol>
 *
 * <p>Immutable; thread-safe.
 */
public record Ready(
        List<DurableRecord> toPersist,
        List<Envelope> toSend,
        Optional<Snapshot> snapshotToInstall,
        List<LogEntry> toApply,
        OptionalLong snapshotRequestSlot) {

    public Ready {
        toPersist = List.copyOf(toPersist);
        toSend = List.copyOf(toSend);
        toApply = List.copyOf(toApply);
    }

    /** The messages a driver may send before persisting: the leader's {@code Accept}s (see the contract above). */
    public List<Envelope> sendableBeforePersist() {
        return toSend.stream().filter(e -> e.message() instanceof PaxosMessage.Accept).toList();
    }

    /** The messages that must wait until {@link #toPersist()} is durable: all but {@link #sendableBeforePersist()}. */
    public List<Envelope> sendableAfterPersist() {
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
