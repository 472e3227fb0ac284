package io.synod.messaging.zmtp;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The ZeroMQ wire protocol, ZMTP 3.0 (rfc.zeromq.org/spec/23, and the SUBSCRIBE, CANCEL, PING and PONG commands
 * of 3.1, spec/37): the greeting, the READY command, frame headers, and a decoder that takes bytes as they arrive.
 * What any ZeroMQ 4 peer (libzmq, JeroMQ) speaks on TCP. The NULL mechanism is described here; CURVE's handshake
 * and boxes are {@link CurveMechanism}'s, on the same greeting and frames.
 *
 * <p>The wire: each side sends a 64-byte greeting (signature {@code FF 00*8 7F}, version 3.0, mechanism
 * {@code NULL}, as-server 0, 31 zero bytes), then a READY command with its socket type (and, for a socket
 * that has one, its identity), then frames. A frame is a flags byte ({@link #FLAG_MORE}, {@link #FLAG_LONG},
 * {@link #FLAG_COMMAND}), a size (1 byte, or 8 bytes big-endian when LONG), and the body. A message is the
 * frames up to the first one without MORE.
 *
 * <p>Thread-safety: the static helpers are stateless; a {@link Decoder} belongs to one connection.
 */
public final class ZmtpCodec {
    /** Bytes of the greeting. */
    public static final int GREETING_BYTES = 64;
    /** Bytes of the greeting's signature, which ZeroMQ peers send before the rest. */
    public static final int SIGNATURE_BYTES = 10;
    /** Another frame of the same message follows. */
    public static final int FLAG_MORE = 1;
    /** The size is 8 bytes. */
    public static final int FLAG_LONG = 2;
    /** A command frame (READY, PING, ...), not part of a message. */
    public static final int FLAG_COMMAND = 4;
    /** Largest size written as one byte. */
    private static final int SHORT_SIZE_MAX = 255;
    /** Longest PING context a PONG echoes (spec 37). */
    public static final int PING_CONTEXT_BYTES_MAX = 16;

    private static final byte[] MECHANISM_NULL = "NULL".getBytes(StandardCharsets.US_ASCII);
    private static final int MECHANISM_OFFSET = 12;
    private static final int MECHANISM_BYTES = 20;
    private static final byte[] MECHANISM_CURVE = "CURVE".getBytes(StandardCharsets.US_ASCII);
    private static final int AS_SERVER_OFFSET = 32;

    private ZmtpCodec() {}

    /** Socket types this codebase's peers may be. */
    public enum SocketType {
        REQ,
        REP,
        DEALER,
        ROUTER,
        PUB,
        SUB,
        XPUB,
        XSUB;

        /** Whether a peer of type {@code peer} may talk to a socket of this type (spec 23, "Socket types"). */
        public boolean accepts(SocketType peer) {
            Set<SocketType> valid = switch (this) {
                case REQ -> Set.of(REP, ROUTER);
                case REP -> Set.of(REQ, DEALER);
                case DEALER -> Set.of(REP, DEALER, ROUTER);
                case ROUTER -> Set.of(REQ, DEALER, ROUTER);
                case PUB, XPUB -> Set.of(SUB, XSUB);
                case SUB, XSUB -> Set.of(PUB, XPUB);
            };
            return valid.contains(peer);
        }

        /** The type named by a READY command's {@code Socket-Type} property, or null if unknown. */
        public static SocketType named(String name) {
            for (SocketType type : values()) {
                if (type.name().equals(name)) {
                    return type;
                }
            }
            return null;
        }
    }

    /** Our greeting: version 3.0, NULL mechanism, not as-server. */
    public static byte[] greeting() {
        return greeting(ZmtpSecurity.NULL);
    }

    /** Our greeting for {@code security}: version 3.0, its mechanism, as-server for a CURVE server. */
    static byte[] greeting(ZmtpSecurity security) {
        byte[] greeting = new byte[GREETING_BYTES];
        greeting[0] = (byte) 0xFF;
        greeting[9] = 0x7F;
        greeting[10] = 3;
        greeting[11] = 0;
        byte[] mechanism = security.isCurve() ? MECHANISM_CURVE : MECHANISM_NULL;
        System.arraycopy(mechanism, 0, greeting, MECHANISM_OFFSET, mechanism.length);
        greeting[AS_SERVER_OFFSET] = (byte) (security instanceof ZmtpSecurity.CurveServer ? 1 : 0);
        return greeting;
    }

    /**
     * Checks a peer's greeting.
     *
     * @throws ZmtpException if it is not ZMTP 3.x with the NULL mechanism
     */
    public static void checkGreeting(byte[] greeting) {
        checkGreeting(greeting, ZmtpSecurity.NULL);
    }

    /**
     * Checks a peer's greeting against our {@code security}: the same mechanism.
     *
     * @throws ZmtpException if it is not ZMTP 3.x with that mechanism
     */
    static void checkGreeting(byte[] greeting, ZmtpSecurity security) {
        if (greeting.length != GREETING_BYTES || (greeting[0] & 0xFF) != 0xFF || (greeting[9] & 1) != 1) {
            throw new ZmtpException("not a ZeroMQ peer (bad signature)");
        }
        if (greeting[10] < 3) {
            throw new ZmtpException("peer speaks ZMTP " + greeting[10] + ".x; 3.0 or newer is needed (ZeroMQ 4)");
        }
        byte[] mechanism = Arrays.copyOfRange(greeting, MECHANISM_OFFSET, MECHANISM_OFFSET + MECHANISM_BYTES);
        byte[] ours = security.isCurve() ? MECHANISM_CURVE : MECHANISM_NULL;
        byte[] expected = Arrays.copyOf(ours, MECHANISM_BYTES);
        if (!Arrays.equals(mechanism, expected)) {
            String name = new String(mechanism, StandardCharsets.US_ASCII).trim();
            throw new ZmtpException("peer asks for security mechanism " + name + "; only "
                    + new String(ours, StandardCharsets.US_ASCII) + " is served here");
        }
        // the peer's as-server flag is not checked (JeroMQ's CURVE server leaves it 0, and libzmq ignores it): two
        // clients or two servers cannot get past HELLO anyway
    }

    /** The READY command of a socket of {@code type}, with an {@code Identity} property if non-empty. */
    public static byte[] ready(SocketType type, byte[] identity) {
        return command("READY", metadata(type, identity));
    }

    /** A whole command frame (header included) named {@code name} with {@code properties} as its data. */
    static byte[] command(String name, Map<String, byte[]> properties) {
        return command(name, properties(properties));
    }

    /** Metadata properties (READY's, and CURVE's INITIATE and READY): name, then value, each length-prefixed. */
    static byte[] properties(Map<String, byte[]> properties) {
        int size = 0;
        for (Map.Entry<String, byte[]> property : properties.entrySet()) {
            size += 1 + property.getKey().length() + 4 + property.getValue().length;
        }
        ByteBuffer data = ByteBuffer.allocate(size);
        for (Map.Entry<String, byte[]> property : properties.entrySet()) {
            byte[] key = property.getKey().getBytes(StandardCharsets.US_ASCII);
            data.put((byte) key.length)
                    .put(key)
                    .putInt(property.getValue().length)
                    .put(property.getValue());
        }
        return data.array();
    }

    /** The metadata of a socket of {@code type}: its type, and an {@code Identity} if non-empty. */
    static Map<String, byte[]> metadata(SocketType type, byte[] identity) {
        Map<String, byte[]> properties = new LinkedHashMap<>();
        properties.put("Socket-Type", type.name().getBytes(StandardCharsets.US_ASCII));
        if (identity != null && identity.length > 0) {
            properties.put("Identity", identity);
        }
        return properties;
    }

    /** A whole command frame (header included): the name's length, the name, then {@code data}. */
    private static byte[] command(String name, byte[] data) {
        byte[] nameBytes = name.getBytes(StandardCharsets.US_ASCII);
        byte[] body = new byte[1 + nameBytes.length + data.length];
        body[0] = (byte) nameBytes.length;
        System.arraycopy(nameBytes, 0, body, 1, nameBytes.length);
        System.arraycopy(data, 0, body, 1 + nameBytes.length, data.length);
        return frame(FLAG_COMMAND, body);
    }

    /** A PONG answering a PING whose context is {@code context} (at most 16 bytes are echoed). */
    public static byte[] pong(byte[] context) {
        return command("PONG", Arrays.copyOf(context, Math.min(context.length, PING_CONTEXT_BYTES_MAX)));
    }

    /**
     * A PING with an empty context, asking the peer to time us out after {@code ttlMillis} (tenths of seconds on the
     * wire).
     */
    public static byte[] ping(long ttlMillis) {
        int ttlDeciseconds = (int) Math.min(0xFFFF, Math.max(0, ttlMillis / 100));
        return command("PING", new byte[] {(byte) (ttlDeciseconds >>> 8), (byte) ttlDeciseconds});
    }

    /** One frame, header and body. */
    public static byte[] frame(int flags, byte[] body) {
        ByteBuffer frame = ByteBuffer.allocate(headerBytes(body.length) + body.length);
        putHeader(frame, flags, body.length);
        return frame.put(body).array();
    }

    /** A whole message (each frame with its header, MORE on all but the last) in one buffer, ready to write. */
    public static ByteBuffer message(List<byte[]> frames) {
        if (frames.isEmpty()) {
            throw new IllegalArgumentException("a message has at least one frame");
        }
        int size = 0;
        for (byte[] frame : frames) {
            size += headerBytes(frame.length) + frame.length;
        }
        ByteBuffer buffer = ByteBuffer.allocate(size);
        for (int i = 0; i < frames.size(); i++) {
            byte[] frame = frames.get(i);
            putHeader(buffer, i < frames.size() - 1 ? FLAG_MORE : 0, frame.length);
            buffer.put(frame);
        }
        return buffer.flip();
    }

    /** A subscription ({@code subscribe}) or its cancellation, as a ZMTP 3.0 message: one frame, 1 or 0 then the topic. */
    public static List<byte[]> subscription(boolean subscribe, byte[] topic) {
        byte[] body = new byte[1 + topic.length];
        body[0] = (byte) (subscribe ? 1 : 0);
        System.arraycopy(topic, 0, body, 1, topic.length);
        return List.of(body);
    }

    private static int headerBytes(int size) {
        return size > SHORT_SIZE_MAX ? 9 : 2;
    }

    private static void putHeader(ByteBuffer buffer, int flags, int size) {
        if (size > SHORT_SIZE_MAX) {
            buffer.put((byte) (flags | FLAG_LONG)).putLong(size);
        } else {
            buffer.put((byte) flags).put((byte) size);
        }
    }

    /**
     * Parses a command's body: its name, then (for READY) its properties.
     *
     * @throws ZmtpException if it is malformed
     */
    public static Command parseCommand(byte[] body) {
        if (body.length < 1 || body[0] == 0 || 1 + (body[0] & 0xFF) > body.length) {
            throw new ZmtpException("malformed command frame");
        }
        int nameBytes = body[0] & 0xFF;
        String name = new String(body, 1, nameBytes, StandardCharsets.US_ASCII);
        byte[] rest = Arrays.copyOfRange(body, 1 + nameBytes, body.length);
        return new Command(name, rest);
    }

    /** A received command: its name and the bytes after the name. */
    public record Command(String name, byte[] data) {}

    /**
     * The properties of a READY (or ERROR-free handshake) command's data: name, then value, each length-prefixed.
     *
     * @throws ZmtpException if they are malformed
     */
    public static Map<String, byte[]> parseProperties(byte[] data) {
        Map<String, byte[]> properties = new LinkedHashMap<>();
        ByteBuffer buffer = ByteBuffer.wrap(data);
        while (buffer.hasRemaining()) {
            int nameBytes = buffer.get() & 0xFF;
            if (nameBytes == 0 || buffer.remaining() < nameBytes + 4) {
                throw new ZmtpException("malformed READY property");
            }
            byte[] name = new byte[nameBytes];
            buffer.get(name);
            long valueBytes = buffer.getInt() & 0xFFFF_FFFFL;
            if (valueBytes > buffer.remaining()) {
                throw new ZmtpException("malformed READY property");
            }
            byte[] value = new byte[(int) valueBytes];
            buffer.get(value);
            properties.put(new String(name, StandardCharsets.US_ASCII), value);
        }
        return properties;
    }

    /** What a {@link Decoder} hands over. */
    public interface Sink {
        /** The peer's first {@link #SIGNATURE_BYTES} bytes have arrived and are a ZeroMQ signature. */
        default void signature() {}

        /** The peer's greeting, 64 bytes. */
        void greeting(byte[] greeting);

        /** A command frame's body. */
        void command(byte[] body);

        /** A whole message, its frames in order. */
        void message(List<byte[]> frames);
    }

    /**
     * Turns the bytes of one connection, as they arrive in any pieces, into a greeting, commands and whole
     * messages, within limits. Not thread-safe.
     */
    public static final class Decoder {
        /** A frame body's first allocation; it doubles as more arrives. */
        private static final int BODY_BYTES_FIRST = 64 << 10;

        private final int frameBytesMax;
        private final int messageFramesMax;
        private final long messageBytesMax;
        private final byte[] greeting = new byte[GREETING_BYTES];
        private int greetingRead;
        private final byte[] header = new byte[9];
        private int headerRead;
        private int headerNeeded = 2;
        private byte[] body;
        private int bodySize;
        private int bodyRead;
        private int flags;
        private ArrayList<byte[]> frames = new ArrayList<>();
        private long messageBytes;

        /**
         * @param frameBytesMax largest frame body accepted
         * @param messageFramesMax most frames in one message
         * @param messageBytesMax most bytes (bodies) in one message
         */
        public Decoder(int frameBytesMax, int messageFramesMax, long messageBytesMax) {
            if (frameBytesMax <= 0 || messageFramesMax <= 0 || messageBytesMax <= 0) {
                throw new IllegalArgumentException("decoder limits must be positive");
            }
            this.frameBytesMax = frameBytesMax;
            this.messageFramesMax = messageFramesMax;
            this.messageBytesMax = messageBytesMax;
        }

        /**
         * Consumes every byte remaining in {@code in}, handing each complete unit to {@code sink}.
         *
         * @throws ZmtpException on a protocol violation or a limit exceeded (the connection must be closed)
         */
        public void feed(ByteBuffer in, Sink sink) {
            while (in.hasRemaining()) {
                if (greetingRead < GREETING_BYTES) {
                    boolean beforeSignature = greetingRead < SIGNATURE_BYTES;
                    int upTo = beforeSignature ? SIGNATURE_BYTES : GREETING_BYTES;
                    int take = Math.min(in.remaining(), upTo - greetingRead);
                    in.get(greeting, greetingRead, take);
                    greetingRead += take;
                    if (beforeSignature && greetingRead == SIGNATURE_BYTES) {
                        if ((greeting[0] & 0xFF) != 0xFF || (greeting[9] & 1) != 1) {
                            throw new ZmtpException("not a ZeroMQ peer (bad signature)");
                        }
                        sink.signature();
                    }
                    if (greetingRead == GREETING_BYTES) {
                        sink.greeting(greeting.clone());
                    }
                    continue;
                }
                if (body == null) {
                    readHeader(in, sink);
                    continue;
                }
                if (bodyRead == body.length) {
                    body = Arrays.copyOf(body, (int) Math.min(bodySize, 2L * body.length));
                }
                int take = Math.min(in.remaining(), body.length - bodyRead);
                in.get(body, bodyRead, take);
                bodyRead += take;
                if (bodyRead == bodySize) {
                    frameDone(sink);
                }
            }
        }

        private void readHeader(ByteBuffer in, Sink sink) {
            while (in.hasRemaining() && headerRead < headerNeeded) {
                header[headerRead++] = in.get();
                if (headerRead == 1) {
                    int f = header[0] & 0xFF;
                    if ((f & ~(FLAG_MORE | FLAG_LONG | FLAG_COMMAND)) != 0) {
                        throw new ZmtpException("reserved frame flags set: " + f);
                    }
                    headerNeeded = (f & FLAG_LONG) != 0 ? 9 : 2;
                }
            }
            if (headerRead < headerNeeded) {
                return;
            }
            flags = header[0] & 0xFF;
            long size;
            if (headerNeeded == 9) {
                size = ByteBuffer.wrap(header, 1, 8).getLong();
            } else {
                size = header[1] & 0xFF;
            }
            if (size < 0 || size > frameBytesMax) {
                throw new ZmtpException("frame of " + size + " bytes is over the limit of " + frameBytesMax);
            }
            if ((flags & FLAG_COMMAND) != 0 && (flags & FLAG_MORE) != 0) {
                throw new ZmtpException("a command frame cannot have MORE set");
            }
            if ((flags & FLAG_COMMAND) != 0 && !frames.isEmpty()) {
                throw new ZmtpException("a command frame inside a message");
            }
            // The body grows as its bytes arrive: a peer announcing a large frame and sending little gets little.
            bodySize = (int) size;
            body = new byte[Math.min(bodySize, BODY_BYTES_FIRST)];
            bodyRead = 0;
            if (bodySize == 0) {
                frameDone(sink);
            }
            headerRead = 0;
            headerNeeded = 2;
        }

        private void frameDone(Sink sink) {
            byte[] done = body;
            body = null;
            if ((flags & FLAG_COMMAND) != 0) {
                sink.command(done);
                return;
            }
            messageBytes += done.length;
            frames.add(done);
            if (frames.size() > messageFramesMax || messageBytes > messageBytesMax) {
                throw new ZmtpException(
                        "message of more than " + messageFramesMax + " frames or " + messageBytesMax + " bytes");
            }
            if ((flags & FLAG_MORE) == 0) {
                List<byte[]> message = frames;
                frames = new ArrayList<>(4);
                messageBytes = 0;
                sink.message(message);
            }
        }
    }
}
