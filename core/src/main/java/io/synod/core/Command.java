package io.synod.core;

/**
 * A {@link ChatCommand} with everything that makes applying it deterministic and exactly-once.
 *
 * @param index the chat index of the command (the replication driver numbers it by its slot in the replicated
 *     log and its position in the slot's batch; older single servers numbered theirs 1, 2, 3...). Applied indexes
 *     strictly increase.
 * @param timestampSeconds the synchronised time (float epoch seconds) read by the server that
 *     accepted the request; it becomes the timestamp of logins and publications
 * @param clock the Lamport clock the accepting server assigned to the command; it becomes the
 *     {@code clock} of the publications it produces
 * @param clientId the client's stable id (extension {@code client_id}), or null
 * @param requestId the client's request id (extension {@code request_id}), 0 when absent; with
 *     {@code clientId} it deduplicates retries
 * @param operation what to do
 * @param fingerprint for a write the client sent without {@code client_id}/{@code request_id}: its {@link
 *     Fingerprint} (service, fields, the client's clock and timestamp), which recognises the client's own retry of
 *     it; null when the client gave ids or the send cannot be told apart from another ({@link Fingerprint#of})
 * @param session the hash of the session token the write was sent with (secure mode), or null: applying checks that
 *     it names a live session of the write's author ({@link AccountRules#refusal}), in log order on every replica
 *     <p>Thread-safety: immutable.
 */
public record Command(
        long index,
        double timestampSeconds,
        long clock,
        String clientId,
        long requestId,
        ChatCommand operation,
        Fingerprint fingerprint,
        String session) {

    public Command {
        ChatInvariants.require(index > 0, "index must be positive, was ", index);
        ChatInvariants.require(Double.isFinite(timestampSeconds), "timestampSeconds must be finite");
        ChatInvariants.require(clock >= 0, "clock must not be negative, was ", clock);
        ChatInvariants.require(requestId >= 0, "requestId must not be negative, was ", requestId);
        ChatInvariants.require(clientId == null || !clientId.isEmpty(), "clientId must be null or non-empty");
        ChatInvariants.require(operation != null, "operation must not be null");
        ChatInvariants.require(session == null || !session.isEmpty(), "session must be null or non-empty");
    }

    /** A command sent without a session token (compat mode). */
    public Command(
            long index,
            double timestampSeconds,
            long clock,
            String clientId,
            long requestId,
            ChatCommand operation,
            Fingerprint fingerprint) {
        this(index, timestampSeconds, clock, clientId, requestId, operation, fingerprint, null);
    }

    /** A command without a fingerprint (the client gave ids, or its send cannot be recognised). */
    public Command(
            long index, double timestampSeconds, long clock, String clientId, long requestId, ChatCommand operation) {
        this(index, timestampSeconds, clock, clientId, requestId, operation, null);
    }

    /** A command without client or request id. */
    public static Command of(long index, double timestampSeconds, long clock, ChatCommand operation) {
        return new Command(index, timestampSeconds, clock, null, 0, operation);
    }

    /** The same command at another log index (the replicated log assigns the slot after encoding). */
    public Command withIndex(long newIndex) {
        return new Command(newIndex, timestampSeconds, clock, clientId, requestId, operation, fingerprint, session);
    }

    /** Whether this command takes part in deduplication (it has a client id and a request id). */
    public boolean isIdempotent() {
        return clientId != null && requestId > 0;
    }
}
