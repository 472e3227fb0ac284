package io.synod.client.terminal;

/**
 * Makes text from the network safe to print on a terminal: anyone can post or publish anything, and a raw control
 * character (an escape sequence, a carriage return, a backspace) could rewrite what the user sees, clear the screen
 * or fake a line from someone else. Line breaks are kept (the caller indents them); every other C0 or C1 control
 * character, DEL, and the bidirectional overrides and isolates (which reorder what follows them on screen) are
 * shown as {@code \\uXXXX}.
 *
 * <p>Thread-safety: stateless.
 */
final class TerminalText {
    private TerminalText() {}

    /** {@code text} with its control characters written as {@code \\uXXXX} (line breaks and tabs kept). */
    static String safe(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean unsafe = c != '\n' && c != '\t' && (Character.isISOControl(c) || isBidiControl(c));
            if (unsafe && out == null) {
                out = new StringBuilder(text.length() + 8).append(text, 0, i);
            }
            if (out != null) {
                if (unsafe) {
                    out.append(String.format("\\u%04X", (int) c));
                } else {
                    out.append(c);
                }
            }
        }
        return out == null ? text : out.toString();
    }

    /** A text on indented terminal lines: line breaks ({@code \n}, {@code \r\n}, {@code \r}) start a new one. */
    static String lines(String text) {
        String normal = text == null ? "" : text.replace("\r\n", "\n").replace('\r', '\n');
        return safe(normal).replace("\n", "\n    ");
    }

    private static boolean isBidiControl(char c) {
        return (c >= '\u202A' && c <= '\u202E')
                || (c >= '\u2066' && c <= '\u2069')
                || c == '\u200E'
                || c == '\u200F'
                || c == '\u061C';
    }
}
