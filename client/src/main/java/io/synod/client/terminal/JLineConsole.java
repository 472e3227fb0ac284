package io.synod.client.terminal;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.jline.reader.Completer;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * An interactive console on JLine 3: line editing, history, tab completion, and
 * {@link LineReader#printAbove(String)} so that live messages appear above the input line
 * without disturbing what is being typed. Thread-safe printing (JLine synchronises it).
 */
final class JLineConsole implements Console {
    private final Terminal terminal;
    private final LineReader reader;

    private JLineConsole(Terminal terminal, Completer completer) {
        this.terminal = terminal;
        this.reader = LineReaderBuilder.builder()
                .appName("synod")
                .terminal(terminal)
                .completer(completer)
                .parser(new QuotingParser())
                .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
                .build();
    }

    /**
     * The system terminal as a console, or null if it is a dumb terminal (no cursor control, so
     * printing above the input line would not work: use a {@link PlainConsole}).
     */
    static JLineConsole openSystem(Completer completer) {
        try {
            Terminal terminal = TerminalBuilder.builder()
                    .name("synod")
                    .system(true)
                    .dumb(true)
                    .build();
            if (terminal.getType() == null || terminal.getType().startsWith(Terminal.TYPE_DUMB)) {
                terminal.close();
                return null;
            }
            return new JLineConsole(terminal, completer);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the terminal", e);
        }
    }

    @Override
    public String readLine(String prompt) {
        try {
            return reader.readLine(prompt);
        } catch (UserInterruptException | EndOfFileException e) {
            return null;
        }
    }

    @Override
    public void println(String line) {
        reader.printAbove(line);
    }

    @Override
    public void close() {
        try {
            terminal.close();
        } catch (IOException e) {
            // closing the terminal on exit: nothing to recover
        }
    }
}
