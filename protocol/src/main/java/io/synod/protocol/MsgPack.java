package io.synod.protocol;

import java.io.IOException;
import java.nio.charset.CodingErrorAction;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePackException;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ValueType;

/**
 * MessagePack to and from a small value model: {@code null}, {@link Boolean}, {@link Long},
 * {@link Double}, {@link String}, {@code byte[]}, {@link List} and {@link Map} with string keys.
 *
 * <p>Decoding is strict and bounded: invalid UTF-8, non-string map keys, trailing bytes, integers
 * beyond 64 bits signed, nesting deeper than {@link Limits#nestingDepthMax()}, frames larger
 * than {@link Limits#frameBytesMax()} and binary values announcing more bytes than the frame holds
 * are rejected with a {@link ProtocolException}. Nothing is allocated for more than the frame's size.
 *
 * <p>Thread-safe: stateless.
 */
public final class MsgPack {
    /**
     * Strict strings; a 256-character decoding buffer instead of the library's 8,192 (a 16 KB char buffer per
     * frame; longer strings still decode, in pieces; measured by the codec benchmark: 21 KB -> 5 KB per request).
     */
    private static final MessagePack.UnpackerConfig UNPACKER = new MessagePack.UnpackerConfig()
            .withActionOnMalformedString(CodingErrorAction.REPORT)
            .withActionOnUnmappableString(CodingErrorAction.REPORT)
            .withStringDecoderBufferSize(256);

    private MsgPack() {}

    /** Encodes a value of the value model (plus Integer, Float, Short, Byte, Enum by name). */
    public static byte[] encode(Object value) {
        MsgPackWriter writer = new MsgPackWriter();
        writer.value(value);
        return writer.toByteArray();
    }

    /** Decodes one complete MessagePack value occupying the whole frame. */
    public static Object decode(byte[] frame, Limits limits) {
        if (frame.length == 0) {
            throw new ProtocolException("empty frame: expected a MessagePack map");
        }
        if (frame.length > limits.frameBytesMax()) {
            throw new ProtocolException(
                    "frame of " + frame.length + " bytes exceeds the limit of " + limits.frameBytesMax());
        }
        try {
            return new MsgPackReader(frame, limits).whole();
        } catch (MsgPackReader.GiveUp e) {
            return decodeWithLibrary(frame, limits);
        }
    }

    /** {@link #decode} by msgpack-java alone: the judge of every frame {@link MsgPackReader} gives up on. */
    static Object decodeWithLibrary(byte[] frame, Limits limits) {
        try (MessageUnpacker unpacker = UNPACKER.newUnpacker(frame)) {
            Object value = unpack(unpacker, frame.length, limits, 0);
            if (unpacker.hasNext()) {
                throw new ProtocolException("trailing bytes after the MessagePack value");
            }
            return value;
        } catch (MessagePackException | IOException e) {
            throw new ProtocolException("malformed MessagePack: " + describe(e));
        }
    }

    private static String describe(Exception e) {
        String text = e.getMessage();
        return text == null ? e.getClass().getSimpleName() : text;
    }

    private static Object unpack(MessageUnpacker unpacker, int frameBytes, Limits limits, int depth)
            throws IOException {
        if (depth > limits.nestingDepthMax()) {
            throw new ProtocolException("nesting deeper than " + limits.nestingDepthMax());
        }
        ValueType type = unpacker.getNextFormat().getValueType();
        return switch (type) {
            case NIL -> {
                unpacker.unpackNil();
                yield null;
            }
            case BOOLEAN -> unpacker.unpackBoolean();
            case INTEGER -> unpackInteger(unpacker);
            case FLOAT -> unpacker.unpackDouble();
            case STRING -> unpacker.unpackString();
            case BINARY -> unpackBinary(unpacker, frameBytes);
            case ARRAY -> unpackArray(unpacker, frameBytes, limits, depth);
            case MAP -> unpackMap(unpacker, frameBytes, limits, depth);
            case EXTENSION -> throw new ProtocolException("MessagePack extension types are not accepted");
        };
    }

    private static Long unpackInteger(MessageUnpacker unpacker) throws IOException {
        try {
            return unpacker.unpackLong();
        } catch (MessagePackException e) {
            throw new ProtocolException("integer out of the signed 64-bit range");
        }
    }

    /**
     * The library allocates a binary value's whole announced size (up to 64 MiB) before reading it: a 6-byte frame
     * could make it allocate 64 MiB. The size is checked against what is left of the frame first.
     */
    private static byte[] unpackBinary(MessageUnpacker unpacker, int frameBytes) throws IOException {
        int size = unpacker.unpackBinaryHeader();
        long left = frameBytes - unpacker.getTotalReadBytes();
        if (size < 0 || size > left) {
            throw new ProtocolException("binary value of " + Integer.toUnsignedString(size) + " bytes, but only " + left
                    + " bytes are left in the frame");
        }
        return unpacker.readPayload(size);
    }

    private static List<Object> unpackArray(MessageUnpacker unpacker, int frameBytes, Limits limits, int depth)
            throws IOException {
        int size = unpacker.unpackArrayHeader();
        checkItems(size, limits);
        List<Object> items = new ArrayList<>(Math.min(size, 1024));
        for (int i = 0; i < size; i++) {
            items.add(unpack(unpacker, frameBytes, limits, depth + 1));
        }
        return Collections.unmodifiableList(items);
    }

    private static Map<String, Object> unpackMap(MessageUnpacker unpacker, int frameBytes, Limits limits, int depth)
            throws IOException {
        int size = unpacker.unpackMapHeader();
        checkItems(size, limits);
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < size; i++) {
            if (unpacker.getNextFormat().getValueType() != ValueType.STRING) {
                throw new ProtocolException("map keys must be strings");
            }
            String key = unpacker.unpackString();
            map.put(key, unpack(unpacker, frameBytes, limits, depth + 1));
        }
        return Collections.unmodifiableMap(map);
    }

    private static void checkItems(int size, Limits limits) {
        if (size < 0 || size > limits.collectionItemsMax()) {
            throw new ProtocolException(
                    "collection of " + size + " items exceeds the limit of " + limits.collectionItemsMax());
        }
    }
}
