package io.synod.consensus;

import java.util.List;

/**
 * The value decided in one log slot: a batch of commands (Multi-Paxos batching puts many commands in one slot).
 * The empty batch is the no-op a new leader uses to fill gaps (Paxos Made Simple, section 3).
 *
 * <p>Immutable; thread-safe.
 */
public record Batch(List<LogCommand> commands) {
    /** The no-op value. */
    public static final Batch NOOP = new Batch(List.of());

    public Batch {
        commands = List.copyOf(commands);
    }

    /** True for the no-op (empty) batch. */
    public boolean isNoop() {
        return commands.isEmpty();
    }

    /** A batch of one command. */
    public static Batch of(LogCommand command) {
        return new Batch(List.of(command));
    }

    @Override
    public String toString() {
        return isNoop() ? "noop" : commands.toString();
    }
}
