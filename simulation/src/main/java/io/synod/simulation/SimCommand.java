package io.synod.simulation;

import java.io.PrintStream;

/**
 * The command-line entry of the simulator ({@code synod sim}): runs many seeds and reports failing ones.
 *
 * <p>Usage: {@code --seeds N --start S [--fault-time T] [--steps EVENTS] [--trace-lines N] [--verbose]}. Prints every failing seed with its replay
 * hint and trace, a progress line about every 10%, and ends with exactly {@code N seeds, F failed}. Stateless.
 */
public final class SimCommand {
    private SimCommand() {}

    /** Runs the simulator; returns 0 only when no seed failed, 1 when some failed, 2 for bad arguments. */
    public static int run(String[] args, PrintStream out) {
        return run(args, out, ReplicaFactory.STANDARD);
    }

    /** As {@link #run(String[], PrintStream)} with replicas built by {@code factory} (tests inject bugs). */
    public static int run(String[] args, PrintStream out, ReplicaFactory factory) {
        long seeds = 100;
        long start = 0;
        SimOptions options = SimOptions.defaults();
        boolean verbose = false;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--seeds" -> seeds = Long.parseLong(args[++i]);
                    case "--start" -> start = Long.parseLong(args[++i]);
                    case "--fault-time" -> options = options.withFaultPhaseTimeMax(Long.parseLong(args[++i]));
                    case "--steps" -> options = options.withEventsMax(Long.parseLong(args[++i]));
                    case "--trace-lines" -> options = options.withTraceLinesMax(Integer.parseInt(args[++i]));
                    case "--verbose" -> verbose = true;
                    default -> throw new IllegalArgumentException("unknown argument " + args[i]);
                }
            }
        } catch (RuntimeException bad) {
            out.println(
                    "usage: sim --seeds N --start S [--fault-time T] [--steps EVENTS] [--trace-lines N] [--verbose]  ("
                            + bad.getMessage() + ")");
            return 2;
        }
        long failed = 0;
        long progressEvery = Math.max(1, seeds / 10);
        for (long i = 0; i < seeds; i++) {
            long seed = start + i;
            SimResult result = new Simulation(seed, options, factory).run();
            if (!result.ok()) {
                failed++;
                out.println("FAILED seed=" + seed + ": " + result.violation());
                out.println("  " + result.replayHint());
                if (verbose) {
                    out.print(result.trace());
                }
            }
            if ((i + 1) % progressEvery == 0 && i + 1 < seeds) {
                out.println("progress: " + (i + 1) + "/" + seeds + " seeds, " + failed + " failed");
                out.flush();
            }
        }
        out.println(seeds + " seeds, " + failed + " failed");
        return failed == 0 ? 0 : 1;
    }

    /** Runs {@link #run} on standard output and exits with its status. */
    public static void main(String[] args) {
        System.exit(run(args, System.out));
    }
}
