package io.synod.consensus;

/**
 * Always-on assertions for programmer errors and protocol invariants (unlike Java {@code assert}, never disabled).
 *
 * <p>Thread-safety: stateless, safe from any thread.
 */
public final class PaxosInvariants {
    private PaxosInvariants() {}

    /** Throws {@link IllegalStateException} with {@code message} when {@code condition} is false. */
    public static void check(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException("invariant violated: " + message);
        }
    }

    /** Throws {@link IllegalArgumentException} with {@code message} when {@code condition} is false. */
    public static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
