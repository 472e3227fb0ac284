package io.synod.clock;

/**
 * The messages of physical clock synchronisation ({@link BerkeleySync}). All clock values are
 * <em>target</em> readings ({@link SoftwareClock#readTargetMillis}) in epoch milliseconds.
 *
 * <p>Wire mapping: {@link ClockRequest} and {@link ClockReply} are the statement's {@code clock}
 * service (request {@code {"timestamp","clock"}}, reply {@code {"time","timestamp","clock"}}, where
 * {@code time} is {@code timeMillis} as float epoch seconds); over REQ/REP the request id is
 * implicit. The three Berkeley messages are an extension (service {@code berkeley} on peer links).
 *
 * <p>Thread-safety: all implementations are immutable records.
 */
public sealed interface BerkeleyMessage {

    /**
     * Berkeley poll, coordinator to follower (Gusella and Zatti 1989: the master asks every slave
     * for its time).
     *
     * @param roundId the coordinator's round number
     * @param coordinatorSendMillis the coordinator's target reading when it sent the poll; echoed
     */
    record TimeRequest(long roundId, long coordinatorSendMillis) implements BerkeleyMessage {}

    /**
     * Berkeley answer, follower to coordinator.
     *
     * @param roundId echoed from the request
     * @param coordinatorSendMillis echoed from the request (so the coordinator keeps no per-server
     *     send times and can compute the round-trip time from its own clock alone)
     * @param followerClockMillis the follower's target reading when it answered
     * @param followerAdjustmentCount the follower's {@link SoftwareClock#adjustmentCount()} at that
     *     moment; echoed in the adjustment so that a stale correction is discarded
     */
    record TimeReply(long roundId, long coordinatorSendMillis, long followerClockMillis, long followerAdjustmentCount)
            implements BerkeleyMessage {}

    /**
     * Berkeley correction, coordinator to follower: "add {@code deltaMillis} to your clock".
     *
     * @param roundId the round it comes from
     * @param deltaMillis the correction (the fault-tolerant average minus the follower's offset)
     * @param followerAdjustmentCount echoed from the follower's reply
     */
    record TimeAdjustment(long roundId, long deltaMillis, long followerAdjustmentCount) implements BerkeleyMessage {}

    /**
     * The statement's {@code clock} request (Cristian 1989), follower to coordinator, sent after
     * every {@code clockRequestEveryMessages} messages the follower exchanged.
     *
     * @param requestId the follower's request number
     */
    record ClockRequest(long requestId) implements BerkeleyMessage {}

    /**
     * The statement's {@code clock} reply.
     *
     * @param requestId echoed from the request
     * @param timeMillis the replying server's target reading
     */
    record ClockReply(long requestId, long timeMillis) implements BerkeleyMessage {}
}
