package io.synod.clock;

import io.synod.clock.BerkeleyMessage.ClockReply;
import io.synod.clock.BerkeleyMessage.ClockRequest;
import io.synod.clock.BerkeleyMessage.TimeAdjustment;
import io.synod.clock.BerkeleyMessage.TimeReply;
import io.synod.clock.BerkeleyMessage.TimeRequest;
import java.util.Objects;
import java.util.Optional;

/**
 * The slave side of clock synchronisation on one server: it answers Berkeley polls, applies
 * Berkeley corrections (Gusella and Zatti 1989, section II), and runs the statement's
 * every-10-messages {@code clock} request with Cristian's method (Cristian 1989, "Probabilistic
 * clock synchronization", Distributed Computing 3(3), section 3: the client sets its clock to
 * {@code time + rtt/2}; the error is at most {@code rtt/2}).
 *
 * <p>Every correction is applied to the {@link SoftwareClock} by slewing. A correction is applied
 * only if no other correction was applied since its measurement was taken (the clock's adjustment
 * count is recorded at measurement and compared on application), so a Berkeley correction and a
 * Cristian correction for the same error are never both applied.
 *
 * <p>Thread-safety: <b>not thread-safe</b>; owned by the thread that owns the {@link
 * BerkeleySync}. Performs no I/O (the clock is read with readings passed in).
 */
public final class BerkeleyFollower {

    private final BerkeleyConfig config;
    private final SoftwareClock clock;
    private int messagesSinceClockRequest;
    private long lastClockRequestId;
    private boolean clockRequestOutstanding;
    private long clockRequestSendMillis;
    private long clockRequestAdjustmentCount;
    private int clockRequestTicks;
    private long rejectedCorrectionCount;

    /**
     * Creates a follower for one clock.
     *
     * @param config the limits
     * @param clock this server's software clock
     */
    public BerkeleyFollower(BerkeleyConfig config, SoftwareClock clock) {
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Answers a Berkeley poll with this server's target reading.
     *
     * @param request the poll
     * @param underlyingMillis the underlying reading now
     * @return the answer for the poll's sender
     */
    public TimeReply onTimeRequest(TimeRequest request, long underlyingMillis) {
        long nowMillis = clock.readTargetMillis(underlyingMillis);
        return new TimeReply(request.roundId(), request.coordinatorSendMillis(), nowMillis, clock.adjustmentCount());
    }

    /**
     * Applies a Berkeley correction unless it is stale or out of range.
     *
     * @param adjustment the correction
     * @param underlyingMillis the underlying reading now
     * @return true if applied
     */
    public boolean onTimeAdjustment(TimeAdjustment adjustment, long underlyingMillis) {
        if (adjustment.followerAdjustmentCount() != clock.adjustmentCount()) {
            rejectedCorrectionCount++;
            return false;
        }
        long deltaMillis = damped(config, adjustment.deltaMillis());
        return deltaMillis != 0 && applyIfInRange(deltaMillis, underlyingMillis);
    }

    /**
     * Counts one exchanged message; every {@code clockRequestEveryMessages} messages returns a
     * {@code clock} request for the coordinator (unless one is still outstanding, in which case
     * the next message after it is settled triggers the request).
     *
     * @param underlyingMillis the underlying reading now
     * @return a request to send to the coordinator, if one is due
     */
    public Optional<ClockRequest> noteMessageExchanged(long underlyingMillis) {
        messagesSinceClockRequest = Math.min(messagesSinceClockRequest + 1, config.clockRequestEveryMessages());
        if (messagesSinceClockRequest < config.clockRequestEveryMessages() || clockRequestOutstanding) {
            return Optional.empty();
        }
        messagesSinceClockRequest = 0;
        clockRequestOutstanding = true;
        clockRequestTicks = 0;
        lastClockRequestId++;
        clockRequestSendMillis = clock.readTargetMillis(underlyingMillis);
        clockRequestAdjustmentCount = clock.adjustmentCount();
        return Optional.of(new ClockRequest(lastClockRequestId));
    }

    /**
     * Applies Cristian's correction {@code time + rtt/2 - now} for the outstanding request.
     *
     * @param source the server that answered (the coordinator)
     * @param reply its answer
     * @param underlyingMillis the underlying reading now
     * @return the correction applied, if any
     */
    public Optional<ClockCorrection> onClockReply(String source, ClockReply reply, long underlyingMillis) {
        if (!clockRequestOutstanding || reply.requestId() != lastClockRequestId) {
            return Optional.empty();
        }
        clockRequestOutstanding = false;
        long nowMillis = clock.readTargetMillis(underlyingMillis);
        long roundTripMillis = nowMillis - clockRequestSendMillis;
        boolean stale = clock.adjustmentCount() != clockRequestAdjustmentCount;
        if (stale || roundTripMillis < 0 || roundTripMillis > config.roundTripMaxMillis()) {
            rejectedCorrectionCount++;
            return Optional.empty();
        }
        long deltaMillis = BerkeleyCoordinator.halfUp(2 * (reply.timeMillis() - nowMillis) + roundTripMillis);
        deltaMillis = damped(config, deltaMillis);
        if (deltaMillis == 0 || !applyIfInRange(deltaMillis, underlyingMillis)) {
            return Optional.empty();
        }
        return Optional.of(new ClockCorrection(ClockCorrection.Method.CRISTIAN, source, deltaMillis, roundTripMillis));
    }

    /** Advances the timeout of an outstanding {@code clock} request by one tick. */
    public void tick() {
        if (clockRequestOutstanding && ++clockRequestTicks >= config.clockReplyTimeoutTicks()) {
            clockRequestOutstanding = false;
        }
    }

    /** Forgets an outstanding {@code clock} request (for example when the coordinator changes). */
    public void cancelClockRequest() {
        clockRequestOutstanding = false;
    }

    /** @return true while a {@code clock} request awaits its reply */
    public boolean isClockRequestOutstanding() {
        return clockRequestOutstanding;
    }

    /** @return how many corrections were discarded as stale, too slow, or out of range */
    public long rejectedCorrectionCount() {
        return rejectedCorrectionCount;
    }

    /**
     * The loop filter: a correction no larger than {@code dampedCorrectionMaxMillis} is halved
     * (rounded towards zero), a larger one is applied in full. Small corrections are mostly
     * measurement noise (reading resolution, delay asymmetry); halving them keeps one bad
     * measurement from moving the clock by its whole error, while a real offset still shrinks
     * geometrically with every measurement. A 1 ms correction is therefore never applied. The
     * coordinator's own Berkeley correction (an average of several measurements) is not damped.
     *
     * @param config the limits
     * @param deltaMillis the measured correction
     * @return the correction to apply
     */
    public static long damped(BerkeleyConfig config, long deltaMillis) {
        return Math.abs(deltaMillis) <= config.dampedCorrectionMaxMillis() ? deltaMillis / 2 : deltaMillis;
    }

    private boolean applyIfInRange(long deltaMillis, long underlyingMillis) {
        if (!clock.tryAdjust(underlyingMillis, deltaMillis)) {
            rejectedCorrectionCount++;
            return false;
        }
        return true;
    }
}
