package io.synod.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Typed, validating access to the {@code data} map of an envelope or a publication payload.
 * Every failure is a {@link ProtocolException} whose text names the field and the rule, so it can
 * be sent back to the client as is.
 */
public final class Fields {
    private final Map<String, Object> data;

    public Fields(Map<String, Object> data) {
        this.data = data;
    }

    public boolean has(String field) {
        return data.get(field) != null;
    }

    public Map<String, Object> asMap() {
        return data;
    }

    /** A required string of 1 to {@code charsMax} characters; see {@link #checkText}. */
    public String requireText(String field, int charsMax) {
        return checkText(field, requireString(field), charsMax);
    }

    public Optional<String> optionalText(String field, int charsMax) {
        return has(field) ? Optional.of(requireText(field, charsMax)) : Optional.empty();
    }

    /** A required name: 1 to {@code charsMax} characters, in NFC; see {@link Names}. */
    public String requireName(String field, int charsMax) {
        return Names.check(field, requireString(field), charsMax);
    }

    private String requireString(String field) {
        Object value = data.get(field);
        if (value == null) {
            throw new ProtocolException("missing field '" + field + "'");
        }
        if (!(value instanceof String text)) {
            throw new ProtocolException("field '" + field + "' must be a string, was " + typeName(value));
        }
        return text;
    }

    /** A string of at most {@code charsMax} characters that may be empty; empty when absent. */
    public String optionalString(String field, int charsMax) {
        if (!has(field)) {
            return "";
        }
        String text = requireString(field);
        return text.isEmpty() ? text : checkText(field, text, charsMax);
    }

    public Optional<String> optionalName(String field, int charsMax) {
        return has(field) ? Optional.of(requireName(field, charsMax)) : Optional.empty();
    }

    public long requireLong(String field) {
        Object value = data.get(field);
        if (value == null) {
            throw new ProtocolException("missing field '" + field + "'");
        }
        return toLong(field, value);
    }

    public long optionalLong(String field, long absent) {
        Object value = data.get(field);
        return value == null ? absent : toLong(field, value);
    }

    /**
     * An optional integer from 0 to {@link Limits#INTEGER_MAX} ({@code clock}, {@code request_id},
     * sequence numbers, indexes), or {@code absent} when the field is missing.
     */
    public long optionalWireInteger(String field, long absent) {
        Object value = data.get(field);
        if (value == null) {
            return absent;
        }
        long n = toLong(field, value);
        if (n < 0 || n > Limits.INTEGER_MAX) {
            throw new ProtocolException(
                    "field '" + field + "' must be an integer from 0 to " + Limits.INTEGER_MAX + ", was " + n);
        }
        return n;
    }

    /**
     * An informational timestamp in any form {@link Timestamps} reads, as float epoch seconds; empty
     * if absent or unreadable (never an error: the statement's {@code timestamp} only informs).
     */
    public Optional<Double> optionalTimestamp(String field) {
        OptionalDouble seconds = Timestamps.read(data.get(field));
        return seconds.isPresent() ? Optional.of(seconds.getAsDouble()) : Optional.empty();
    }

    public double requireDouble(String field) {
        Object value = data.get(field);
        if (value instanceof Double d) {
            return d;
        }
        if (value instanceof Long l) {
            return l;
        }
        throw new ProtocolException(
                value == null
                        ? "missing field '" + field + "'"
                        : "field '" + field + "' must be a number, was " + typeName(value));
    }

    /** A list of strings; non-string items are an error. */
    public List<String> requireStringList(String field) {
        Object value = data.get(field);
        if (!(value instanceof List<?> list)) {
            throw new ProtocolException(
                    value == null
                            ? "missing field '" + field + "'"
                            : "field '" + field + "' must be a list, was " + typeName(value));
        }
        List<String> out = new ArrayList<>(list.size());
        for (Object item : list) {
            if (!(item instanceof String s)) {
                throw new ProtocolException("field '" + field + "' must hold strings only");
            }
            out.add(s);
        }
        return out;
    }

    /** A list of maps (e.g. history items); non-map items are an error. */
    public List<Fields> requireMapList(String field) {
        Object value = data.get(field);
        if (!(value instanceof List<?> list)) {
            throw new ProtocolException(
                    value == null
                            ? "missing field '" + field + "'"
                            : "field '" + field + "' must be a list, was " + typeName(value));
        }
        List<Fields> out = new ArrayList<>(list.size());
        for (Object item : list) {
            if (!(item instanceof Map<?, ?> map)) {
                throw new ProtocolException("field '" + field + "' must hold maps only");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> typed = (Map<String, Object>) map;
            out.add(new Fields(typed));
        }
        return out;
    }

    private static long toLong(String field, Object value) {
        if (value instanceof Long l) {
            return l;
        }
        if (value instanceof Double d && d == Math.rint(d) && Math.abs(d) <= Limits.INTEGER_MAX) {
            return d.longValue();
        }
        throw new ProtocolException("field '" + field + "' must be an integer, was " + typeName(value));
    }

    /**
     * The rule for free text (message bodies): 1 to {@code charsMax} characters (Unicode code
     * points), no control characters except line breaks ({@code \n}, {@code \r}) and tabs, no
     * unpaired surrogates. Stored exactly as sent.
     */
    static String checkText(String field, String text, int charsMax) {
        if (text.isEmpty()) {
            throw new ProtocolException("field '" + field + "' must not be empty");
        }
        checkLength(field, text, charsMax);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c) && c != '\n' && c != '\r' && c != '\t') {
                throw new ProtocolException("field '" + field + "' contains a control character (U+"
                        + String.format(Locale.ROOT, "%04X", (int) c) + "); only line breaks and tabs are allowed");
            }
            if (Character.isSurrogate(c) && !validSurrogateAt(text, i)) {
                throw new ProtocolException("field '" + field + "' contains an unpaired surrogate");
            }
        }
        return text;
    }

    /** Refuses {@code text} if it has more than {@code charsMax} code points. */
    static void checkLength(String field, String text, int charsMax) {
        // code points, not UTF-16 units: an emoji is one character
        if (text.length() > charsMax) {
            int chars = text.codePointCount(0, text.length());
            if (chars > charsMax) {
                throw new ProtocolException(
                        "field '" + field + "' is " + chars + " characters, the limit is " + charsMax);
            }
        }
    }

    static boolean validSurrogateAt(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }

    public static String typeName(Object value) {
        return switch (value) {
            case String s -> "a string";
            case Long l -> "an integer";
            case Double d -> "a float";
            case Boolean b -> "a boolean";
            case byte[] b -> "binary";
            case List<?> l -> "a list";
            case Map<?, ?> m -> "a map";
            default -> value.getClass().getSimpleName();
        };
    }
}
