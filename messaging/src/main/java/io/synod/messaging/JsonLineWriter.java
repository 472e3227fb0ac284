package io.synod.messaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Encodes interaction-log lines as JSON straight into a caller's {@link StringBuilder}: no map per line, no
 * serializer look-up per value. Jackson building and encoding a map per line was four fifths of the log writer's
 * samples, and the writer a fifth of the leader's, with 64 clients (docs/performance.md). The text is exactly what
 * Jackson 2 with its defaults wrote, so {@code synod logs}, {@code /logs} and every reader of the files see what
 * they saw before.
 *
 * <p>The rules (Jackson's): strings are quoted, with {@code \"}, {@code \\}, {@code \b \t \n \f \r}, and
 * backslash-u-00XX (upper-case hex) for the other characters below U+0020; every other character as it is (U+007F,
 * U+2028, U+2029, non-ASCII, and a surrogate without its pair: the file's UTF-8 encoder writes that one as {@code ?}).
 * Longs, ints, shorts and bytes in decimal; doubles and floats as {@link Double#toString} and {@link
 * Float#toString} write them (the shortest text that parses back to the same value), except NaN and the infinities,
 * which are the strings {@code "NaN"}, {@code "Infinity"} and {@code "-Infinity"}; booleans and null as literals;
 * {@code byte[]} as a base64 string (standard alphabet, padded); lists as arrays; maps with string keys as objects,
 * in their iteration order, null values included. Any other value (a set, an enum, a map with other keys...) is
 * written by Jackson itself. Objects and arrays nest at most {@link #NESTING_DEPTH_MAX} deep, the line's own object
 * included, as Jackson allowed; a deeper line (or a map that contains itself) is refused, as Jackson refused it.
 *
 * <p>Thread-safe: stateless.
 */
final class JsonLineWriter {
    /** Deepest nesting of objects and arrays in a line: Jackson's default {@code StreamWriteConstraints}. */
    static final int NESTING_DEPTH_MAX = 1_000;

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();
    /** What follows the backslash for the characters below U+0020 that have a short escape; 'u' for the others. */
    private static final char[] CONTROL_ESCAPES = new char[0x20];

    static {
        java.util.Arrays.fill(CONTROL_ESCAPES, 'u');
        CONTROL_ESCAPES['\b'] = 'b';
        CONTROL_ESCAPES['\t'] = 't';
        CONTROL_ESCAPES['\n'] = 'n';
        CONTROL_ESCAPES['\f'] = 'f';
        CONTROL_ESCAPES['\r'] = 'r';
    }

    private JsonLineWriter() {}

    /**
     * Appends one line (no line break): {@code {"ts":..,"clock":..,"process":..,"dir":..,"kind":..[,"peer":..],
     * "data":{..}}}, with the values of {@code hidden} fields at the top of {@code data} replaced by {@code
     * "<hidden>"}.
     *
     * @throws IllegalArgumentException if a value cannot be written (nested too deep, refused by Jackson); {@code
     *     out} then holds part of the line: the caller cuts it back
     */
    static void appendLine(
            StringBuilder out,
            double ts,
            long clock,
            String process,
            String dir,
            String kind,
            String peer,
            Map<String, ?> data,
            Set<String> hidden) {
        out.append("{\"ts\":");
        appendDouble(out, ts);
        out.append(",\"clock\":").append(clock);
        out.append(",\"process\":");
        appendNullableString(out, process);
        out.append(",\"dir\":");
        appendNullableString(out, dir);
        out.append(",\"kind\":");
        appendNullableString(out, kind);
        if (peer != null) {
            out.append(",\"peer\":");
            appendString(out, peer);
        }
        out.append(",\"data\":");
        appendMap(out, data, hidden, 2);
        out.append('}');
    }

    /**
     * Appends {@code value} (any type: see the class comment) nested {@code depth} deep (1 = the line itself); the
     * types tested in the order values come most often (a tenth faster per line than a pattern switch).
     */
    static void appendValue(StringBuilder out, Object value, int depth) {
        if (value instanceof String s) {
            appendString(out, s);
        } else if (value instanceof Long l) {
            out.append(l.longValue());
        } else if (value instanceof Double d) {
            appendDouble(out, d);
        } else if (value instanceof Map<?, ?> map) {
            appendMap(out, map, Set.of(), depth);
        } else if (value instanceof List<?> list) {
            appendList(out, list, depth);
        } else if (value == null) {
            out.append("null");
        } else if (value instanceof Boolean b) {
            out.append(b.booleanValue());
        } else if (value instanceof Integer i) {
            out.append(i.intValue());
        } else if (value instanceof Float f) {
            appendFloat(out, f);
        } else if (value instanceof Short s) {
            out.append(s.intValue());
        } else if (value instanceof Byte b) {
            out.append(b.intValue());
        } else if (value instanceof byte[] bytes) {
            out.append('"').append(Base64.getEncoder().encodeToString(bytes)).append('"');
        } else {
            appendWithJackson(out, value);
        }
    }

    /** Appends {@code s} quoted and escaped (see the class comment). */
    static void appendString(StringBuilder out, String s) {
        out.append('"');
        int length = s.length();
        int plain = 0; // start of the run of characters written as they are
        for (int i = 0; i < length; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\') {
                continue;
            }
            out.append(s, plain, i);
            plain = i + 1;
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (CONTROL_ESCAPES[c] != 'u') {
                out.append('\\').append(CONTROL_ESCAPES[c]);
            } else {
                out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
            }
        }
        out.append(s, plain, length);
        out.append('"');
    }

    private static void appendNullableString(StringBuilder out, String s) {
        if (s == null) {
            out.append("null");
        } else {
            appendString(out, s);
        }
    }

    private static void appendDouble(StringBuilder out, double d) {
        if (Double.isFinite(d)) {
            out.append(d);
        } else {
            out.append('"').append(d).append('"');
        }
    }

    private static void appendFloat(StringBuilder out, float f) {
        if (Float.isFinite(f)) {
            out.append(f);
        } else {
            out.append('"').append(f).append('"');
        }
    }

    private static void appendList(StringBuilder out, List<?> list, int depth) {
        checkDepth(depth);
        out.append('[');
        boolean first = true;
        for (Object item : list) {
            if (!first) {
                out.append(',');
            }
            first = false;
            appendValue(out, item, depth + 1);
        }
        out.append(']');
    }

    /** A map with string keys as an object; any other map (found at its first other key) is Jackson's. */
    private static void appendMap(StringBuilder out, Map<?, ?> map, Set<String> hidden, int depth) {
        checkDepth(depth);
        int start = out.length();
        out.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            if (!(entry.getKey() instanceof String key)) {
                out.setLength(start);
                appendWithJackson(out, hidden.isEmpty() ? map : InteractionLog.withSecretsHidden(cast(map)));
                return;
            }
            if (!first) {
                out.append(',');
            }
            first = false;
            appendString(out, key);
            out.append(':');
            if (hidden.contains(key)) {
                out.append("\"<hidden>\"");
            } else {
                appendValue(out, entry.getValue(), depth + 1);
            }
        }
        out.append('}');
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Map<?, ?> map) {
        return (Map<String, Object>) map;
    }

    private static void checkDepth(int depth) {
        if (depth > NESTING_DEPTH_MAX) {
            throw new IllegalArgumentException("nesting deeper than " + NESTING_DEPTH_MAX);
        }
    }

    private static void appendWithJackson(StringBuilder out, Object value) {
        try {
            out.append(Jackson.MAPPER.writeValueAsString(value));
        } catch (JsonProcessingException | RuntimeException e) {
            throw new IllegalArgumentException(
                    "cannot write a " + value.getClass().getName() + " as JSON", e);
        }
    }

    /** Created on first use: most processes never log a value only Jackson writes. */
    private static final class Jackson {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }
}
