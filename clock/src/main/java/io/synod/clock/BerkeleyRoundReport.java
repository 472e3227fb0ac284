package io.synod.clock;

import java.util.Collections;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The outcome of one Berkeley round, for logs and {@code /status}.
 *
 * <p>Thread-safety: immutable (the collections are sorted copies).
 *
 * @param roundId the round number
 * @param coordinator the coordinator's name
 * @param offsetsMillis every measured server's clock minus the coordinator's, round-trip
 *     compensated (the coordinator itself is 0)
 * @param roundTripsMillis the measured round-trip time per polled server that answered
 * @param excludedFromAverage servers measured but left out of the average (too far from the
 *     median, or round trip above the limit; the latter also get no correction)
 * @param silentServers servers polled that did not answer in time
 * @param averageOffsetMillis the fault-tolerant average offset everybody is moved to
 * @param spreadMillis max minus min of {@code offsetsMillis}: how far apart the clocks were
 */
public record BerkeleyRoundReport(
        long roundId,
        String coordinator,
        SortedMap<String, Long> offsetsMillis,
        SortedMap<String, Long> roundTripsMillis,
        Set<String> excludedFromAverage,
        Set<String> silentServers,
        long averageOffsetMillis,
        long spreadMillis) {

    /** Copies and sorts the collections. */
    public BerkeleyRoundReport {
        offsetsMillis = Collections.unmodifiableSortedMap(new TreeMap<>(offsetsMillis));
        roundTripsMillis = Collections.unmodifiableSortedMap(new TreeMap<>(roundTripsMillis));
        excludedFromAverage = Collections.unmodifiableSet(new TreeSet<>(excludedFromAverage));
        silentServers = Collections.unmodifiableSet(new TreeSet<>(silentServers));
        ClockInvariants.require(spreadMillis >= 0, "spreadMillis must be >= 0");
    }
}
