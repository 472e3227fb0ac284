package io.synod.server.replication;

import io.synod.consensus.LogCommand;
import io.synod.consensus.LogEntry;
import io.synod.core.ChatCommands;
import io.synod.core.ChatStateMachine;
import io.synod.core.Command;
import io.synod.core.Result;
import io.synod.protocol.Publication;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies decided entries to the chat state machine, and syncs the applied state. Owned by the event-loop thread.
 *
 * <p>A decided slot holds a batch of commands; the command at 1-based position {@code p} of slot {@code s} gets the
 * chat index {@code s * stride + p}. The chat store writes each batch's effects and the last index in one atomic
 * write, not synced: every decided command is in the synced Paxos log before it is applied (its accepted record on a
 * majority, its decided record here), so after a crash the store's applied index says exactly which commands are in
 * the state: the replica is restored with applied slot {@code index / stride - 1} (the slot may be partly applied)
 * and commands at or below the stored index are skipped when handed out again. The driver syncs the state every
 * {@code STATE_SYNC_INTERVAL_MILLIS}, before a snapshot lets the log be truncated, and on close.
 */
final class CommandApplier {
    private static final Logger LOG = LoggerFactory.getLogger(CommandApplier.class);
    private static final ReplicationDriver.AppliedListener NO_LISTENER = new ReplicationDriver.AppliedListener() {
        @Override
        public void applied(long index, List<Publication> publications) {}

        @Override
        public void stateReplaced() {}
    };
    /** Most chat commands applied in one state-machine batch (one store write). */
    static final int APPLY_BATCH_COMMANDS_MAX = 4_096;

    private final ReplicationConfig config;
    private final ChatStateMachine machine;
    private final PendingWrites<?> writes;
    private final Deliveries deliveries;
    private ReplicationDriver.AppliedListener listener = NO_LISTENER;
    private boolean appliedSinceSync;
    private long appliedCount;
    private long applyBatchCount;

    CommandApplier(ReplicationConfig config, ChatStateMachine machine, PendingWrites<?> writes, Deliveries deliveries) {
        this.config = config;
        this.machine = machine;
        this.writes = writes;
        this.deliveries = deliveries;
    }

    /**
     * Applies the decided entries' chat commands in one state-machine batch (one store write for all of them:
     * a write per command cost each server a RocksDB write, WAL append included, per command), then records
     * what they published and completes this server's writes, in apply order.
     */
    void applyEntries(List<LogEntry> entries) {
        List<Command> batch = new ArrayList<>();
        List<LogCommand.Client> origins = new ArrayList<>();
        for (LogEntry entry : entries) {
            List<LogCommand> commands = entry.value().commands();
            if (commands.size() >= config.commandSlotStride()) { // the message built only then: once per slot
                check(false, "slot " + entry.slot() + " holds too many commands");
            }
            for (int position = 1; position <= commands.size(); position++) {
                if (!(commands.get(position - 1) instanceof LogCommand.Client client) || client.clientId() == 0) {
                    continue; // membership changes are interpreted by consensus; origin 0 is an empty nudge
                }
                if (client.payload().length == 0) { // a read barrier: nothing to apply
                    applyBatch(batch, origins); // every command before it first, so the index it reports is right
                    writes.applied(client, Result.ok(List.of()), machine.appliedIndex());
                    continue;
                }
                long index = entry.slot() * config.commandSlotStride() + position;
                if (index <= machine.appliedIndex()) {
                    continue; // applied before a restart: the store says so
                }
                try {
                    batch.add(ChatCommands.decode(client.payload()).withIndex(index));
                    origins.add(client);
                } catch (IllegalArgumentException e) {
                    LOG.error(
                            "{}: slot {} holds an undecodable command; skipped on every server",
                            config.selfName(),
                            entry.slot(),
                            e);
                }
                if (batch.size() >= APPLY_BATCH_COMMANDS_MAX) {
                    applyBatch(batch, origins);
                }
            }
        }
        applyBatch(batch, origins);
    }

    /** Applies {@code batch} (then empties it and {@code origins}); see {@link #applyEntries}. */
    private void applyBatch(List<Command> batch, List<LogCommand.Client> origins) {
        if (batch.isEmpty()) {
            return;
        }
        List<Result> results = machine.applyAll(batch, applied -> deliveries.keepWithTheWrite(batch, applied));
        appliedSinceSync = true;
        applyBatchCount++;
        for (int i = 0; i < batch.size(); i++) {
            long index = batch.get(i).index();
            Result result = results.get(i);
            appliedCount++;
            deliveries.onApplied(index, result.publications());
            listener.applied(index, result.publications());
            writes.applied(origins.get(i), result, index);
        }
        batch.clear();
        origins.clear();
    }

    /** Makes the commands applied since the last sync durable (one fsync), if there are any. */
    void syncAppliedState() {
        if (appliedSinceSync) {
            machine.sync();
            appliedSinceSync = false;
        }
    }

    /** The state was replaced by a snapshot's install, which is synced. */
    void installed() {
        appliedSinceSync = false;
        listener.stateReplaced();
    }

    void listen(ReplicationDriver.AppliedListener newListener) {
        listener = newListener;
    }

    long appliedCount() {
        return appliedCount;
    }

    long applyBatchCount() {
        return applyBatchCount;
    }

    private static void check(boolean condition, String what) {
        if (!condition) {
            throw new IllegalStateException("invariant violated: " + what);
        }
    }
}
