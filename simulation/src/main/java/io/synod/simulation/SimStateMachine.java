package io.synod.simulation;

import io.synod.consensus.LogCommand;
import io.synod.consensus.LogEntry;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.TreeMap;

/**
 * The simulator's tiny deterministic application: it applies client commands once per (clientId, requestId),
 * dropping retried duplicates exactly as the chat state machine will, and folds every effect into a digest so
 * replicas can be compared slot by slot.
 *
 * <p>Not thread-safe: owned by one simulated node.
 */
final class SimStateMachine {
    /** Outcome of applying one client command. */
    enum Outcome {
        APPLIED,
        DUPLICATE
    }

    private final TreeMap<Long, Long> lastRequestByClient = new TreeMap<>();
    private long digest = 17;
    private long effects;
    private long appliedSlot;

    long appliedSlot() {
        return appliedSlot;
    }

    long digest() {
        return digest;
    }

    long lastRequest(long clientId) {
        return lastRequestByClient.getOrDefault(clientId, 0L);
    }

    /** Applies the commands of one decided slot; calls {@code onClient} for each client command. */
    void apply(LogEntry entry, ClientOutcomeListener onClient) {
        if (entry.slot() != appliedSlot + 1) {
            throw new SimViolation("applied slot " + entry.slot() + " after " + appliedSlot);
        }
        appliedSlot = entry.slot();
        for (LogCommand command : entry.value().commands()) {
            if (command instanceof LogCommand.Client client) {
                onClient.outcome(client, applyClient(client));
            } else {
                digest = mix(digest, command.hashCode());
            }
        }
    }

    /** Receives the outcome of each applied client command. */
    @FunctionalInterface
    interface ClientOutcomeListener {
        void outcome(LogCommand.Client command, Outcome outcome);
    }

    private Outcome applyClient(LogCommand.Client client) {
        long last = lastRequest(client.clientId());
        if (client.requestId() <= last) {
            return Outcome.DUPLICATE;
        }
        if (client.requestId() != last + 1) {
            throw new SimViolation("client " + client.clientId() + " request " + client.requestId()
                    + " applied before request " + (last + 1));
        }
        lastRequestByClient.put(client.clientId(), client.requestId());
        effects++;
        digest = mix(mix(digest, client.clientId()), client.requestId());
        return Outcome.APPLIED;
    }

    private static long mix(long h, long v) {
        long x = (h ^ v) * 0x9E3779B97F4A7C15L;
        return x ^ (x >>> 29);
    }

    byte[] snapshot() {
        ByteBuffer buffer = ByteBuffer.allocate(32 + lastRequestByClient.size() * 16);
        buffer.putLong(appliedSlot).putLong(digest).putLong(effects).putInt(lastRequestByClient.size());
        for (Map.Entry<Long, Long> e : lastRequestByClient.entrySet()) {
            buffer.putLong(e.getKey()).putLong(e.getValue());
        }
        return buffer.array();
    }

    static SimStateMachine fromSnapshot(byte[] bytes) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        SimStateMachine machine = new SimStateMachine();
        machine.appliedSlot = buffer.getLong();
        machine.digest = buffer.getLong();
        machine.effects = buffer.getLong();
        int clients = buffer.getInt();
        for (int i = 0; i < clients; i++) {
            machine.lastRequestByClient.put(buffer.getLong(), buffer.getLong());
        }
        return machine;
    }
}
