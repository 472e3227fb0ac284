package io.synod.simulation;

import java.io.PrintStream;

/**
 * A bounded ring buffer of one-line events stamped with simulated time, printed when a run fails.
 *
 * <p>Not thread-safe: owned by one {@link Simulation}.
 */
public final class SimTrace {
    private final String[] lines;
    private long written;

    /** A trace keeping the last {@code linesMax} lines. */
    public SimTrace(int linesMax) {
        this.lines = new String[linesMax];
    }

    /** Records one event at simulated time {@code time}. */
    public void add(long time, String event) {
        lines[(int) (written % lines.length)] = String.format("%9d %s", time, event);
        written++;
    }

    /** Prints the retained lines, oldest first. */
    public void print(PrintStream out) {
        long first = Math.max(0, written - lines.length);
        if (first > 0) {
            out.println("... " + first + " earlier events dropped");
        }
        for (long i = first; i < written; i++) {
            out.println(lines[(int) (i % lines.length)]);
        }
    }

    /** The retained lines joined by newlines. */
    public String text() {
        StringBuilder text = new StringBuilder();
        long first = Math.max(0, written - lines.length);
        for (long i = first; i < written; i++) {
            text.append(lines[(int) (i % lines.length)]).append('\n');
        }
        return text.toString();
    }
}
