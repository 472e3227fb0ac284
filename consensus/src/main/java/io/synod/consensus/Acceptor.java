package io.synod.consensus;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The acceptor role (Paxos Made Simple, section 2.2, phases 1b and 2b), for all slots at once: one promised ballot
 * covers every slot, and accepted values are kept per slot until a snapshot covers them. Every change is emitted as
 * a {@link DurableRecord} that the driver persists before the reply is sent.
 *
 * <p>Not thread-safe: owned by one {@link PaxosReplica}.
 */
final class Acceptor {
    private final Outbox out;
    private final Set<Mutation> mutations;
    private Ballot promised;
    private final TreeMap<Long, AcceptedEntry> accepted = new TreeMap<>();

    Acceptor(Outbox out, Set<Mutation> mutations, Ballot promised, SortedMap<Long, AcceptedEntry> accepted) {
        this.out = out;
        this.mutations = mutations;
        this.promised = promised;
        this.accepted.putAll(accepted);
        for (AcceptedEntry entry : accepted.values()) {
            // A crash may persist an accepted value without the promise that preceded it.
            if (entry.ballot().greaterThan(this.promised)) {
                this.promised = entry.ballot();
            }
        }
    }

    Ballot promised() {
        return promised;
    }

    /** What this acceptor accepted in {@code slot} (above the snapshot), or null. */
    AcceptedEntry acceptedAt(long slot) {
        return accepted.get(slot);
    }

    /** Phase 1b: promise {@code prepare.ballot()} unless a higher ballot was promised. */
    PaxosMessage onPrepare(PaxosMessage.Prepare prepare, Learner learner) {
        if (!prepare.ballot().atLeast(promised)) {
            return new PaxosMessage.Nack(prepare.ballot(), promised);
        }
        promise(prepare.ballot());
        long first = Math.max(prepare.fromSlot(), learner.decidedPrefixSlot() + 1);
        List<LogEntry> decided = learner.decidedFrom(first, Integer.MAX_VALUE);
        List<AcceptedEntry> reported = new ArrayList<>();
        for (AcceptedEntry entry : accepted.tailMap(first, true).values()) {
            if (!learner.isDecided(entry.slot())) {
                reported.add(entry);
            }
        }
        return new PaxosMessage.Promise(prepare.ballot(), learner.decidedPrefixSlot(), decided, reported);
    }

    /** Phase 2b: accept unless a higher ballot was promised; null when the slot is already truncated. */
    PaxosMessage onAccept(PaxosMessage.Accept accept, long snapshotSlot) {
        boolean belowPromise = !accept.ballot().atLeast(promised);
        if (belowPromise && !mutations.contains(Mutation.ACCEPT_BELOW_PROMISE)) {
            return new PaxosMessage.Nack(accept.ballot(), promised);
        }
        if (!belowPromise) {
            promise(accept.ballot());
        }
        if (accept.slot() <= snapshotSlot) {
            return null;
        }
        AcceptedEntry entry = new AcceptedEntry(accept.slot(), accept.ballot(), accept.value());
        accepted.put(accept.slot(), entry);
        out.persist(new DurableRecord.AcceptedValue(entry));
        return new PaxosMessage.Accepted(accept.ballot(), accept.slot());
    }

    private void promise(Ballot ballot) {
        if (ballot.greaterThan(promised)) {
            promised = ballot;
            out.persist(new DurableRecord.PromisedBallot(ballot));
        }
    }

    /** Forgets accepted values a snapshot covers (they are decided and applied). */
    void truncateThrough(long slot) {
        accepted.headMap(slot, true).clear();
    }
}
