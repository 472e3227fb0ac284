package io.synod.protocol;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Encodes the value model of {@link MsgPack} into one growing array: the bytes msgpack-java's packer wrote (each
 * value in its smallest format, {@code str8} included; floats as float64), without the packer's buffer objects,
 * string encoder and chunk copy per message (the packer was an eighth of a leader's samples and a sixth of a follower's with 64 clients).
 * {@code MsgPackWriterTest} checks it against the library on random values.
 *
 * <p>Not thread-safe: one per message.
 */
final class MsgPackWriter {
    /** The first buffer: most frames are small; it doubles as needed. */
    private static final int FIRST_BUFFER_BYTES = 256;

    /** A {@code fixstr} holds fewer UTF-8 bytes than this (so an ASCII string of fewer chars is one). */
    private static final int FIXSTR_BYTES_LIMIT = 32;

    /** A {@code fixarray} or {@code fixmap} holds fewer items than this. */
    private static final int FIX_COLLECTION_LIMIT = 16;

    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private byte[] bytes = new byte[FIRST_BUFFER_BYTES];
    private int size;

    /** The bytes written so far, in an array of their size. */
    byte[] toByteArray() {
        return Arrays.copyOf(bytes, size);
    }

    /**
     * Writes a value of the model (plus Integer, Float, Short, Byte, Enum by name). Tested in the order values come
     * most often (cheaper than a pattern switch's type dispatch).
     */
    void value(Object value) {
        if (value instanceof String s) {
            string(s);
        } else if (value instanceof Long l) {
            integer(l);
        } else if (value instanceof Map<?, ?> map) {
            mapHeader(map.size());
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                string(String.valueOf(entry.getKey()));
                value(entry.getValue());
            }
        } else if (value instanceof Double d) {
            float64(d);
        } else if (value instanceof List<?> list) {
            header(list.size(), 0x90, -1, 0xdc, 0xdd);
            for (Object item : list) {
                value(item);
            }
        } else if (value == null) {
            put(0xc0);
        } else if (value instanceof Boolean b) {
            put(b ? 0xc3 : 0xc2);
        } else if (value instanceof byte[] binary) {
            header(binary.length, -1, 0xc4, 0xc5, 0xc6);
            ensure(binary.length);
            System.arraycopy(binary, 0, bytes, size, binary.length);
            size += binary.length;
        } else if (value instanceof Integer i) {
            integer(i);
        } else if (value instanceof Short s) {
            integer(s);
        } else if (value instanceof Byte b) {
            integer(b);
        } else if (value instanceof Float f) {
            float64(f);
        } else if (value instanceof Enum<?> e) {
            string(e.name());
        } else {
            throw new IllegalArgumentException(
                    "cannot encode " + value.getClass().getName() + " as MessagePack");
        }
    }

    void mapHeader(int entries) {
        header(entries, 0x80, -1, 0xde, 0xdf);
    }

    /**
     * UTF-8 (a lone surrogate as {@code ?}, as {@link String#getBytes} writes it). A short ASCII string is copied as
     * it is checked; a longer one through {@code getBytes}, whose check and copy are vectorised (a loop per char
     * was the encoder's hottest line on a follower).
     */
    void string(String s) {
        int length = s.length();
        if (length < FIXSTR_BYTES_LIMIT) {
            ensure(1 + length);
            int start = size + 1;
            for (int i = 0; i < length; i++) {
                char c = s.charAt(i);
                if (c >= 0x80) {
                    utf8(s);
                    return;
                }
                bytes[start + i] = (byte) c;
            }
            bytes[size] = (byte) (0xa0 | length);
            size = start + length;
            return;
        }
        utf8(s);
    }

    private void utf8(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        header(utf8.length, 0xa0, 0xd9, 0xda, 0xdb);
        ensure(utf8.length);
        System.arraycopy(utf8, 0, bytes, size, utf8.length);
        size += utf8.length;
    }

    /** The smallest format: positive fixint, then unsigned for the rest of the non-negatives, negative fixint, int. */
    void integer(long v) {
        if (v < -(1L << 5)) {
            if (v < -(1L << 15)) {
                if (v < -(1L << 31)) {
                    putWithBytes(0xd3, v, 8);
                } else {
                    putWithBytes(0xd2, v, 4);
                }
            } else if (v < -(1 << 7)) {
                putWithBytes(0xd1, v, 2);
            } else {
                putWithBytes(0xd0, v, 1);
            }
        } else if (v < (1 << 7)) {
            put((int) v);
        } else if (v < (1L << 8)) {
            putWithBytes(0xcc, v, 1);
        } else if (v < (1L << 16)) {
            putWithBytes(0xcd, v, 2);
        } else if (v < (1L << 32)) {
            putWithBytes(0xce, v, 4);
        } else {
            putWithBytes(0xcf, v, 8);
        }
    }

    private void float64(double d) {
        putWithBytes(0xcb, Double.doubleToRawLongBits(d), 8);
    }

    /** A length header: {@code fix} (-1: none) below 16 (32 for strings), then the 8-, 16- and 32-bit forms. */
    private void header(int length, int fix, int form8, int form16, int form32) {
        int fixLimit = fix == 0xa0 ? FIXSTR_BYTES_LIMIT : FIX_COLLECTION_LIMIT;
        if (fix >= 0 && length < fixLimit) {
            put(fix | length);
        } else if (form8 >= 0 && length < (1 << 8)) {
            putWithBytes(form8, length, 1);
        } else if (length < (1 << 16)) {
            putWithBytes(form16, length, 2);
        } else {
            putWithBytes(form32, length, 4);
        }
    }

    private void put(int b) {
        ensure(1);
        bytes[size++] = (byte) b;
    }

    /** {@code marker} then the low {@code count} (1, 2, 4 or 8) bytes of {@code v}, big-endian. */
    private void putWithBytes(int marker, long v, int count) {
        ensure(1 + count);
        bytes[size] = (byte) marker;
        switch (count) {
            case 1 -> bytes[size + 1] = (byte) v;
            case 2 -> SHORT.set(bytes, size + 1, (short) v);
            case 4 -> INT.set(bytes, size + 1, (int) v);
            default -> LONG.set(bytes, size + 1, v);
        }
        size += 1 + count;
    }

    private void ensure(int more) {
        if (bytes.length - size < more) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
        }
    }
}
