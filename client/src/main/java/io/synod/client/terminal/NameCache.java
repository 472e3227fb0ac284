package io.synod.client.terminal;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.LineReader;
import org.jline.reader.ParsedLine;

/**
 * The user and channel names known to the terminal, for tab completion; refreshed by the session
 * periodically and after the commands that list or create names. Also the JLine
 * {@link Completer}: commands first, then channels or users depending on the command.
 *
 * <p>Thread-safe (copy-on-write sets behind volatile fields).
 */
final class NameCache implements Completer {
    private static final Set<String> CHANNEL_COMMANDS = Set.of("/join", "/leave", "/switch", "/history", "/create");
    private static final Set<String> USER_COMMANDS = Set.of("/msg", "/dm", "/follow", "/unfollow", "/profile");

    private volatile Set<String> users = Set.of();
    private volatile Set<String> channels = Set.of();

    void setUsers(List<String> names) {
        users = Set.copyOf(new TreeSet<>(names));
    }

    void setChannels(List<String> names) {
        channels = Set.copyOf(new TreeSet<>(names));
    }

    void addChannel(String name) {
        Set<String> copy = new TreeSet<>(channels);
        copy.add(name);
        channels = Set.copyOf(copy);
    }

    Set<String> users() {
        return users;
    }

    Set<String> channels() {
        return channels;
    }

    /** The completions of the word at {@code wordIndex} after {@code command}. */
    List<String> complete(String command, int wordIndex) {
        if (wordIndex == 0) {
            return TerminalSession.COMMANDS;
        }
        if (wordIndex == 1 && CHANNEL_COMMANDS.contains(command)) {
            return List.copyOf(new TreeSet<>(channels));
        }
        if (wordIndex == 1 && USER_COMMANDS.contains(command)) {
            return List.copyOf(new TreeSet<>(users));
        }
        return List.of();
    }

    @Override
    public void complete(LineReader reader, ParsedLine line, List<Candidate> candidates) {
        String command = line.words().isEmpty() ? "" : line.words().get(0);
        for (String value : complete(command, line.wordIndex())) {
            candidates.add(new Candidate(value));
        }
    }
}
