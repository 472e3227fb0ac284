package io.synod.client.terminal;

/**
 * How the terminal client reads the names in a command line. Names may hold spaces ({@code Ana
 * Maria}, {@code minha sala}), so a name argument is either
 *
 * <ul>
 *   <li>quoted, with {@code "} or {@code '}: everything up to the matching quote, taken as is (no
 *       escapes; a name holding a {@code "} is quoted with {@code '} and the other way round), or
 *   <li>bare: for a command whose only argument is a name ({@code /join minha sala}), the rest of
 *       the line; for {@code /msg USER TEXT}, the first word, the text being the rest.
 * </ul>
 *
 * <p>Only the line's edges are trimmed: the text of {@code /msg} is sent as typed. Tab completion
 * inserts names in the same form ({@link #quote}).
 *
 * <p>Thread-safety: stateless.
 */
final class CommandArguments {
    private CommandArguments() {}

    /** A command line split into its command word, a first argument and what follows it. */
    record Split(String command, String first, String rest) {}

    /**
     * Splits {@code line} (stripped, starting with the command) into the command, the name, and
     * the rest of the line (null when there is none).
     *
     * @param nameThenText true for a name followed by free text ({@code /msg USER TEXT}); false for
     *     a command whose only argument is a name
     * @throws IllegalArgumentException for a quote that is not closed, or anything after a quoted
     *     name where nothing may follow
     */
    static Split split(String line, boolean nameThenText) {
        int end = wordEnd(line, 0);
        String command = line.substring(0, end);
        int start = skipSpaces(line, end);
        if (start == line.length()) {
            return new Split(command, null, null);
        }
        char open = line.charAt(start);
        String name;
        int after;
        if (open == '"' || open == '\'') {
            int close = line.indexOf(open, start + 1);
            if (close < 0) {
                throw new IllegalArgumentException("the name starting at " + open + " has no closing " + open);
            }
            name = line.substring(start + 1, close);
            after = close + 1;
            if (after < line.length() && !Character.isWhitespace(line.charAt(after))) {
                throw new IllegalArgumentException("put a space after the closing " + open + " of a quoted name");
            }
        } else if (nameThenText) {
            after = wordEnd(line, start);
            name = line.substring(start, after);
        } else {
            name = line.substring(start).strip();
            after = line.length();
        }
        String rest = line.substring(skipSpaces(line, after));
        if (!nameThenText && !rest.isEmpty()) {
            throw new IllegalArgumentException("nothing may follow the quoted name " + open + name + open);
        }
        return new Split(command, name, rest.isEmpty() ? null : rest);
    }

    /**
     * A name as it must be typed: bare when that reads back the same, else quoted (with {@code "},
     * or {@code '} if it holds a {@code "}).
     *
     * @param complete false to leave the quote open (a common prefix of several names)
     */
    static String quote(String name, boolean complete) {
        boolean bare = !name.isEmpty()
                && name.charAt(0) != '"'
                && name.charAt(0) != '\''
                && name.codePoints().noneMatch(Character::isWhitespace);
        if (bare) {
            return name;
        }
        char quote = name.indexOf('"') >= 0 ? '\'' : '"';
        return quote + name + (complete ? String.valueOf(quote) : "");
    }

    /** The user name typed at the login prompt: the whole line, without its quotes if it is quoted. */
    static String unquoteWhole(String line) {
        String name = line.strip();
        if (name.length() >= 2
                && (name.charAt(0) == '"' || name.charAt(0) == '\'')
                && name.charAt(name.length() - 1) == name.charAt(0)) {
            return name.substring(1, name.length() - 1);
        }
        return name;
    }

    private static int wordEnd(String line, int from) {
        int i = from;
        while (i < line.length() && !Character.isWhitespace(line.charAt(i))) {
            i++;
        }
        return i;
    }

    private static int skipSpaces(String line, int from) {
        int i = from;
        while (i < line.length() && Character.isWhitespace(line.charAt(i))) {
            i++;
        }
        return i;
    }
}
