package io.synod.clock;

import io.synod.clock.BerkeleyMessage.ClockReply;
import io.synod.clock.BerkeleyMessage.ClockRequest;
import io.synod.clock.BerkeleyMessage.TimeAdjustment;
import io.synod.clock.BerkeleyMessage.TimeReply;
import io.synod.clock.BerkeleyMessage.TimeRequest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Physical clock synchronisation of one server: both roles of the Berkeley algorithm plus the
 * statement's every-10-messages {@code clock} request, around this server's {@link SoftwareClock}.
 *
 * <ul>
 *   <li>While this server is the bully coordinator ({@link #coordinatorChanged}), it runs a {@link
 *       BerkeleyCoordinator} round every {@code roundIntervalTicks}, the first one on the tick after
 *       it became coordinator. A round closes when every polled server answered, or after {@code
 *       replyTimeoutTicks}.
 *   <li>Every server answers polls and {@code clock} requests from anyone, and applies Berkeley
 *       corrections that come from its current coordinator (a {@link BerkeleyFollower}).
 *   <li>A server that is not the coordinator sends a {@code clock} request to the coordinator after
 *       every {@code clockRequestEveryMessages} messages the adapter reports with {@link
 *       #noteMessageExchanged}, and corrects its clock by Cristian's method.
 * </ul>
 *
 * <p>How the two interact: both measure the same quantity (this clock against the coordinator's
 * clock, which a round moves to the average), both are additive on the target reading, and a
 * correction is applied only if no other correction landed since its measurement. Between rounds
 * the {@code clock} requests keep followers aligned with the coordinator under drift; a round also
 * pulls the coordinator towards the others and catches servers that exchange no messages.
 *
 * <p>Thread-safety: <b>not thread-safe</b>; owned by one thread (the server's event loop), which
 * also owns the {@link SoftwareClock} it adjusts. Performs no I/O.
 *
 * <p>Call order: construct; {@link #setServers} and {@link #coordinatorChanged} whenever they
 * change; {@link #tick} once per tick; {@link #step} per received message; {@link
 * #noteMessageExchanged} per chat message handled; after each call drain {@link #ready()}. Every
 * call takes the current underlying reading of the {@link PhysicalTimeSource}.
 */
public final class BerkeleySync {

    private final BerkeleyConfig config;
    private final String selfName;
    private final SoftwareClock clock;
    private final BerkeleyFollower follower;
    private final BerkeleyCoordinator coordinatorRole;
    private final SortedSet<String> servers = new TreeSet<>();
    private Optional<String> coordinator = Optional.empty();
    private Optional<String> clockRequestTarget = Optional.empty();
    private int ticksUntilRound;
    private int roundTicks;
    private long nextRoundId = 1;
    private long abortedRoundCount;
    private Optional<BerkeleyRoundReport> lastRoundReport = Optional.empty();
    private final List<Outbound<BerkeleyMessage>> messagesToSend = new ArrayList<>();
    private final List<BerkeleyRoundReport> roundReports = new ArrayList<>();
    private final List<ClockCorrection> corrections = new ArrayList<>();

    /**
     * Creates the synchronisation of one server, which knows no coordinator yet.
     *
     * @param config the limits
     * @param selfName this server's name
     * @param clock this server's software clock
     */
    public BerkeleySync(BerkeleyConfig config, String selfName, SoftwareClock clock) {
        this.config = Objects.requireNonNull(config, "config");
        this.selfName = Objects.requireNonNull(selfName, "selfName");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.follower = new BerkeleyFollower(config, clock);
        this.coordinatorRole = new BerkeleyCoordinator(config, selfName);
    }

    /**
     * Replaces the set of servers a coordinator polls (this server's own name is ignored).
     *
     * @param serverNames the known servers
     */
    public void setServers(Collection<String> serverNames) {
        servers.clear();
        servers.addAll(serverNames);
        servers.remove(selfName);
    }

    /**
     * Tells who the coordinator is now (from {@link BullyElection}'s {@link CoordinatorChange}).
     *
     * @param newCoordinator the coordinator, empty while an election runs
     */
    public void coordinatorChanged(Optional<String> newCoordinator) {
        Objects.requireNonNull(newCoordinator, "newCoordinator");
        if (newCoordinator.equals(coordinator)) {
            return;
        }
        if (isCoordinator() && coordinatorRole.isRoundOpen()) {
            coordinatorRole.abortRound();
            abortedRoundCount++;
        }
        coordinator = newCoordinator;
        follower.cancelClockRequest();
        clockRequestTarget = Optional.empty();
        ticksUntilRound = 1;
    }

    /**
     * Advances the timers by one tick; may start or close a round.
     *
     * @param underlyingMillis the underlying reading now
     */
    public void tick(long underlyingMillis) {
        follower.tick();
        if (!isCoordinator()) {
            return;
        }
        if (coordinatorRole.isRoundOpen()) {
            if (++roundTicks >= config.replyTimeoutTicks()) {
                closeRound(underlyingMillis);
            }
        } else if (--ticksUntilRound <= 0) {
            ticksUntilRound = config.roundIntervalTicks();
            startRound(underlyingMillis);
        }
    }

    /**
     * Handles a message from a peer server.
     *
     * @param source the sender's name
     * @param message the message
     * @param underlyingMillis the underlying reading on receipt
     */
    public void step(String source, BerkeleyMessage message, long underlyingMillis) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(message, "message");
        switch (message) {
            case TimeRequest request -> send(source, follower.onTimeRequest(request, underlyingMillis));
            case TimeReply reply -> onTimeReply(source, reply, underlyingMillis);
            case TimeAdjustment adjustment -> onTimeAdjustment(source, adjustment, underlyingMillis);
            case ClockRequest request ->
                send(source, new ClockReply(request.requestId(), clock.readTargetMillis(underlyingMillis)));
            case ClockReply reply -> onClockReply(source, reply, underlyingMillis);
        }
    }

    /**
     * Counts one chat message this server exchanged (sent or received); may emit a {@code clock}
     * request to the coordinator.
     *
     * @param underlyingMillis the underlying reading now
     */
    public void noteMessageExchanged(long underlyingMillis) {
        if (coordinator.isEmpty() || isCoordinator()) {
            return;
        }
        String target = coordinator.get();
        Optional<ClockRequest> request = follower.noteMessageExchanged(underlyingMillis);
        if (request.isPresent()) {
            clockRequestTarget = Optional.of(target);
            send(target, request.get());
        }
    }

    /** @return true if {@link #ready()} has something to do */
    public boolean hasReady() {
        return !messagesToSend.isEmpty() || !roundReports.isEmpty() || !corrections.isEmpty();
    }

    /**
     * Hands over everything the adapter must do and forgets it.
     *
     * @return messages, round reports and applied corrections since the last call
     */
    public BerkeleyReady ready() {
        BerkeleyReady ready = new BerkeleyReady(messagesToSend, roundReports, corrections);
        messagesToSend.clear();
        roundReports.clear();
        corrections.clear();
        return ready;
    }

    /** @return true if this server is the coordinator */
    public boolean isCoordinator() {
        return coordinator.isPresent() && coordinator.get().equals(selfName);
    }

    /** @return the coordinator as last told */
    public Optional<String> coordinator() {
        return coordinator;
    }

    /** @return the report of the last round this server closed as coordinator (for /status) */
    public Optional<BerkeleyRoundReport> lastRoundReport() {
        return lastRoundReport;
    }

    /** @return rounds aborted (coordinator change, or own clock adjusted during the round) */
    public long abortedRoundCount() {
        return abortedRoundCount;
    }

    /** @return corrections discarded as stale, too slow or out of range */
    public long rejectedCorrectionCount() {
        return follower.rejectedCorrectionCount();
    }

    /** @return this server's software clock */
    public SoftwareClock clock() {
        return clock;
    }

    private void startRound(long underlyingMillis) {
        long targetMillis = clock.readTargetMillis(underlyingMillis);
        List<Outbound<BerkeleyMessage>> polls =
                coordinatorRole.startRound(nextRoundId++, servers, targetMillis, clock.adjustmentCount());
        roundTicks = 0;
        if (polls.isEmpty()) {
            coordinatorRole.abortRound();
            return;
        }
        messagesToSend.addAll(polls);
    }

    private void closeRound(long underlyingMillis) {
        Optional<BerkeleyCoordinator.RoundOutcome> outcome = coordinatorRole.closeRound(clock.adjustmentCount());
        if (outcome.isEmpty()) {
            abortedRoundCount++;
            return;
        }
        BerkeleyCoordinator.RoundOutcome result = outcome.get();
        messagesToSend.addAll(result.adjustmentsToSend());
        long selfDeltaMillis = result.coordinatorDeltaMillis();
        if (selfDeltaMillis != 0) {
            if (clock.tryAdjust(underlyingMillis, selfDeltaMillis)) {
                corrections.add(new ClockCorrection(ClockCorrection.Method.BERKELEY, selfName, selfDeltaMillis, 0));
            }
        }
        roundReports.add(result.report());
        lastRoundReport = Optional.of(result.report());
    }

    private void onTimeReply(String source, TimeReply reply, long underlyingMillis) {
        if (!isCoordinator() || !coordinatorRole.isRoundOpen()) {
            return;
        }
        if (coordinatorRole.onTimeReply(source, reply, clock.readTargetMillis(underlyingMillis))
                && coordinatorRole.allAnswered()) {
            closeRound(underlyingMillis);
        }
    }

    private void onTimeAdjustment(String source, TimeAdjustment adjustment, long underlyingMillis) {
        boolean fromCoordinator = coordinator.isPresent() && coordinator.get().equals(source);
        if (fromCoordinator && !isCoordinator() && follower.onTimeAdjustment(adjustment, underlyingMillis)) {
            corrections.add(new ClockCorrection(ClockCorrection.Method.BERKELEY, source, adjustment.deltaMillis(), 0));
        }
    }

    private void onClockReply(String source, ClockReply reply, long underlyingMillis) {
        if (clockRequestTarget.isEmpty() || !clockRequestTarget.get().equals(source)) {
            return;
        }
        follower.onClockReply(source, reply, underlyingMillis).ifPresent(corrections::add);
    }

    private void send(String target, BerkeleyMessage message) {
        messagesToSend.add(new Outbound<>(target, message));
    }
}
