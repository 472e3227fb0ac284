package io.synod.simulation;

/**
 * Outcome of one simulated run: {@code violation} is null when every check passed.
 *
 * <p>Immutable; thread-safe.
 */
public record SimResult(long seed, String violation, String trace, long events, long decidedSlots, long acks) {
    /** True when no check failed. */
    public boolean ok() {
        return violation == null;
    }

    /** The command that replays this run. */
    public String replayHint() {
        return "replay: ./mvnw -pl simulation test -Dtest=SimulationTest -Dsim.seed=" + seed
                + "   (or: synod sim --seeds 1 --start " + seed + ")";
    }
}
