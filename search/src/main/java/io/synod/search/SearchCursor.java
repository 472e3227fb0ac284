package io.synod.search;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * Where a page ended: the last hit's place in the search's total order (its points and its index), and a checksum
 * of the search it belongs to. A client sees an opaque string: Base64url, without padding, of the ASCII text
 * {@code 1.<n|b>.<points>.<index>.<check>} ({@code 1} the format, {@code n}/{@code b} the sort, {@code check} the
 * CRC-32 in hex of the asking user, the query's folded words, the sort and the filters).
 *
 * <p>The checksum is not a secret: it only turns a cursor used with another search (or mangled) into a clear
 * error instead of a surprising page. A forged cursor that passes it is just a position; the visibility filter
 * is part of every search, so no cursor can show a private message to a third user.
 */
record SearchCursor(SearchSort sort, int points, long index, long check) {
    /** A cursor is short (about 50 characters); anything longer is refused unread. */
    static final int CURSOR_CHARS_MAX = 128;

    private static final String FORMAT = "1";
    private static final Pattern DIGITS = Pattern.compile("0|[1-9][0-9]{0,18}");
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{1,8}");

    String encode() {
        String text = String.join(
                ".", FORMAT, letter(sort), Integer.toString(points), Long.toString(index), Long.toHexString(check));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * The cursor {@code text} names, if this index gave it for a search with {@code sort} and checksum
     * {@code check}.
     *
     * @throws SearchException naming {@code cursor} otherwise
     */
    static SearchCursor decode(String text, SearchSort sort, long check, int pointsMax) {
        if (text.length() > CURSOR_CHARS_MAX) {
            throw refused("is longer than " + CURSOR_CHARS_MAX + " characters");
        }
        String plain;
        try {
            plain = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.US_ASCII);
        } catch (IllegalArgumentException e) {
            throw refused("is not a cursor this server gave");
        }
        List<String> parts = List.of(plain.split("\\.", -1));
        if (parts.size() != 5
                || !parts.get(0).equals(FORMAT)
                || !DIGITS.matcher(parts.get(2)).matches()
                || !DIGITS.matcher(parts.get(3)).matches()
                || !HEX.matcher(parts.get(4)).matches()) {
            throw refused("is not a cursor this server gave");
        }
        if (!parts.get(1).equals(letter(sort)) || Long.parseLong(parts.get(4), 16) != check) {
            throw refused("belongs to another search: send the same query, sort and filters, or no cursor");
        }
        long points;
        long index;
        try {
            points = Long.parseLong(parts.get(2));
            index = Long.parseLong(parts.get(3));
        } catch (NumberFormatException e) {
            throw refused("is not a cursor this server gave");
        }
        if (points > pointsMax) {
            throw refused("is not a cursor this server gave");
        }
        return new SearchCursor(sort, (int) points, index, check);
    }

    /** The checksum of a search: everything that decides which documents match and in which order. */
    static long check(SearchQuery query, List<String> foldedWords) {
        CRC32 crc = new CRC32();
        StringBuilder canonical = new StringBuilder();
        for (String part : new String[] {
            query.sort().wireName(),
            query.user(),
            String.join(" ", foldedWords),
            query.kind() == null ? null : query.kind().wireName(),
            query.channel(),
            query.author()
        }) {
            // A length prefix keeps ("ab", "c") and ("a", "bc") apart; -1 marks an absent part.
            canonical.append(part == null ? -1 : part.length()).append(':');
            canonical.append(part == null ? "" : part);
        }
        crc.update(canonical.toString().getBytes(StandardCharsets.UTF_8));
        return crc.getValue();
    }

    private static String letter(SearchSort sort) {
        return sort == SearchSort.NEWEST ? "n" : "b";
    }

    private static SearchException refused(String rule) {
        return new SearchException("cursor", "field 'cursor' " + rule);
    }
}
