package io.synod.consensus;

/**
 * A message with its sender and receiver node ids.
 *
 * <p>Immutable; thread-safe.
 */
public record PaxosEnvelope(int source, int target, PaxosMessage message) {
    public PaxosEnvelope {
        PaxosInvariants.require(message != null, "message must not be null");
    }

    @Override
    public String toString() {
        return source + "->" + target + " " + message;
    }
}
