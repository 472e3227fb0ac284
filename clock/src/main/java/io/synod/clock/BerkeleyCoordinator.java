package io.synod.clock;

import io.synod.clock.BerkeleyMessage.TimeAdjustment;
import io.synod.clock.BerkeleyMessage.TimeReply;
import io.synod.clock.BerkeleyMessage.TimeRequest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The master side of one Berkeley round (Gusella and Zatti 1989, "The Accuracy of the Clock
 * Synchronization Achieved by TEMPO in Berkeley UNIX 4.3BSD", IEEE TSE 15(7): section II, the
 * master polls, estimates each slave's offset compensating half the round trip, computes a
 * fault-tolerant average and sends each slave its correction).
 *
 * <p>The round, as implemented:
 *
 * <ol>
 *   <li>{@link #startRound}: poll every server with the coordinator's send reading.
 *   <li>{@link #onTimeReply}: for each answer received at coordinator reading {@code r}, with round
 *       trip {@code rtt = r - send}, the server's offset is {@code reply + rtt/2 - r}.
 *   <li>{@link #closeRound}: measurements with {@code rtt > roundTripMaxMillis} are discarded (no
 *       correction either). Among the rest plus the coordinator itself (offset 0), the ones
 *       further than {@code outlierThresholdMillis} from the median offset are left out of the
 *       average. Every measured server, outliers included, is sent {@code average - offset}; the
 *       coordinator adjusts itself by {@code average}.
 * </ol>
 *
 * <p>All readings are target readings ({@link SoftwareClock#readTargetMillis}), which run at the
 * underlying rate, so slewing in progress does not bias the round trip or the offsets. If the
 * coordinator's own clock is adjusted while the round is open, the offsets no longer share one
 * reference and the round is aborted.
 *
 * <p>Thread-safety: <b>not thread-safe</b>; owned by the thread that owns the {@link
 * BerkeleySync}. Performs no I/O.
 *
 * <p>Call order: {@link #startRound}, any number of {@link #onTimeReply}, {@link #closeRound}; then
 * the next round.
 */
public final class BerkeleyCoordinator {

    /**
     * One server's measurement in a round.
     *
     * @param offsetMillis the server's clock minus the coordinator's, round-trip compensated
     * @param roundTripMillis the round-trip time
     * @param adjustmentCount the server's adjustment count when it answered
     */
    public record Measurement(long offsetMillis, long roundTripMillis, long adjustmentCount) {}

    /**
     * The result of a closed round.
     *
     * @param report what was measured and decided
     * @param adjustmentsToSend one correction per measured server with a non-zero correction
     * @param coordinatorDeltaMillis the coordinator's own correction
     */
    public record RoundOutcome(
            BerkeleyRoundReport report,
            List<Outbound<BerkeleyMessage>> adjustmentsToSend,
            long coordinatorDeltaMillis) {
        /** Copies the list. */
        public RoundOutcome {
            adjustmentsToSend = List.copyOf(adjustmentsToSend);
        }
    }

    private final BerkeleyConfig config;
    private final String selfName;
    private boolean roundOpen;
    private long roundId;
    private long coordinatorAdjustmentCountAtStart;
    private final Set<String> polledServers = new TreeSet<>();
    private final Map<String, Measurement> measurements = new TreeMap<>();

    /**
     * Creates a coordinator with no round open.
     *
     * @param config the limits
     * @param selfName the coordinator's own name
     */
    public BerkeleyCoordinator(BerkeleyConfig config, String selfName) {
        this.config = Objects.requireNonNull(config, "config");
        this.selfName = Objects.requireNonNull(selfName, "selfName");
    }

    /**
     * Opens a round and returns the polls to send.
     *
     * @param newRoundId the round number, larger than the previous one
     * @param servers the servers to poll (this server is skipped); at most {@code serversMax}
     * @param coordinatorTargetMillis the coordinator's target reading now
     * @param coordinatorAdjustmentCount the coordinator clock's adjustment count now
     * @return one {@link TimeRequest} per server
     */
    public List<Outbound<BerkeleyMessage>> startRound(
            long newRoundId,
            Collection<String> servers,
            long coordinatorTargetMillis,
            long coordinatorAdjustmentCount) {
        ClockInvariants.check(!roundOpen, "a round is already open");
        ClockInvariants.require(newRoundId > roundId, "round ids must increase");
        roundOpen = true;
        roundId = newRoundId;
        coordinatorAdjustmentCountAtStart = coordinatorAdjustmentCount;
        polledServers.clear();
        measurements.clear();
        List<Outbound<BerkeleyMessage>> polls = new ArrayList<>();
        for (String server : new TreeSet<>(servers)) {
            if (!server.equals(selfName) && polledServers.size() < config.serversMax()) {
                polledServers.add(server);
                polls.add(new Outbound<>(server, new TimeRequest(roundId, coordinatorTargetMillis)));
            }
        }
        return polls;
    }

    /**
     * Records one answer. Answers to another round, from servers not polled, or duplicates are
     * ignored.
     *
     * @param source the answering server
     * @param reply its answer
     * @param coordinatorTargetMillis the coordinator's target reading on receipt
     * @return true if the answer was recorded
     */
    public boolean onTimeReply(String source, TimeReply reply, long coordinatorTargetMillis) {
        if (!roundOpen || reply.roundId() != roundId || !polledServers.contains(source)) {
            return false;
        }
        if (measurements.containsKey(source)) {
            return false;
        }
        long roundTripMillis = coordinatorTargetMillis - reply.coordinatorSendMillis();
        long offsetMillis = halfUp(2 * (reply.followerClockMillis() - coordinatorTargetMillis) + roundTripMillis);
        measurements.put(source, new Measurement(offsetMillis, roundTripMillis, reply.followerAdjustmentCount()));
        return true;
    }

    /** @return true if every polled server has answered */
    public boolean allAnswered() {
        return roundOpen && measurements.size() == polledServers.size();
    }

    /** @return true between {@link #startRound} and {@link #closeRound} or {@link #abortRound} */
    public boolean isRoundOpen() {
        return roundOpen;
    }

    /** @return the current (or last) round number */
    public long roundId() {
        return roundId;
    }

    /** Closes the open round without result (for example when this server stops being coordinator). */
    public void abortRound() {
        roundOpen = false;
    }

    /**
     * Closes the round and computes the corrections.
     *
     * @param coordinatorAdjustmentCount the coordinator clock's adjustment count now
     * @return the outcome, or empty if the coordinator's clock was adjusted during the round
     */
    public Optional<RoundOutcome> closeRound(long coordinatorAdjustmentCount) {
        ClockInvariants.check(roundOpen, "no round is open");
        roundOpen = false;
        if (coordinatorAdjustmentCount != coordinatorAdjustmentCountAtStart) {
            return Optional.empty();
        }
        Set<String> silentServers = new TreeSet<>(polledServers);
        silentServers.removeAll(measurements.keySet());
        return Optional.of(computeRound(config, roundId, selfName, measurements, silentServers));
    }

    /**
     * The pure computation of a round: outlier rules, fault-tolerant average, corrections.
     *
     * @param config the limits
     * @param roundId the round number
     * @param coordinator the coordinator's name (its offset is 0 by definition)
     * @param measurementsByServer the answers received
     * @param silentServers the servers that did not answer
     * @return the outcome
     */
    public static RoundOutcome computeRound(
            BerkeleyConfig config,
            long roundId,
            String coordinator,
            Map<String, Measurement> measurementsByServer,
            Set<String> silentServers) {
        SortedMap<String, Long> offsetsMillis = new TreeMap<>();
        SortedMap<String, Long> roundTripsMillis = new TreeMap<>();
        Set<String> excluded = new TreeSet<>();
        offsetsMillis.put(coordinator, 0L);
        for (Map.Entry<String, Measurement> entry : measurementsByServer.entrySet()) {
            Measurement measurement = entry.getValue();
            roundTripsMillis.put(entry.getKey(), measurement.roundTripMillis());
            boolean roundTripValid =
                    measurement.roundTripMillis() >= 0 && measurement.roundTripMillis() <= config.roundTripMaxMillis();
            if (roundTripValid) {
                offsetsMillis.put(entry.getKey(), measurement.offsetMillis());
            } else {
                excluded.add(entry.getKey());
            }
        }
        long medianMillis = lowerMedian(offsetsMillis.values());
        long sumMillis = 0;
        int averagedCount = 0;
        for (Map.Entry<String, Long> entry : offsetsMillis.entrySet()) {
            if (Math.abs(entry.getValue() - medianMillis) <= config.outlierThresholdMillis()) {
                sumMillis += entry.getValue();
                averagedCount++;
            } else {
                excluded.add(entry.getKey());
            }
        }
        ClockInvariants.check(averagedCount >= 1, "the median itself is always averaged");
        long averageMillis = Math.round((double) sumMillis / averagedCount);
        List<Outbound<BerkeleyMessage>> adjustments =
                adjustments(roundId, coordinator, averageMillis, offsetsMillis, measurementsByServer);
        long spreadMillis =
                offsetsMillis.values().stream().mapToLong(Long::longValue).max().orElseThrow()
                        - offsetsMillis.values().stream()
                                .mapToLong(Long::longValue)
                                .min()
                                .orElseThrow();
        BerkeleyRoundReport report = new BerkeleyRoundReport(
                roundId,
                coordinator,
                offsetsMillis,
                roundTripsMillis,
                excluded,
                silentServers,
                averageMillis,
                spreadMillis);
        return new RoundOutcome(report, adjustments, averageMillis);
    }

    private static List<Outbound<BerkeleyMessage>> adjustments(
            long roundId,
            String coordinator,
            long averageMillis,
            Map<String, Long> offsetsMillis,
            Map<String, Measurement> measurementsByServer) {
        List<Outbound<BerkeleyMessage>> adjustments = new ArrayList<>();
        for (Map.Entry<String, Long> entry : offsetsMillis.entrySet()) {
            String server = entry.getKey();
            long deltaMillis = averageMillis - entry.getValue();
            if (!server.equals(coordinator) && deltaMillis != 0) {
                long adjustmentCount = measurementsByServer.get(server).adjustmentCount();
                adjustments.add(new Outbound<>(server, new TimeAdjustment(roundId, deltaMillis, adjustmentCount)));
            }
        }
        return adjustments;
    }

    private static long lowerMedian(Collection<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get((sorted.size() - 1) / 2);
    }

    /** Halves a value, rounding half up (towards positive infinity). */
    static long halfUp(long doubled) {
        return Math.floorDiv(doubled + 1, 2);
    }
}
