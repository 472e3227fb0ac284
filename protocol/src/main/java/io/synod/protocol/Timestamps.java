package io.synod.protocol;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * Timestamps as the course's clients send them: float epoch seconds, integer epoch seconds or
 * milliseconds, or ISO-8601 strings (with or without an offset; without one means UTC).
 * Synod always emits float epoch seconds.
 */
public final class Timestamps {
    /** Integers above this are epoch milliseconds (1e11 s is the year 5138). */
    private static final long SECONDS_MAX = 100_000_000_000L;

    private Timestamps() {}

    public static double toEpochSeconds(String field, Object value) {
        return switch (value) {
            case Double d -> finite(field, d);
            case Long l -> Math.abs(l) > SECONDS_MAX ? l / 1000.0 : (double) l;
            case String s -> parseIso(field, s);
            default ->
                throw new ProtocolException("field '" + field
                        + "' must be epoch seconds, epoch milliseconds or ISO-8601, was " + Fields.typeName(value));
        };
    }

    public static double fromEpochMillis(long epochMillis) {
        return epochMillis / 1000.0;
    }

    public static long toEpochMillis(double epochSeconds) {
        return Math.round(epochSeconds * 1000.0);
    }

    private static double finite(String field, double seconds) {
        if (Double.isNaN(seconds) || Double.isInfinite(seconds)) {
            throw new ProtocolException("field '" + field + "' must be a finite number");
        }
        return seconds;
    }

    private static double parseIso(String field, String text) {
        if (text.length() > 64) {
            throw new ProtocolException("field '" + field + "' is too long for a timestamp");
        }
        Instant instant;
        try {
            instant = OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException notOffset) {
            try {
                instant = Instant.parse(text);
            } catch (DateTimeParseException notInstant) {
                try {
                    instant = LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
                } catch (DateTimeParseException notLocal) {
                    throw new ProtocolException("field '" + field + "' is not an ISO-8601 timestamp: " + text);
                }
            }
        }
        return instant.getEpochSecond() + instant.getNano() / 1e9;
    }
}
