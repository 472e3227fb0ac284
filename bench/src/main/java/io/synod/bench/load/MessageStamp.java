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
