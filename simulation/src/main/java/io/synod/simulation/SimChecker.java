package io.synod.simulation;

import io.synod.consensus.Batch;
import io.synod.consensus.LogCommand;
import io.synod.consensus.LogEntry;
import java.util.Map;
import java.util.TreeMap;

/**
 * The safety checkers, run on every persisted decision and every applied slot: no slot is decided with two values
 * (agreement); every replica's applied log is a prefix of every other's (same value and same state digest at every
 * slot); and at the end, every acknowledged request is in the decided log exactly once after deduplication.
 *
 * <p>Not thread-safe: owned by one {@link Simulation}.
 */
final class SimChecker {
    private final TreeMap<Long, Batch> decided = new TreeMap<>();
    private final TreeMap<Long, Long> digestBySlot = new TreeMap<>();
    private final TreeMap<Long, Long> ackedRequestByClient = new TreeMap<>();
    private long acks;

    /** A replica made {@code entry} durable as decided (or applied it): it must agree with every other replica. */
    void onDecided(int node, LogEntry entry) {
        Batch known = decided.putIfAbsent(entry.slot(), entry.value());
        if (known != null && !known.equals(entry.value())) {
            throw new SimViolation("agreement: slot " + entry.slot() + " decided as " + known + " and as "
                    + entry.value() + " (node " + node + ")");
        }
    }

    /** A replica applied {@code entry}, reaching state {@code digest}. */
    void onApplied(int node, LogEntry entry, long digest) {
        onDecided(node, entry);
        Long known = digestBySlot.putIfAbsent(entry.slot(), digest);
        if (known != null && known != digest) {
            throw new SimViolation("prefix: node " + node + " state after slot " + entry.slot() + " differs from "
                    + "another replica's");
        }
    }

    /** A replica installed a snapshot of {@code slot} with state {@code digest}. */
    void onSnapshotInstalled(int node, long slot, long digest) {
        Long known = digestBySlot.get(slot);
        if (known != null && known != digest) {
            throw new SimViolation("prefix: node " + node + " installed a snapshot of slot " + slot
                    + " that differs from the applied state");
        }
    }

    /** A client received an acknowledgement of {@code requestId}. */
    void onAcknowledged(long clientId, long requestId) {
        acks++;
        ackedRequestByClient.merge(clientId, requestId, Math::max);
    }

    long acks() {
        return acks;
    }

    long decidedSlots() {
        return decided.isEmpty() ? 0 : decided.lastKey();
    }

    /** Replays the global decided log with deduplication: every acknowledged request must be in it exactly once. */
    void checkAcknowledgedExactlyOnce() {
        SimStateMachine replay = new SimStateMachine();
        TreeMap<Long, Integer> effects = new TreeMap<>();
        long slot = 1;
        for (Map.Entry<Long, Batch> e : decided.entrySet()) {
            if (e.getKey() != slot) {
                break; // slots below a snapshot nobody applied here; digests already cover them
            }
            replay.apply(new LogEntry(slot, e.getValue()), (command, outcome) -> {
                if (outcome == SimStateMachine.Outcome.APPLIED) {
                    effects.merge(key(command), 1, Integer::sum);
                }
            });
            slot++;
        }
        for (Map.Entry<Long, Long> acked : ackedRequestByClient.entrySet()) {
            for (long request = 1; request <= acked.getValue(); request++) {
                int count = effects.getOrDefault(acked.getKey() * 1_000_000_007L + request, 0);
                if (count != 1) {
                    throw new SimViolation("exactly-once: client " + acked.getKey() + " request " + request
                            + " acknowledged but applied " + count + " times in the decided log");
                }
            }
        }
    }

    private static long key(LogCommand.Client command) {
        return command.clientId() * 1_000_000_007L + command.requestId();
    }
}
