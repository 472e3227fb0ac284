package io.synod.protocol;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The statement's one-frame message: a MessagePack map {@code {"service": <str>, "data": {...}}}.
 * Every request and reply on the broker, the reference and the peer links is one of these.
 *
 * @param service the service name, e.g. {@code login}
 * @param data the fields; never null, unmodifiable
 */
public record Envelope(String service, Map<String, Object> data) {

    public Envelope {
        Objects.requireNonNull(service, "service");
        data = withoutNulls(Objects.requireNonNull(data, "data"));
    }

    /** Decodes and validates the envelope shape; the data fields are checked by the parser. */
    public static Envelope decode(byte[] frame, Limits limits) {
        Object value = MsgPack.decode(frame, limits);
        if (!(value instanceof Map<?, ?> map)) {
            throw new ProtocolException("a message must be a MessagePack map with 'service' and 'data'");
        }
        Object service = map.get("service");
        if (!(service instanceof String name) || name.isEmpty()) {
            throw new ProtocolException("field 'service' must be a non-empty string");
        }
        if (name.length() > limits.nameCharsMax()) {
            throw new ProtocolException("field 'service' is longer than " + limits.nameCharsMax() + " characters");
        }
        Object data = map.containsKey("data") ? map.get("data") : Map.of();
        if (!(data instanceof Map<?, ?> fields)) {
            throw new ProtocolException("field 'data' must be a map");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> typed = (Map<String, Object>) fields;
        return new Envelope(name, typed);
    }

    /** Encodes with the keys in the order {@code service, data}, as every client expects. */
    public byte[] encode() {
        MsgPackWriter writer = new MsgPackWriter();
        writer.mapHeader(2);
        writer.string("service");
        writer.string(service);
        writer.string("data");
        writer.value(data);
        return writer.toByteArray();
    }

    /** A copy with {@code timestamp} (float epoch seconds) and {@code clock} (Lamport) set. */
    public Envelope stamped(double timestampSeconds, long lamportClock) {
        Map<String, Object> copy = new LinkedHashMap<>(data);
        copy.put("timestamp", timestampSeconds);
        copy.put("clock", lamportClock);
        return new Envelope(service, copy);
    }

    /** Reads the fields of this envelope. */
    public Fields fields() {
        return new Fields(data);
    }

    /** An unmodifiable copy in the same key order, without null values. */
    private static Map<String, Object> withoutNulls(Map<String, Object> data) {
        Map<String, Object> copy = new LinkedHashMap<>();
        data.forEach((key, value) -> {
            if (value != null) {
                copy.put(Objects.requireNonNull(key, "null key"), value);
            }
        });
        return Collections.unmodifiableMap(copy);
    }
}
