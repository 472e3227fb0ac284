package io.synod.web;

import io.synod.client.ClientConfig;
import io.synod.client.ClientException;
import io.synod.protocol.Envelope;
import io.synod.protocol.Services;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One API call as one cluster request through the session's client: the reply's {@code data} is
 * the HTTP body (200), or its {@code erro} text as {@code {"error"}} (422: the cluster refused,
 * nothing changed). No reply after the client's retries is a 504 ({@code indefinite}: a write may
 * or may not have been applied; sending it again is a new write).
 */
final class ClusterCalls {
    /** Added to the client's own retry budget before the web process stops waiting. */
    private static final long WAIT_MARGIN_MILLIS = 5_000;

    private final long waitMillis;

    ClusterCalls(ClientConfig config) {
        this.waitMillis = config.requestTimeoutMillis() * (2L + config.requestRetriesMax()) + WAIT_MARGIN_MILLIS;
    }

    /** Sends {@code service} with {@code fields} and returns the reply's data. */
    Map<String, Object> call(UserSession session, String service, Map<String, Object> fields) {
        CompletableFuture<Envelope> reply = session.client().requestAsync(service, fields);
        Envelope envelope;
        try {
            envelope = reply.get(waitMillis, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw failure(e.getCause());
        } catch (TimeoutException e) {
            throw new ApiError(504, "the cluster did not answer " + service + " in " + waitMillis + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiError(503, "the web process is stopping");
        }
        Map<String, Object> data = new LinkedHashMap<>(envelope.data());
        if (Services.ERROR.equals(data.get("status")) || Services.ERROR.equals(envelope.service())) {
            Object text = data.getOrDefault("message", data.get("description"));
            throw new ApiError(422, String.valueOf(text));
        }
        return data;
    }

    static ApiError failure(Throwable cause) {
        return switch (cause) {
            case ClientException.RequestTimeout timeout ->
                new ApiError(
                        504,
                        "the cluster did not answer " + timeout.service() + " after " + timeout.attempts()
                                + " attempts (the request may or may not have been applied)");
            case ClientException other -> new ApiError(503, "cluster client unavailable: " + other.getMessage());
            case ApiError error -> error;
            default -> new ApiError(500, "internal error: " + cause.getClass().getSimpleName());
        };
    }
}
