package io.synod.clock;

import java.util.Objects;

/**
 * The messages of the bully election ({@link BullyElection}). The receiving adapter passes the
 * sender's server name as {@code source} next to the message.
 *
 * <p>Wire mapping (statement part 4, with one extension):
 *
 * <ul>
 *   <li>{@link ElectionRequest}: the {@code election} request {@code {"timestamp","clock"}} sent to
 *       each higher-ranked server over its peer link.
 *   <li>{@link ElectionOk}: the reply {@code {"election":"OK","timestamp","clock"}}; with REQ/REP it
 *       is the reply to the request, so the adapter routes it back to the requester.
 *   <li>{@link CoordinatorAnnouncement}: published on topic {@code servers} as
 *       {@code {"service":"election","data":{"coordinator","timestamp","clock"}}}; a received one is
 *       stepped with {@code source = coordinator}.
 *   <li>{@link CoordinatorHeartbeat}: extension, sent by the coordinator to every known server
 *       every {@code heartbeatIntervalTicks} over peer links. It is the coordinator's liveness
 *       signal and also repairs a lost announcement.
 * </ul>
 *
 * <p>Thread-safety: all implementations are immutable records.
 */
public sealed interface ElectionMessage {

    /** "I am holding an election; are you alive?" Sent only to higher-ranked servers. */
    record ElectionRequest() implements ElectionMessage {}

    /** "I am alive and I take over": the answer of a higher-ranked server to a request. */
    record ElectionOk() implements ElectionMessage {}

    /**
     * "I am the coordinator."
     *
     * @param coordinator the name of the new coordinator (the sender)
     */
    record CoordinatorAnnouncement(String coordinator) implements ElectionMessage {
        /** Rejects a null or empty name. */
        public CoordinatorAnnouncement {
            Objects.requireNonNull(coordinator, "coordinator");
            ClockInvariants.require(!coordinator.isEmpty(), "coordinator must not be empty");
        }
    }

    /** "I am still the coordinator" (extension; periodic). */
    record CoordinatorHeartbeat() implements ElectionMessage {}
}
