package io.synod.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.protocol.Envelope;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RequestTrackerTest {
    private final RequestTracker tracker = new RequestTracker(8, 100);

    private static PendingRequest request(long id, String service) {
        return new PendingRequest(id, service, Map.of(), (reply, failure) -> {});
    }

    private static Envelope reply(String service, Long requestId) {
        return requestId == null
                ? new Envelope(service, Map.of("status", "OK"))
                : new Envelope(service, Map.of("status", "OK", "request_id", requestId));
    }

    @Test
    void startsWithOneInFlightAndOpensTheWindowOnceRequestIdsAreEchoed() {
        for (long id = 1; id <= 5; id++) {
            tracker.submit(request(id, "users"));
        }
        assertThat(tracker.takeSendable()).hasSize(1);
        assertThat(tracker.takeSendable()).isEmpty();
        assertThat(tracker.match(reply("users", 1L)).requestId).isEqualTo(1);
        assertThat(tracker.takeSendable()).extracting(r -> r.requestId).containsExactly(2L, 3L, 4L, 5L);
        assertThat(tracker.match(reply("users", 4L)).requestId).isEqualTo(4);
        assertThat(tracker.match(reply("users", 4L))).as("stale duplicate").isNull();
    }

    @Test
    void aReplyWithoutRequestIdClosesTheWindowAndMatchesByService() {
        tracker.submit(request(1, "users"));
        tracker.takeSendable();
        tracker.match(reply("users", 1L));
        tracker.submit(request(2, "channels"));
        tracker.submit(request(3, "users"));
        assertThat(tracker.takeSendable()).hasSize(2);
        assertThat(tracker.match(reply("users", null)).requestId).isEqualTo(3);
        assertThat(tracker.serversEchoRequestId()).isFalse();
        assertThat(tracker.window()).isEqualTo(1);
        assertThat(tracker.match(reply("login", null)).requestId)
                .as("the only one left")
                .isEqualTo(2);
    }

    @Test
    void aFullQueueRefusesNewRequests() {
        RequestTracker small = new RequestTracker(1, 2);
        assertThat(small.submit(request(1, "users"))).isTrue();
        assertThat(small.submit(request(2, "users"))).isTrue();
        assertThat(small.submit(request(3, "users"))).isFalse();
    }

    @Test
    void exhaustedRequestsAreRemovedAndTheOthersStayForResending() {
        tracker.submit(request(1, "users"));
        tracker.takeSendable().forEach(r -> {
            r.attemptsSent = 3;
            r.deadlineNanos = 100;
        });
        assertThat(tracker.anyExpired(50)).isFalse();
        assertThat(tracker.anyExpired(100)).isTrue();
        assertThat(tracker.removeExhausted(100, 4)).isEmpty();
        assertThat(tracker.inFlight()).hasSize(1);
        tracker.inFlight().get(0).attemptsSent = 4;
        assertThat(tracker.removeExhausted(100, 4)).hasSize(1);
        assertThat(tracker.inFlightCount()).isZero();
    }
}
