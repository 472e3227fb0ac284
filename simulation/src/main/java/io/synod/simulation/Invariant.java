package io.synod.simulation;

/** Simulator-internal assertions; a failure is a bug in the simulator or the driver contract. Stateless. */
final class Invariant {
    private Invariant() {}

    static void check(boolean condition, String message) {
        if (!condition) {
            throw new SimViolation("driver contract: " + message);
        }
    }
}
