package io.synod.simulation;

/**
 * Knobs of one simulated run, all bounded.
 *
 * <p>Immutable; thread-safe.
 *
 * @param faultPhaseTimeMax simulated time units (about 0.1 ms each) during which faults are injected
 * @param livenessPhaseTimeMax time allowed after faults stop for every client to be served and every member to
 *     converge
 * @param eventsMax hard bound on processed events (a run exceeding it fails)
 * @param clients most concurrent clients (each run picks 1..clients), each with one outstanding request
 * @param faults inject crashes, partitions, clogging, loss and duplication
 * @param membershipChanges add learners and remove servers during the run
 * @param traceLinesMax lines kept in the trace ring buffer
 */
public record SimOptions(
        long faultPhaseTimeMax,
        long livenessPhaseTimeMax,
        long eventsMax,
        int clients,
        boolean faults,
        boolean membershipChanges,
        int traceLinesMax) {

    /** The options the test suite and {@code synod sim} use. */
    public static SimOptions defaults() {
        return new SimOptions(20_000, 40_000, 400_000, 6, true, true, 400);
    }

    /** A copy keeping {@code lines} trace lines (for replays: the trace never changes the run). */
    public SimOptions withTraceLinesMax(int lines) {
        return new SimOptions(
                faultPhaseTimeMax, livenessPhaseTimeMax, eventsMax, clients, faults, membershipChanges, lines);
    }

    /** A copy with another bound on processed events. */
    public SimOptions withEventsMax(long events) {
        return new SimOptions(
                faultPhaseTimeMax, livenessPhaseTimeMax, events, clients, faults, membershipChanges, traceLinesMax);
    }

    /** A copy with another fault phase length. */
    public SimOptions withFaultPhaseTimeMax(long time) {
        return new SimOptions(time, livenessPhaseTimeMax, eventsMax, clients, faults, membershipChanges, traceLinesMax);
    }
}
