package io.synod.client;

import io.synod.protocol.Envelope;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * One request between submission and its reply, timeout or cancellation. Mutable; confined to
 * the client's I/O thread.
 */
final class PendingRequest {
    final long requestId;
    final String service;
    /** The request's own fields; the meta fields are added at each send. */
    final Map<String, Object> fields;
    /** Called once on the I/O thread: the reply, or null and the failure. */
    final BiConsumer<Envelope, ClientException> onDone;

    int attemptsSent;
    long deadlineNanos;
    /** The broker the last send went through: an index, or {@link BrokerSockets#EVERY_BROKER} or {@code NOT_QUEUED}. */
    int broker;

    PendingRequest(
            long requestId, String service, Map<String, Object> fields, BiConsumer<Envelope, ClientException> onDone) {
        this.requestId = requestId;
        this.service = service;
        this.fields = Map.copyOf(fields);
        this.onDone = onDone;
    }
}
