package io.synod.bench.load;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the bench's durations: a positive number with a unit, {@code ms}, {@code s}, {@code m} or
 * {@code h} ({@code 500ms}, {@code 2s}, {@code 1.5s}, {@code 1m}); a bare number means seconds.
 * Stateless and thread-safe.
 */
public final class BenchDurations {
    private static final Pattern FORM = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)?");

    private BenchDurations() {}

    /**
     * The duration {@code text} names.
     *
     * @throws IllegalArgumentException with a message naming the accepted forms
     */
    public static Duration parse(String text) {
        String trimmed = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        Matcher matcher = FORM.matcher(trimmed);
        if (!matcher.matches()) {
            throw new IllegalArgumentException(
                    "'" + text + "' is not a duration; use a number with ms, s, m or h, e.g. 500ms, 10s, 1m");
        }
        double amount = Double.parseDouble(matcher.group(1));
        String unit = matcher.group(2) == null ? "s" : matcher.group(2);
        double millis = switch (unit) {
            case "ms" -> amount;
            case "s" -> amount * 1_000;
            case "m" -> amount * 60_000;
            default -> amount * 3_600_000;
        };
        if (millis > Duration.ofDays(1).toMillis()) {
            throw new IllegalArgumentException("'" + text + "' is longer than a day");
        }
        return Duration.ofNanos(Math.round(millis * 1_000_000));
    }

    /** A short form for humans: {@code 500ms}, {@code 2s}, {@code 1.5s}, {@code 90s}. */
    public static String format(Duration duration) {
        long millis = duration.toMillis();
        if (millis < 1_000) {
            return millis + "ms";
        }
        if (millis % 1_000 == 0) {
            return millis / 1_000 + "s";
        }
        return String.format(Locale.ROOT, "%.3fs", millis / 1_000.0).replaceAll("0+s$", "s");
    }
}
