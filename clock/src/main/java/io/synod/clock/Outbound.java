package io.synod.clock;

import java.util.Objects;

/**
 * A message a clock core asks its adapter to send to one peer server.
 *
 * <p>Thread-safety: immutable.
 *
 * @param target the name of the receiving server (as known from the reference)
 * @param message the message
 * @param <M> the protocol's sealed message type
 */
public record Outbound<M>(String target, M message) {

    /** Rejects nulls and empty targets. */
    public Outbound {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(message, "message");
        ClockInvariants.require(!target.isEmpty(), "target must not be empty");
    }
}
