package io.synod.bench.load;

/**
 * The send time a bench message text starts with: {@code t<System.nanoTime()>;}. Only meaningful
 * inside the process that sent it (the same monotonic clock). Stateless and thread-safe.
 */
final class MessageStamp {
    private MessageStamp() {}

    static String prefix(long sentNanos) {
        return "t" + sentNanos + ";";
    }

    /** As {@link #sentNanos(String)}, of the UTF-8 text in {@code bytes[from, to)}, without making a string. */
    static long sentNanos(byte[] bytes, int from, int to) {
        if (to - from < 3 || bytes[from] != 't') {
            return Long.MIN_VALUE;
        }
        boolean negative = bytes[from + 1] == '-';
        int digits = from + (negative ? 2 : 1);
        long value = 0;
        for (int i = digits; i < to && i <= from + 21; i++) {
            byte b = bytes[i];
            if (b == ';') {
                return i == digits ? Long.MIN_VALUE : negative ? -value : value;
            }
            if (b < '0' || b > '9' || value > (Long.MAX_VALUE - 9) / 10) {
                return Long.MIN_VALUE;
            }
            value = value * 10 + (b - '0');
        }
        return Long.MIN_VALUE;
    }

    /** The send time at the start of {@code text}, or {@code Long.MIN_VALUE} if it carries none. */
    static long sentNanos(String text) {
        if (text == null || text.length() < 3 || text.charAt(0) != 't') {
            return Long.MIN_VALUE;
        }
        int end = text.indexOf(';');
        if (end < 2 || end > 21) {
            return Long.MIN_VALUE;
        }
        try {
            return Long.parseLong(text, 1, end, 10);
        } catch (NumberFormatException e) {
            return Long.MIN_VALUE;
        }
    }
}
