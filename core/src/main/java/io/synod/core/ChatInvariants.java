package io.synod.core;

/**
 * Always-on invariant checks for the core (Java {@code assert} is off by default). A failed check
 * is a programmer error: it throws {@link IllegalStateException} and the state machine must be
 * treated as broken.
 *
 * <p>Thread-safety: stateless.
 */
final class ChatInvariants {
    private ChatInvariants() {}

    /** Throws {@link IllegalStateException} if {@code condition} is false. */
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

    /** Requires a name usable in ordered keys: non-empty, no NUL (the key separator). */
    static String requireKeyName(String field, String name) {
        require(name != null, field + " must not be null");
        require(!name.isEmpty(), field + " must not be empty");
        require(name.indexOf('\0') < 0, field + " must not contain NUL");
        return name;
    }
}
