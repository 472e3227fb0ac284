package io.synod.client;

import io.synod.protocol.Envelope;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Which requests wait, which are in flight, and which reply belongs to which request.
 *
 * <p>Matching: Synod servers echo the request's {@code request_id} in the reply, so replies are
 * matched by it and up to {@link ClientConfig#requestsInFlightMax()} requests are in flight at
 * once. Foreign servers (the course's REP servers) echo nothing: the tracker starts with a window
 * of one request (REQ semantics, where the one reply can only belong to the one request) and
 * opens the window only after a reply has echoed a request id; a reply without one closes it
 * again. If such a reply still finds several requests in flight (a mixed cluster), it goes to the
 * oldest in-flight request of the same service, since replies carry the request's service.
 *
 * <p>A pure state machine: no I/O, time passed in. Not thread-safe: owned by the I/O thread.
 */
final class RequestTracker {
    private final int inFlightMax;
    private final int queuedMax;
    private final Deque<PendingRequest> waiting = new ArrayDeque<>();
    /** In send order. */
    private final LinkedHashMap<Long, PendingRequest> inFlight = new LinkedHashMap<>();

    private boolean serversEchoRequestId;

    RequestTracker(int inFlightMax, int queuedMax) {
        this.inFlightMax = inFlightMax;
        this.queuedMax = queuedMax;
    }

    /** Queues a request; false if the queue is full (the caller fails it). */
    boolean submit(PendingRequest request) {
        if (waiting.size() >= queuedMax) {
            return false;
        }
        waiting.addLast(request);
        return true;
    }

    /** The current window: many requests if the servers echo request ids, else one. */
    int window() {
        return serversEchoRequestId ? inFlightMax : 1;
    }

    boolean serversEchoRequestId() {
        return serversEchoRequestId;
    }

    int inFlightCount() {
        return inFlight.size();
    }

    int waitingCount() {
        return waiting.size();
    }

    /** Moves waiting requests into flight while the window allows; the caller sends them. */
    List<PendingRequest> takeSendable() {
        List<PendingRequest> out = new ArrayList<>();
        while (inFlight.size() < window() && !waiting.isEmpty()) {
            PendingRequest next = waiting.removeFirst();
            inFlight.put(next.requestId, next);
            out.add(next);
        }
        return out;
    }

    /** The in-flight request {@code reply} answers, removed from flight; null for a stale reply. */
    PendingRequest match(Envelope reply) {
        long echoed = echoedRequestId(reply);
        if (echoed > 0) {
            serversEchoRequestId = true;
            return inFlight.remove(echoed);
        }
        serversEchoRequestId = false;
        if (inFlight.size() == 1) {
            return inFlight.pollFirstEntry().getValue();
        }
        Iterator<PendingRequest> it = inFlight.values().iterator();
        while (it.hasNext()) {
            PendingRequest candidate = it.next();
            if (candidate.service.equals(reply.service())) {
                it.remove();
                return candidate;
            }
        }
        return null;
    }

    /** Whether some in-flight request's attempt has timed out at {@code nowNanos}. */
    boolean anyExpired(long nowNanos) {
        for (PendingRequest request : inFlight.values()) {
            if (request.deadlineNanos - nowNanos <= 0) {
                return true;
            }
        }
        return false;
    }

    /** The earliest deadline in flight, or {@code Long.MAX_VALUE} if nothing is in flight. */
    long nextDeadlineNanos(long nowNanos) {
        long earliest = Long.MAX_VALUE;
        for (PendingRequest request : inFlight.values()) {
            earliest = Math.min(earliest, request.deadlineNanos - nowNanos);
        }
        return earliest == Long.MAX_VALUE ? Long.MAX_VALUE : nowNanos + Math.max(0, earliest);
    }

    /**
     * After a timeout: removes and returns the expired requests that used all their attempts.
     * The remaining in-flight requests stay and must all be sent again on the new socket.
     */
    List<PendingRequest> removeExhausted(long nowNanos, int attemptsMax) {
        List<PendingRequest> out = new ArrayList<>();
        Iterator<PendingRequest> it = inFlight.values().iterator();
        while (it.hasNext()) {
            PendingRequest request = it.next();
            if (request.deadlineNanos - nowNanos <= 0 && request.attemptsSent >= attemptsMax) {
                it.remove();
                out.add(request);
            }
        }
        return out;
    }

    /** Every in-flight request, in send order (to send again after the socket was recreated). */
    List<PendingRequest> inFlight() {
        return new ArrayList<>(inFlight.values());
    }

    /** Removes and returns every request, waiting or in flight (on close). */
    List<PendingRequest> drainAll() {
        List<PendingRequest> out = new ArrayList<>(inFlight.values());
        out.addAll(waiting);
        inFlight.clear();
        waiting.clear();
        return out;
    }

    private static long echoedRequestId(Envelope reply) {
        Object value = reply.data().get("request_id");
        if (value instanceof Long id) {
            return id;
        }
        return 0;
    }
}
