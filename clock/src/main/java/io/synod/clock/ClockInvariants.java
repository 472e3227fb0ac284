package io.synod.clock;

/**
 * Always-on invariant checks for the clock cores (Java {@code assert} is off by default, so it is
 * not used). A failed check is a programmer error: it throws {@link IllegalStateException} and the
 * owner of the state machine must treat the instance as broken.
 *
 * <p>Thread-safety: stateless, safe from any thread.
 */
final class ClockInvariants {

    private ClockInvariants() {}

    /**
     * Throws if {@code condition} is false.
     *
     * @param condition the invariant
     * @param message what was expected, as a full sentence
     */
    static void check(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException("invariant violated: " + message);
        }
    }

    /** Throws {@link IllegalArgumentException} if {@code condition} is false (bad caller input). */
    static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
