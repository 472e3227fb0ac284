package io.synod.protocol;

/**
 * The rule for user, channel and server names. A name is used as a ZeroMQ topic and shown in
 * terminals, so it must be printable: 1 to {@link Limits#nameCharsMax()} characters, no
 * whitespace or control characters, no leading {@code #} or {@code /} (the terminal client's
 * command prefixes). Letters of every script are welcome.
 */
public final class Names {
    private Names() {}

    /** Returns {@code name} if it is valid, else throws a {@link ProtocolException} naming {@code field}. */
    public static String check(String field, String name, int charsMax) {
        Fields.checkText(field, name, charsMax);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isWhitespace(c) || Character.isSpaceChar(c) || Character.isISOControl(c)) {
                throw new ProtocolException("field '" + field + "' must not contain spaces or control characters");
            }
            if (Character.isSurrogate(c) && !validSurrogateAt(name, i)) {
                throw new ProtocolException("field '" + field + "' contains an unpaired surrogate");
            }
        }
        char first = name.charAt(0);
        if (first == '/' || first == '#') {
            throw new ProtocolException("field '" + field + "' must not start with '/' or '#'");
        }
        return name;
    }

    public static boolean isValid(String name, int charsMax) {
        try {
            check("name", name, charsMax);
            return true;
        } catch (ProtocolException e) {
            return false;
        }
    }

    private static boolean validSurrogateAt(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }
}
