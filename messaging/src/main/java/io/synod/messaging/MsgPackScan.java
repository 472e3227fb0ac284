package io.synod.messaging;

/**
 * Reading a few fields of a MessagePack value without decoding it: values are skipped by their length, so a
 * reader that wants one top-level key of a map (the proxy's {@code seq}, a bench subscriber's {@code seq},
 * {@code clock} and {@code message}) pays for a scan, not for a map of strings. Every method is bounded by the
 * bytes' length whatever sizes they claim, and never throws on malformed input.
 *
 * <p>Stateless and thread-safe.
 */
public final class MsgPackScan {
    /** Returned by {@link #integerAt} when the value is not an integer in the signed 64-bit range. */
    public static final long NOT_AN_INTEGER = Long.MIN_VALUE;

    private MsgPackScan() {}

    /**
     * The position of the first key of the map {@code b} starts with, and its pair count, as {@code pairs << 32 |
     * position}; -1 if {@code b} is not a map (or ends inside its header).
     */
    public static long mapHeader(byte[] b) {
        if (b.length == 0) {
            return -1;
        }
        int type = b[0] & 0xFF;
        long pairs;
        int pos;
        if (type >= 0x80 && type <= 0x8F) {
            pairs = type & 0x0F;
            pos = 1;
        } else if (type == 0xDE) {
            pairs = unsigned(b, 1, 2);
            pos = 3;
        } else if (type == 0xDF) {
            pairs = unsigned(b, 1, 4);
            pos = 5;
        } else {
            return -1;
        }
        return pairs < 0 ? -1 : pairs << 32 | pos;
    }

    /**
     * Where the bytes of the string at {@code pos} start, or -1 if the value there is not a string (its end is
     * {@code skip(b, pos, 1)}).
     */
    public static int stringStart(byte[] b, int pos) {
        if (pos < 0 || pos >= b.length) {
            return -1;
        }
        int type = b[pos] & 0xFF;
        if (type >= 0xA0 && type <= 0xBF) {
            return pos + 1;
        }
        return switch (type) {
            case 0xD9 -> pos + 2;
            case 0xDA -> pos + 3;
            case 0xDB -> pos + 5;
            default -> -1;
        };
    }

    /** The integer at {@code pos}, or {@link #NOT_AN_INTEGER} if it is not one (or not a signed 64-bit one). */
    public static long integerAt(byte[] b, int pos) {
        if (pos < 0 || pos >= b.length) {
            return NOT_AN_INTEGER;
        }
        int type = b[pos] & 0xFF;
        if (type <= 0x7F) {
            return type;
        }
        if (type >= 0xE0) {
            return (byte) type;
        }
        int width = switch (type) {
            case 0xCC, 0xD0 -> 1;
            case 0xCD, 0xD1 -> 2;
            case 0xCE, 0xD2 -> 4;
            case 0xCF, 0xD3 -> 8;
            default -> 0;
        };
        if (width == 0 || pos + 1 + width > b.length) {
            return NOT_AN_INTEGER;
        }
        long raw = unsigned(b, pos + 1, width);
        return switch (type) {
            case 0xD0 -> (byte) raw;
            case 0xD1 -> (short) raw;
            case 0xD2 -> (int) raw;
            case 0xCF -> raw < 0 ? NOT_AN_INTEGER : raw; // above 2^63-1
            default -> raw; // uint8-32 and int64 as they are
        };
    }

    /**
     * The big-endian unsigned value of {@code width} bytes at {@code pos} (8 bytes: the raw 64 bits), or -1 if the
     * bytes end first.
     */
    private static long unsigned(byte[] b, int pos, int width) {
        if (pos + width > b.length) {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < width; i++) {
            value = (value << 8) | (b[pos + i] & 0xFF);
        }
        return value;
    }

    /**
     * The position after {@code count} MessagePack values starting at {@code pos}, or -1 if the bytes end first or
     * hold an unused type byte. Nested arrays and maps add their items to the count instead of recursing, and every
     * value takes at least one byte, so the work is bounded by the payload's length whatever sizes it claims.
     */
    public static int skip(byte[] b, int pos, long count) {
        while (count > 0) {
            if (pos < 0 || pos >= b.length || count > b.length - pos) {
                return -1;
            }
            int type = b[pos++] & 0xFF;
            count--;
            long length; // bytes of payload after the type byte and any size field
            if (type <= 0x7F || type >= 0xE0 || type == 0xC0 || type == 0xC2 || type == 0xC3) {
                continue;
            } else if (type <= 0x8F) {
                count += 2L * (type & 0x0F);
                continue;
            } else if (type <= 0x9F) {
                count += type & 0x0F;
                continue;
            } else if (type <= 0xBF) {
                length = type & 0x1F;
            } else {
                switch (type) {
                    case 0xC4, 0xD9 -> {
                        length = unsigned(b, pos, 1);
                        pos += 1;
                    }
                    case 0xC5, 0xDA -> {
                        length = unsigned(b, pos, 2);
                        pos += 2;
                    }
                    case 0xC6, 0xDB -> {
                        length = unsigned(b, pos, 4);
                        pos += 4;
                    }
                    case 0xC7 -> {
                        length = unsigned(b, pos, 1) + 1;
                        pos += 1;
                    }
                    case 0xC8 -> {
                        length = unsigned(b, pos, 2) + 1;
                        pos += 2;
                    }
                    case 0xC9 -> {
                        length = unsigned(b, pos, 4) + 1;
                        pos += 4;
                    }
                    case 0xCA, 0xCE, 0xD2 -> length = 4;
                    case 0xCB, 0xCF, 0xD3 -> length = 8;
                    case 0xCC, 0xD0 -> length = 1;
                    case 0xCD, 0xD1 -> length = 2;
                    case 0xD4 -> length = 2;
                    case 0xD5 -> length = 3;
                    case 0xD6 -> length = 5;
                    case 0xD7 -> length = 9;
                    case 0xD8 -> length = 17;
                    case 0xDC, 0xDE -> {
                        long items = unsigned(b, pos, 2);
                        if (items < 0) {
                            return -1;
                        }
                        count += type == 0xDE ? 2 * items : items;
                        pos += 2;
                        continue;
                    }
                    case 0xDD, 0xDF -> {
                        long items = unsigned(b, pos, 4);
                        if (items < 0) {
                            return -1;
                        }
                        count += type == 0xDF ? 2 * items : items;
                        pos += 4;
                        continue;
                    }
                    default -> {
                        return -1; // 0xC1, never used
                    }
                }
            }
            if (length < 0 || length > b.length - pos) {
                return -1;
            }
            pos += (int) length;
        }
        return pos;
    }
}
