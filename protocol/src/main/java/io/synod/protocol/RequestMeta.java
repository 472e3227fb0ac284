package io.synod.protocol;

import java.util.Map;

/**
 * Fields every request may carry besides its own.
 *
 * @param timestampSeconds the sender's {@code timestamp} as float epoch seconds (any form {@link
 *     Timestamps} reads), or null if absent or unreadable
 * @param clock the sender's Lamport {@code clock}, 0 if absent (clients of parts 1 to 3 send none)
 * @param clientId extension {@code client_id}: a stable id of the client process, or null
 * @param requestId extension {@code request_id}: unique per client id, 0 if absent; with
 *     {@code clientId} it makes a retried write idempotent
 * @param timestampReplaced the request carried a {@code timestamp} that could not be read: it is
 *     informational, so the request is served and the server's own time stands in for it (the
 *     server notes it in its interaction log)
 * @param token extension {@code token}: the session token a {@code login} returned, or null; a server in secure
 *     mode requires it on every write and private read (docs/security.md). Never logged.
 */
public record RequestMeta(
        Double timestampSeconds, long clock, String clientId, long requestId, boolean timestampReplaced, String token) {
    public static final RequestMeta NONE = new RequestMeta(null, 0, null, 0);
    /** Client ids that start with this are given by servers (see the server's ChatService), never by clients. */
    public static final String SERVER_CLIENT_ID_PREFIX = "~";

    public RequestMeta {
        if (clock < 0 || clock > Limits.INTEGER_MAX) {
            throw new ProtocolException("field 'clock' must be an integer from 0 to " + Limits.INTEGER_MAX);
        }
        if (requestId < 0 || requestId > Limits.INTEGER_MAX) {
            throw new ProtocolException("field 'request_id' must be an integer from 0 to " + Limits.INTEGER_MAX);
        }
        if (clientId != null && clientId.startsWith(SERVER_CLIENT_ID_PREFIX)) {
            throw new ProtocolException("field 'client_id' must not start with '" + SERVER_CLIENT_ID_PREFIX
                    + "': that prefix is reserved for the ids servers give writes that carry none");
        }
    }

    /** Longest {@code token} accepted (a token is about 100 characters: docs/protocol.md). */
    public static final int TOKEN_CHARS_MAX = 512;

    /** Metadata with a readable (or absent) timestamp and no token. */
    public RequestMeta(Double timestampSeconds, long clock, String clientId, long requestId) {
        this(timestampSeconds, clock, clientId, requestId, false, null);
    }

    /** Metadata without a token. */
    public RequestMeta(
            Double timestampSeconds, long clock, String clientId, long requestId, boolean timestampReplaced) {
        this(timestampSeconds, clock, clientId, requestId, timestampReplaced, null);
    }

    /** Hides the token, so a logged or printed request never shows it. */
    @Override
    public String toString() {
        return "RequestMeta[timestampSeconds=" + timestampSeconds + ", clock=" + clock + ", clientId=" + clientId
                + ", requestId=" + requestId + ", timestampReplaced=" + timestampReplaced + ", token="
                + (token == null ? "null" : "<hidden>") + "]";
    }

    static RequestMeta read(Fields fields, Limits limits) {
        Double timestamp = fields.optionalTimestamp("timestamp").orElse(null);
        return new RequestMeta(
                timestamp,
                fields.optionalWireInteger("clock", 0),
                fields.optionalText("client_id", limits.nameCharsMax()).orElse(null),
                fields.optionalWireInteger("request_id", 0),
                timestamp == null && fields.has("timestamp"),
                fields.optionalText("token", TOKEN_CHARS_MAX).orElse(null));
    }

    void write(Map<String, Object> data) {
        if (timestampSeconds != null) {
            data.put("timestamp", timestampSeconds);
        }
        data.put("clock", clock);
        if (clientId != null) {
            data.put("client_id", clientId);
        }
        if (requestId != 0) {
            data.put("request_id", requestId);
        }
        if (token != null) {
            data.put("token", token);
        }
    }
}
