package io.synod.protocol;

import java.text.Normalizer;
import java.util.Locale;

/**
 * The rule for user, channel and server names. The statement sets none, so a name is any printable
 * Unicode text: spaces inside, {@code #}, {@code /} and every script are welcome ({@code Ana
 * Maria}, {@code minha sala}, {@code #geral}). What is refused is what a name cannot carry as a
 * ZeroMQ topic shown on a terminal line, or what would make two names look the same:
 *
 * <ul>
 *   <li>an empty name, or one of more than {@link Limits#nameCharsMax()} characters (code points,
 *       counted after normalisation);
 *   <li>control characters (tab, line breaks, DEL, C1) and the Unicode line and paragraph
 *       separators (U+2028, U+2029);
 *   <li>invisible formatting characters (Unicode category Cf: zero-width space, bidirectional
 *       overrides, soft hyphen, byte-order mark...), except the zero-width non-joiner and joiner
 *       (U+200C, U+200D; needed inside words of several scripts and in emoji sequences) and the
 *       tag characters U+E0020 to U+E007F (subdivision flags);
 *   <li>leading or trailing whitespace (so {@code "ana"} and {@code "ana "} are never two users);
 *   <li>unpaired surrogates.
 * </ul>
 *
 * <p>Names are normalised to NFC (canonical composition) before the checks, and the normalised
 * name is the one used and stored: a name typed as {@code e} + combining acute and one typed as
 * {@code é} are the same user. A name already in NFC, as keyboards, Python, JavaScript and Java
 * produce it, is stored exactly as sent, so its publications go to the very topic bytes its client
 * subscribed to; a client that sends a decomposed name must subscribe to its NFC form (Synod's
 * client does).
 */
public final class Names {
    /** Zero-width non-joiner: a format character that scripts such as Persian need inside words. */
    private static final int ZERO_WIDTH_NON_JOINER = 0x200C;
    /** Zero-width joiner: Indic scripts and emoji sequences need it. */
    private static final int ZERO_WIDTH_JOINER = 0x200D;
    /** First and last tag character (subdivision flags such as Scotland's). */
    private static final int TAG_FIRST = 0xE0020;

    private static final int TAG_LAST = 0xE007F;

    private Names() {}

    /**
     * Returns {@code name} in NFC if it is valid.
     *
     * @throws ProtocolException naming {@code field} and the rule it breaks
     */
    public static String check(String field, String name, int charsMax) {
        for (int i = 0; i < name.length(); i++) {
            if (Character.isSurrogate(name.charAt(i)) && !Fields.validSurrogateAt(name, i)) {
                throw new ProtocolException("field '" + field + "' contains an unpaired surrogate");
            }
        }
        String normalized = normalize(name);
        if (normalized.isEmpty()) {
            throw new ProtocolException("field '" + field + "' must not be empty");
        }
        Fields.checkLength(field, normalized, charsMax);
        for (int i = 0; i < normalized.length(); ) {
            int c = normalized.codePointAt(i);
            int type = Character.getType(c);
            if (type == Character.CONTROL
                    || type == Character.LINE_SEPARATOR
                    || type == Character.PARAGRAPH_SEPARATOR) {
                throw new ProtocolException("field '" + field + "' must not contain control characters or line breaks"
                        + " (found " + codePoint(c) + ")");
            }
            if (type == Character.FORMAT && !allowedFormat(c)) {
                throw new ProtocolException("field '" + field + "' must not contain invisible formatting characters"
                        + " (found " + codePoint(c) + ")");
            }
            i += Character.charCount(c);
        }
        if (isSpace(normalized.codePointAt(0)) || isSpace(normalized.codePointBefore(normalized.length()))) {
            throw new ProtocolException("field '" + field + "' must not start or end with a space");
        }
        return normalized;
    }

    public static boolean isValid(String name, int charsMax) {
        try {
            check("name", name, charsMax);
            return true;
        } catch (ProtocolException e) {
            return false;
        }
    }

    /** {@code name} in NFC, the form names are compared, stored and published in. */
    public static String normalize(String name) {
        return Normalizer.isNormalized(name, Normalizer.Form.NFC)
                ? name
                : Normalizer.normalize(name, Normalizer.Form.NFC);
    }

    private static boolean allowedFormat(int c) {
        return c == ZERO_WIDTH_NON_JOINER || c == ZERO_WIDTH_JOINER || (c >= TAG_FIRST && c <= TAG_LAST);
    }

    private static boolean isSpace(int c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c);
    }

    private static String codePoint(int c) {
        return String.format(Locale.ROOT, "U+%04X", c);
    }
}
