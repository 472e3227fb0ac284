package io.synod.consensus;

import java.util.Arrays;

/**
 * A command carried in a slot of the replicated log. Client commands are opaque bytes to consensus; the three
 * membership commands are interpreted by consensus itself (see docs/decisions/0002-membership.md) and are also
 * handed to the driver in order like every other command.
 *
 * <p>Immutable (the payload array is never mutated after construction); thread-safe.
 */
public sealed interface LogCommand
        permits LogCommand.Client, LogCommand.AddLearner, LogCommand.PromoteLearner, LogCommand.RemoveServer {

    /**
     * An opaque application command. {@code clientId} + {@code requestId} identify a request so that the state
     * machine can drop a retried request that was already applied.
     */
    record Client(long clientId, long requestId, byte[] payload) implements LogCommand {
        public Client {
            PaxosInvariants.require(payload != null, "payload must not be null");
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Client c
                    && c.clientId == clientId
                    && c.requestId == requestId
                    && Arrays.equals(c.payload, payload);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(clientId) * 31 + Long.hashCode(requestId) * 17 + Arrays.hashCode(payload);
        }

        @Override
        public String toString() {
            return "c" + clientId + "#" + requestId + "(" + payload.length + "B)";
        }
    }

    /** Adds {@code nodeId} as a non-voting learner that receives decisions and catches up. */
    record AddLearner(int nodeId) implements LogCommand {}

    /** Turns learner {@code nodeId} into a voting acceptor. Proposed by the leader once the learner caught up. */
    record PromoteLearner(int nodeId) implements LogCommand {}

    /** Removes {@code nodeId} (voter or learner) from the membership. */
    record RemoveServer(int nodeId) implements LogCommand {}

    /** True for the membership commands that consensus interprets. */
    default boolean isReconfiguration() {
        return !(this instanceof Client);
    }
}
