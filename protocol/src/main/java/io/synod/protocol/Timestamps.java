package io.synod.protocol;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.TemporalAccessor;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.regex.Pattern;

/**
 * Timestamps in every form the course's processes send them, read as float epoch seconds. Synod
 * always emits float epoch seconds.
 *
 * <ul>
 *   <li>A number (integer or float), or a string holding one ({@code "1796558165.54"}): its
 *       magnitude tells the unit. Up to 10^11 it is seconds (10^11 s is the year 5138), up to
 *       10^14 milliseconds, up to 10^17 microseconds, beyond that nanoseconds.
 *   <li>An ISO-8601 date and time, with {@code T} or a space between them, seconds and a fraction
 *       of up to 9 digits optional, and an optional zone ({@code Z}, {@code +00:00}, {@code +0000}
 *       or {@code +00}); without a zone it is UTC ({@code "2026-12-06 11:56:05.123456"}, Python's
 *       {@code str(datetime.now())}). A date alone is its midnight UTC. RFC 1123 ({@code "Sun, 06
 *       Dec 2026 11:56:05 GMT"}) is read too.
 * </ul>
 *
 * <p>The result must lie between the epoch and 10^11 seconds (the year 5138): beyond it, the float
 * seconds Synod emits would read back as milliseconds, so a time Synod stores must stay below it.
 * Anything else (another
 * type, NaN, an infinity, a string of more than {@link #TEXT_CHARS_MAX} characters, a date out of
 * range) is unreadable: {@link #read} says so with an empty result, so that a request's
 * informational {@code timestamp} can be replaced instead of refused; {@link #toEpochSeconds}
 * refuses it, for fields whose value is used (a {@code clock} reply's {@code time}).
 */
public final class Timestamps {
    /** Numbers up to this are epoch seconds; above it, milliseconds. */
    private static final double SECONDS_MAX = 1e11;
    /** Numbers up to this are epoch milliseconds; above it, microseconds. */
    private static final double MILLIS_MAX = 1e14;
    /** Numbers up to this are epoch microseconds; above it, nanoseconds. */
    private static final double MICROS_MAX = 1e17;
    /**
     * The latest readable time: 10^11 s (5138-11-16), where numbers start to read as milliseconds, so every
     * time read, once emitted as float seconds, reads back the same (a fuzz finding: an ISO date in the year
     * 8598 came back as 1976).
     */
    private static final double EPOCH_SECONDS_MAX = SECONDS_MAX;
    /** Longest string read as a timestamp (an ISO-8601 one with nanoseconds and offset is 35). */
    static final int TEXT_CHARS_MAX = 64;

    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d{1,3})?");
    private static final DateTimeFormatter ISO = new DateTimeFormatterBuilder()
            .parseCaseInsensitive()
            .append(DateTimeFormatter.ISO_LOCAL_DATE)
            .optionalStart()
            .appendLiteral('T')
            .append(DateTimeFormatter.ISO_LOCAL_TIME)
            .optionalEnd()
            .optionalStart()
            .appendOffset("+HH:MM", "Z")
            .optionalEnd()
            .optionalStart()
            .appendOffset("+HHMM", "Z")
            .optionalEnd()
            .optionalStart()
            .appendOffset("+HH", "Z")
            .optionalEnd()
            .toFormatter(Locale.ROOT);

    private Timestamps() {}

    /** The time {@code value} stands for, in epoch seconds; empty if it is unreadable (see the class doc). */
    public static OptionalDouble read(Object value) {
        return switch (value) {
            case Long l -> fromNumber(l.doubleValue());
            case Double d -> fromNumber(d);
            case String s -> fromText(s.strip());
            case null, default -> OptionalDouble.empty();
        };
    }

    /**
     * The time {@code value} stands for, in epoch seconds.
     *
     * @throws ProtocolException naming {@code field} if it is unreadable
     */
    public static double toEpochSeconds(String field, Object value) {
        OptionalDouble seconds = read(value);
        if (seconds.isEmpty()) {
            throw new ProtocolException("field '" + field
                    + "' must be a time between 1970 and 5138 in epoch seconds, milliseconds, microseconds or"
                    + " nanoseconds, or ISO-8601; was " + (value == null ? "missing" : Fields.typeName(value)));
        }
        return seconds.getAsDouble();
    }

    public static double fromEpochMillis(long epochMillis) {
        return epochMillis / 1000.0;
    }

    public static long toEpochMillis(double epochSeconds) {
        return Math.round(epochSeconds * 1000.0);
    }

    private static OptionalDouble fromNumber(double number) {
        if (!Double.isFinite(number)) {
            return OptionalDouble.empty();
        }
        double magnitude = Math.abs(number);
        double seconds;
        if (magnitude <= SECONDS_MAX) {
            seconds = number;
        } else if (magnitude <= MILLIS_MAX) {
            seconds = number / 1e3;
        } else if (magnitude <= MICROS_MAX) {
            seconds = number / 1e6;
        } else {
            seconds = number / 1e9;
        }
        return inRange(seconds);
    }

    private static OptionalDouble fromText(String text) {
        if (text.isEmpty() || text.length() > TEXT_CHARS_MAX) {
            return OptionalDouble.empty();
        }
        if (NUMBER.matcher(text).matches()) {
            return fromNumber(Double.parseDouble(text));
        }
        // ISO-8601 allows only 'T' between date and time; Python's str() and SQL put a space there
        String iso =
                text.length() > 10 && text.charAt(10) == ' ' ? text.substring(0, 10) + 'T' + text.substring(11) : text;
        try {
            TemporalAccessor parsed = ISO.parseBest(iso, OffsetDateTime::from, LocalDateTime::from, LocalDate::from);
            Instant instant = switch (parsed) {
                case OffsetDateTime t -> t.toInstant();
                case LocalDateTime t -> t.toInstant(ZoneOffset.UTC);
                case LocalDate d -> d.atStartOfDay().toInstant(ZoneOffset.UTC);
                default -> null;
            };
            return instant == null ? OptionalDouble.empty() : inRange(seconds(instant));
        } catch (DateTimeException notIso) {
            try {
                return inRange(seconds(OffsetDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME)
                        .toInstant()));
            } catch (DateTimeException notRfc1123) {
                return OptionalDouble.empty();
            }
        }
    }

    private static double seconds(Instant instant) {
        return instant.getEpochSecond() + instant.getNano() / 1e9;
    }

    private static OptionalDouble inRange(double seconds) {
        return seconds >= 0 && seconds <= EPOCH_SECONDS_MAX ? OptionalDouble.of(seconds) : OptionalDouble.empty();
    }
}
