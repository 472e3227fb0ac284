package io.synod.protocol;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes the frames most messages are, to the values {@link MsgPack#decode} returns, without msgpack-java's
 * unpacker objects (its decoding was 4-7 % of a server's samples with 64 clients): integers, floats, nil,
 * booleans, ASCII strings, binaries, arrays and maps with string keys, within the limits. Anything else (a
 * non-ASCII string, an extension, an integer beyond 64 bits signed, a limit exceeded, a truncated or malformed
 * frame) makes it give up, and the frame is decoded again by the library, whose answer (value or error) stands:
 * this reader only ever accepts what the library accepts, with the same value ({@code MsgPackReaderTest}).
 *
 * <p>Not thread-safe: one per frame.
 */
final class MsgPackReader {
    /** Given up: the library decodes the frame. No stack trace: it is control flow. */
    static final class GiveUp extends RuntimeException {
        private static final GiveUp INSTANCE = new GiveUp();

        private GiveUp() {
            super(null, null, false, false);
        }
    }

    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private final byte[] frame;
    private final Limits limits;
    private int position;

    MsgPackReader(byte[] frame, Limits limits) {
        this.frame = frame;
        this.limits = limits;
    }

    /**
     * The frame's one value.
     *
     * @throws GiveUp if the library must decide
     */
    Object whole() {
        Object value = value(0);
        if (position != frame.length) {
            throw GiveUp.INSTANCE; // trailing bytes: the library's error
        }
        return value;
    }

    private Object value(int depth) {
        if (depth > limits.nestingDepthMax()) {
            throw GiveUp.INSTANCE;
        }
        int b = u8();
        if (b <= 0x7f) {
            return (long) b;
        }
        if (b >= 0xe0) {
            return (long) (byte) b;
        }
        if (b >= 0xa0 && b <= 0xbf) {
            return ascii(b & 0x1f);
        }
        if (b >= 0x90 && b <= 0x9f) {
            return array(b & 0x0f, depth);
        }
        if (b >= 0x80 && b <= 0x8f) {
            return map(b & 0x0f, depth);
        }
        return switch (b) {
            case 0xc0 -> null;
            case 0xc2 -> Boolean.FALSE;
            case 0xc3 -> Boolean.TRUE;
            case 0xc4 -> binary(u8());
            case 0xc5 -> binary(u16());
            case 0xc6 -> binary(u32());
            case 0xca -> (double) Float.intBitsToFloat((int) INT.get(frame, take(4)));
            case 0xcb -> Double.longBitsToDouble((long) LONG.get(frame, take(8)));
            case 0xcc -> (long) u8();
            case 0xcd -> (long) u16();
            case 0xce -> (long) (int) INT.get(frame, take(4)) & 0xffff_ffffL;
            case 0xcf -> {
                long v = (long) LONG.get(frame, take(8));
                if (v < 0) {
                    throw GiveUp.INSTANCE; // beyond 64 bits signed
                }
                yield v;
            }
            case 0xd0 -> (long) frame[take(1)];
            case 0xd1 -> (long) (short) SHORT.get(frame, take(2));
            case 0xd2 -> (long) (int) INT.get(frame, take(4));
            case 0xd3 -> (long) LONG.get(frame, take(8));
            case 0xd9 -> ascii(u8());
            case 0xda -> ascii(u16());
            case 0xdb -> ascii(u32());
            case 0xdc -> array(u16(), depth);
            case 0xdd -> array(u32(), depth);
            case 0xde -> map(u16(), depth);
            case 0xdf -> map(u32(), depth);
            default -> throw GiveUp.INSTANCE; // extensions, 0xc1
        };
    }

    private List<Object> array(int size, int depth) {
        checkItems(size);
        List<Object> items = new ArrayList<>(Math.min(size, 1024));
        for (int i = 0; i < size; i++) {
            items.add(value(depth + 1));
        }
        return Collections.unmodifiableList(items);
    }

    private Map<String, Object> map(int size, int depth) {
        checkItems(size);
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < size; i++) {
            int b = u8();
            String key;
            if (b >= 0xa0 && b <= 0xbf) {
                key = ascii(b & 0x1f);
            } else if (b == 0xd9) {
                key = ascii(u8());
            } else if (b == 0xda) {
                key = ascii(u16());
            } else if (b == 0xdb) {
                key = ascii(u32());
            } else {
                throw GiveUp.INSTANCE; // not a string key
            }
            map.put(key, value(depth + 1));
        }
        return Collections.unmodifiableMap(map);
    }

    private void checkItems(int size) {
        if (size < 0 || size > limits.collectionItemsMax()) {
            throw GiveUp.INSTANCE;
        }
    }

    /** A string of {@code length} bytes, all ASCII (any other byte: the library checks the UTF-8). */
    private String ascii(int length) {
        int start = take(length);
        for (int i = start; i < start + length; i++) {
            if (frame[i] < 0) {
                throw GiveUp.INSTANCE;
            }
        }
        return new String(frame, start, length, StandardCharsets.ISO_8859_1);
    }

    private byte[] binary(int length) {
        int start = take(length);
        byte[] bytes = new byte[length];
        System.arraycopy(frame, start, bytes, 0, length);
        return bytes;
    }

    private int u8() {
        return frame[take(1)] & 0xff;
    }

    private int u16() {
        return (short) SHORT.get(frame, take(2)) & 0xffff;
    }

    /** A 32-bit length; one beyond {@code Integer.MAX_VALUE} reads negative, and is given up by its user. */
    private int u32() {
        return (int) INT.get(frame, take(4));
    }

    /** The position of the next {@code count} bytes, which the frame must hold. */
    private int take(int count) {
        int start = position;
        if (count < 0 || count > frame.length - start) {
            throw GiveUp.INSTANCE; // truncated: the library's error
        }
        position = start + count;
        return start;
    }
}
