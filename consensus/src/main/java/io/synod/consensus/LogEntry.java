package io.synod.consensus;

/**
 * A decided log entry: {@code value} was decided in {@code slot}. Handed to the driver in {@link Ready#toApply()}
 * in slot order, and shipped between replicas for catch-up.
 *
 * <p>Immutable; thread-safe.
 */
public record LogEntry(long slot, Batch value) {
    public LogEntry {
        PaxosInvariants.require(slot >= 1, "slots start at 1");
        PaxosInvariants.require(value != null, "value must not be null");
    }
}
