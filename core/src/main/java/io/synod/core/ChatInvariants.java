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

    /**
     * {@link #check(boolean, String)} whose message ends with {@code value}. The message is built only if the check
     * fails: these checks run for every applied command, and concatenating their messages up front was about 2 % of a
     * server's loop (JFR, docs/performance.md).
     */
    static void check(boolean condition, String message, long value) {
        if (!condition) {
            throw new IllegalStateException("invariant violated: " + message + value);
        }
    }

    /** Throws {@link IllegalArgumentException} if {@code condition} is false (bad caller input). */
    static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }

    /** {@link #require(boolean, String)} whose message ends with {@code value}, built only if it fails. */
    static void require(boolean condition, String message, long value) {
        if (!condition) {
            throw new IllegalArgumentException(message + value);
        }
    }

    /** {@link #require(boolean, String)} with the message {@code before + first + between + second}, built on failure. */
    static void require(boolean condition, String before, long first, String between, long second) {
        if (!condition) {
            throw new IllegalArgumentException(before + first + between + second);
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
