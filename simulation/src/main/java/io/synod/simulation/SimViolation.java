package io.synod.simulation;

/** Thrown by a checker when a safety or liveness property is violated. Unchecked; immutable. */
public final class SimViolation extends RuntimeException {
    /** A violation described by {@code message}. */
    public SimViolation(String message) {
        super(message);
    }
}
