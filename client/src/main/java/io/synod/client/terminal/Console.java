package io.synod.client.terminal;

/**
 * Where the terminal client reads commands and prints lines. Two variants: {@link JLineConsole}
 * for an interactive terminal, {@link PlainConsole} for pipes and dumb terminals.
 *
 * <p>Thread-safety: {@link #readLine} is called by one thread (the session's); {@link #println}
 * may be called from any thread at any time, also while a line is being read, and never breaks
 * the line being typed.
 */
sealed interface Console extends AutoCloseable permits JLineConsole, PlainConsole {

    /** Reads one line; null at end of input or on Ctrl-C / Ctrl-D. */
    String readLine(String prompt);

    /** Prints a line above the input line. Thread-safe. */
    void println(String line);

    @Override
    void close();
}
