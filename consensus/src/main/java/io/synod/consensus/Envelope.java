package io.synod.consensus;

/**
 * A message with its sender and receiver node ids.
 *
 * <p>Immutable; thread-safe.
 */
public record Envelope(int source, int target, PaxosMessage message) {
    public Envelope {
        Invariants.require(message != null, "message must not be null");
    }

    @Override
    public String toString() {
        return source + "->" + target + " " + message;
    }
}
