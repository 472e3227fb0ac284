package io.synod.messaging.zmtp;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Map;

/**
 * One connection's CurveZMQ (rfc.zeromq.org/spec/26 as ZMTP's CURVE mechanism): the handshake (HELLO, WELCOME,
 * INITIATE, READY) that gives both sides short-term keys, proves the server holds the secret key of the public
 * key the client expects and tells the server the client's long-term public key; then every frame as a MESSAGE
 * command, boxed with the short-term keys and a strictly increasing nonce, so a frame cannot be read, changed,
 * replayed or reordered on the way.
 *
 * <p>The wire, as libzmq and JeroMQ speak it: every handshake command is a command frame; a MESSAGE is a data
 * frame of its own (no MORE flag on the wire) whose plaintext starts with a flags byte carrying the inner frame's
 * MORE (1) and COMMAND (2) flags. Nonces are 8-byte big-endian counters starting at 1, shared by the handshake
 * and the messages of one side.
 *
 * <p>Not thread-safe: owned by its {@link ZmtpConnection}.
 */
public final class CurveMechanism {
    /** Bytes a MESSAGE adds to a frame: its name, nonce, authenticator and flags byte. */
    public static final int MESSAGE_OVERHEAD_BYTES = 8 + 8 + CurveCrypto.BOX_OVERHEAD_BYTES + 1;
    /** The inner frame continues the message. */
    public static final int INNER_MORE = 1;
    /** The inner frame is a command (PING, PONG, SUBSCRIBE...). */
    public static final int INNER_COMMAND = 2;

    private static final int HELLO_BYTES = 200;
    private static final int HELLO_PADDING_BYTES = 72;
    private static final int HELLO_SIGNATURE_BYTES = 64;
    private static final int LONG_NONCE_BYTES = 16;
    private static final int SHORT_NONCE_BYTES = 8;
    private static final int COOKIE_BYTES =
            LONG_NONCE_BYTES + 2 * CurveCrypto.KEY_BYTES + CurveCrypto.BOX_OVERHEAD_BYTES;
    private static final int VOUCH_BYTES = COOKIE_BYTES;
    /** Largest metadata accepted in INITIATE or READY (a socket type and an identity fit many times). */
    private static final int METADATA_BYTES_MAX = 4096;

    private static final SecureRandom RANDOM = new SecureRandom();

    private enum State {
        CLIENT_EXPECTS_WELCOME,
        CLIENT_EXPECTS_READY,
        SERVER_EXPECTS_HELLO,
        SERVER_EXPECTS_INITIATE,
        DONE
    }

    /** What a handshake command leads to: a command frame to send (or null), and the peer's metadata once done. */
    public record Step(byte[] reply, Map<String, byte[]> peerMetadata) {}

    /** The handshake failed for a reason the client should hear: send {@link #error} (ERROR), then close. */
    static final class Refused extends ZmtpException {
        final byte[] error;

        Refused(String reason) {
            super(reason);
            this.error = errorCommand(reason);
        }
    }

    private final boolean server;
    private final CurveCrypto.KeyPair permanent;
    private final ZmtpSecurity.CurveServer serverConfig;
    private final CurveCrypto.KeyPair transientKeys = CurveCrypto.generate(RANDOM);
    private final String sendPrefix;
    private final String receivePrefix;
    /** The server's long-term key (a client knows it beforehand; a server's own). */
    private final byte[] serverPublic;

    private byte[] clientPublic;
    private byte[] peerTransient;
    private byte[] sessionKey;
    private byte[] cookieKey;
    private long sendNonce = 1;
    private long peerNonce;
    private State state;

    public CurveMechanism(ZmtpSecurity security) {
        if (security instanceof ZmtpSecurity.CurveServer config) {
            this.server = true;
            this.serverConfig = config;
            this.permanent = config.keys();
            this.serverPublic = permanent.publicKey();
            this.state = State.SERVER_EXPECTS_HELLO;
        } else if (security instanceof ZmtpSecurity.CurveClient config) {
            this.server = false;
            this.serverConfig = null;
            this.permanent = config.keys();
            this.serverPublic = config.serverPublicKey();
            this.state = State.CLIENT_EXPECTS_WELCOME;
        } else {
            throw new IllegalArgumentException("not a CURVE mechanism: " + security);
        }
        this.sendPrefix = server ? "CurveZMQMESSAGES" : "CurveZMQMESSAGEC";
        this.receivePrefix = server ? "CurveZMQMESSAGEC" : "CurveZMQMESSAGES";
    }

    public boolean isServer() {
        return server;
    }

    public boolean isDone() {
        return state == State.DONE;
    }

    /** The client's long-term public key, once a server's handshake is done. */
    byte[] clientPublicKey() {
        return clientPublic == null ? null : clientPublic.clone();
    }

    /** A client's HELLO command frame, sent once the server's greeting is in. */
    public byte[] hello() {
        long nonce = sendNonce++;
        byte[] box = CurveCrypto.box(
                new byte[HELLO_SIGNATURE_BYTES],
                nonce("CurveZMQHELLO---", shortNonce(nonce)),
                serverPublic,
                transientKeys.secretKey());
        ByteBuffer body = ByteBuffer.allocate(HELLO_BYTES);
        body.put(name("HELLO"))
                .put((byte) 1)
                .put((byte) 0)
                .put(new byte[HELLO_PADDING_BYTES])
                .put(transientKeys.publicKey())
                .put(shortNonce(nonce))
                .put(box);
        return ZmtpCodec.frame(ZmtpCodec.FLAG_COMMAND, body.array());
    }

    /**
     * Takes one handshake command.
     *
     * @param ownMetadata the properties our INITIATE or READY carries (socket type, identity)
     * @throws ZmtpException if the command is not the one expected, is malformed, or does not authenticate
     */
    public Step handshake(ZmtpCodec.Command command, Map<String, byte[]> ownMetadata) {
        if (command.name().equals("ERROR")) {
            byte[] data = command.data();
            int length = data.length == 0 ? 0 : Math.min(data[0] & 0xFF, data.length - 1);
            throw new ZmtpException(
                    "peer refused the CURVE handshake: " + new String(data, 1, length, StandardCharsets.US_ASCII));
        }
        return switch (state) {
            case SERVER_EXPECTS_HELLO -> onHello(expect(command, "HELLO"));
            case SERVER_EXPECTS_INITIATE -> onInitiate(expect(command, "INITIATE"), ownMetadata);
            case CLIENT_EXPECTS_WELCOME -> onWelcome(expect(command, "WELCOME"), ownMetadata);
            case CLIENT_EXPECTS_READY -> onReady(expect(command, "READY"));
            case DONE -> throw new ZmtpException("a CURVE handshake command after the handshake");
        };
    }

    private Step onHello(byte[] data) {
        // version (2), padding (72), C' (32), short nonce (8), signature box (80)
        if (data.length != HELLO_BYTES - 6 || data[0] != 1) {
            throw new ZmtpException("malformed CURVE HELLO");
        }
        ByteBuffer in = ByteBuffer.wrap(data, 2 + HELLO_PADDING_BYTES, data.length - 2 - HELLO_PADDING_BYTES);
        byte[] clientTransient = take(in, CurveCrypto.KEY_BYTES);
        byte[] nonce = take(in, SHORT_NONCE_BYTES);
        byte[] box = take(in, in.remaining());
        acceptNonce(nonce);
        byte[] signature = open(box, nonce("CurveZMQHELLO---", nonce), clientTransient, permanent.secretKey());
        if (signature == null || !Arrays.equals(signature, new byte[HELLO_SIGNATURE_BYTES])) {
            // the client does not know our public key: it holds a wrong one (libzmq answers nothing either)
            throw new ZmtpException("CURVE HELLO not boxed for this server's key");
        }
        peerTransient = clientTransient;
        cookieKey = new byte[CurveCrypto.KEY_BYTES];
        RANDOM.nextBytes(cookieKey);
        byte[] cookieNonce = randomBytes(LONG_NONCE_BYTES);
        byte[] cookie = ByteBuffer.allocate(COOKIE_BYTES)
                .put(cookieNonce)
                .put(CurveCrypto.seal(
                        concat(peerTransient, transientKeys.secretKey()), nonce("COOKIE--", cookieNonce), cookieKey))
                .array();
        byte[] welcomeNonce = randomBytes(LONG_NONCE_BYTES);
        byte[] box2 = CurveCrypto.box(
                concat(transientKeys.publicKey(), cookie),
                nonce("WELCOME-", welcomeNonce),
                peerTransient,
                permanent.secretKey());
        state = State.SERVER_EXPECTS_INITIATE;
        return new Step(command("WELCOME", concat(welcomeNonce, box2)), null);
    }

    private Step onWelcome(byte[] data, Map<String, byte[]> ownMetadata) {
        if (data.length != LONG_NONCE_BYTES + CurveCrypto.BOX_OVERHEAD_BYTES + CurveCrypto.KEY_BYTES + COOKIE_BYTES) {
            throw new ZmtpException("malformed CURVE WELCOME");
        }
        byte[] welcomeNonce = Arrays.copyOf(data, LONG_NONCE_BYTES);
        byte[] box = Arrays.copyOfRange(data, LONG_NONCE_BYTES, data.length);
        byte[] plain = open(box, nonce("WELCOME-", welcomeNonce), serverPublic, transientKeys.secretKey());
        if (plain == null) {
            throw new ZmtpException("CURVE WELCOME not from the server whose public key we hold");
        }
        peerTransient = Arrays.copyOf(plain, CurveCrypto.KEY_BYTES);
        byte[] cookie = Arrays.copyOfRange(plain, CurveCrypto.KEY_BYTES, plain.length);
        sessionKey = sharedKey(peerTransient, transientKeys.secretKey());
        byte[] vouchNonce = randomBytes(LONG_NONCE_BYTES);
        byte[] vouch = concat(
                vouchNonce,
                CurveCrypto.box(
                        concat(transientKeys.publicKey(), serverPublic),
                        nonce("VOUCH---", vouchNonce),
                        peerTransient,
                        permanent.secretKey()));
        long nonce = sendNonce++;
        byte[] inner = concat(concat(permanent.publicKey(), vouch), properties(ownMetadata));
        byte[] initiate = concat(
                concat(cookie, shortNonce(nonce)),
                CurveCrypto.seal(inner, nonce("CurveZMQINITIATE", shortNonce(nonce)), sessionKey));
        state = State.CLIENT_EXPECTS_READY;
        return new Step(command("INITIATE", initiate), null);
    }

    private Step onInitiate(byte[] data, Map<String, byte[]> ownMetadata) {
        int fixed =
                COOKIE_BYTES + SHORT_NONCE_BYTES + CurveCrypto.BOX_OVERHEAD_BYTES + CurveCrypto.KEY_BYTES + VOUCH_BYTES;
        if (data.length < fixed || data.length > fixed + METADATA_BYTES_MAX) {
            throw new ZmtpException("malformed CURVE INITIATE");
        }
        ByteBuffer in = ByteBuffer.wrap(data);
        byte[] cookieNonce = take(in, LONG_NONCE_BYTES);
        byte[] cookieBox = take(in, COOKIE_BYTES - LONG_NONCE_BYTES);
        byte[] nonce = take(in, SHORT_NONCE_BYTES);
        byte[] box = take(in, in.remaining());
        byte[] cookie = CurveCrypto.unseal(cookieBox, nonce("COOKIE--", cookieNonce), cookieKey);
        if (cookie == null
                || !Arrays.equals(Arrays.copyOf(cookie, CurveCrypto.KEY_BYTES), peerTransient)
                || !Arrays.equals(
                        Arrays.copyOfRange(cookie, CurveCrypto.KEY_BYTES, cookie.length), transientKeys.secretKey())) {
            throw new ZmtpException("CURVE INITIATE with a cookie this connection did not give");
        }
        acceptNonce(nonce);
        sessionKey = sharedKey(peerTransient, transientKeys.secretKey());
        byte[] plain = CurveCrypto.unseal(box, nonce("CurveZMQINITIATE", nonce), sessionKey);
        if (plain == null) {
            throw new ZmtpException("CURVE INITIATE does not authenticate");
        }
        byte[] client = Arrays.copyOf(plain, CurveCrypto.KEY_BYTES);
        byte[] vouchNonce = Arrays.copyOfRange(plain, CurveCrypto.KEY_BYTES, CurveCrypto.KEY_BYTES + LONG_NONCE_BYTES);
        byte[] vouchBox = Arrays.copyOfRange(
                plain, CurveCrypto.KEY_BYTES + LONG_NONCE_BYTES, CurveCrypto.KEY_BYTES + VOUCH_BYTES);
        byte[] vouch = open(vouchBox, nonce("VOUCH---", vouchNonce), client, transientKeys.secretKey());
        if (vouch == null || !Arrays.equals(vouch, concat(peerTransient, serverPublic))) {
            throw new ZmtpException("CURVE INITIATE's vouch does not prove the client's key");
        }
        Map<String, byte[]> metadata =
                ZmtpCodec.parseProperties(Arrays.copyOfRange(plain, CurveCrypto.KEY_BYTES + VOUCH_BYTES, plain.length));
        if (!serverConfig.clientAllowed().test(client.clone())) {
            throw new Refused("client key not allowed");
        }
        clientPublic = client;
        long readyNonce = sendNonce++;
        byte[] ready = concat(
                shortNonce(readyNonce),
                CurveCrypto.seal(
                        properties(ownMetadata), nonce("CurveZMQREADY---", shortNonce(readyNonce)), sessionKey));
        cookieKey = null;
        state = State.DONE;
        return new Step(command("READY", ready), metadata);
    }

    private Step onReady(byte[] data) {
        if (data.length < SHORT_NONCE_BYTES + CurveCrypto.BOX_OVERHEAD_BYTES
                || data.length > SHORT_NONCE_BYTES + CurveCrypto.BOX_OVERHEAD_BYTES + METADATA_BYTES_MAX) {
            throw new ZmtpException("malformed CURVE READY");
        }
        byte[] nonce = Arrays.copyOf(data, SHORT_NONCE_BYTES);
        acceptNonce(nonce);
        byte[] plain = CurveCrypto.unseal(
                Arrays.copyOfRange(data, SHORT_NONCE_BYTES, data.length), nonce("CurveZMQREADY---", nonce), sessionKey);
        if (plain == null) {
            throw new ZmtpException("CURVE READY does not authenticate");
        }
        state = State.DONE;
        return new Step(null, ZmtpCodec.parseProperties(plain));
    }

    /** One frame as a MESSAGE: a whole data frame (header included) ready to write. */
    public byte[] encode(byte[] payload, int innerFlags) {
        long nonce = sendNonce++;
        byte[] plain = new byte[1 + payload.length];
        plain[0] = (byte) innerFlags;
        System.arraycopy(payload, 0, plain, 1, payload.length);
        byte[] box = CurveCrypto.seal(plain, nonce(sendPrefix, shortNonce(nonce)), sessionKey);
        byte[] body = new byte[8 + SHORT_NONCE_BYTES + box.length];
        System.arraycopy(name("MESSAGE"), 0, body, 0, 8);
        ByteBuffer.wrap(body, 8, SHORT_NONCE_BYTES).putLong(nonce);
        System.arraycopy(box, 0, body, 8 + SHORT_NONCE_BYTES, box.length);
        return ZmtpCodec.frame(0, body);
    }

    /** The body of a ZMTP frame of ours (a handshake command, a MESSAGE), without its header: for other framings. */
    public static byte[] body(byte[] frame) {
        int header = (frame[0] & ZmtpCodec.FLAG_LONG) != 0 ? 9 : 2;
        return Arrays.copyOfRange(frame, header, frame.length);
    }

    /** A whole message, each frame boxed in a MESSAGE of its own, in one buffer ready to write. */
    java.nio.ByteBuffer encodeMessage(java.util.List<byte[]> frames) {
        byte[][] boxed = new byte[frames.size()][];
        int size = 0;
        for (int i = 0; i < frames.size(); i++) {
            boxed[i] = encode(frames.get(i), i < frames.size() - 1 ? INNER_MORE : 0);
            size += boxed[i].length;
        }
        ByteBuffer buffer = ByteBuffer.allocate(size);
        for (byte[] frame : boxed) {
            buffer.put(frame);
        }
        return buffer.flip();
    }

    /** A command frame of ours (PING, PONG: short, a 2-byte header) boxed with the COMMAND flag. */
    byte[] encodeCommand(byte[] frame) {
        if ((frame[0] & ZmtpCodec.FLAG_LONG) != 0) {
            throw new IllegalArgumentException("a long command is not boxed here");
        }
        return encode(Arrays.copyOfRange(frame, 2, frame.length), INNER_COMMAND);
    }

    /**
     * A received MESSAGE's plaintext: the inner flags byte, then the frame.
     *
     * @throws ZmtpException if it is not a MESSAGE, repeats or goes back in nonces, or does not authenticate
     */
    public byte[] decode(byte[] body) {
        byte[] name = name("MESSAGE");
        if (body.length < MESSAGE_OVERHEAD_BYTES || !Arrays.equals(body, 0, name.length, name, 0, name.length)) {
            throw new ZmtpException("expected a CURVE MESSAGE");
        }
        byte[] nonce = Arrays.copyOfRange(body, 8, 8 + SHORT_NONCE_BYTES);
        acceptNonce(nonce);
        byte[] plain = CurveCrypto.unseal(
                Arrays.copyOfRange(body, 8 + SHORT_NONCE_BYTES, body.length), nonce(receivePrefix, nonce), sessionKey);
        if (plain == null || plain.length < 1) {
            throw new ZmtpException("a CURVE MESSAGE does not authenticate");
        }
        return plain;
    }

    private void acceptNonce(byte[] shortNonce) {
        long nonce = ByteBuffer.wrap(shortNonce).getLong();
        if (Long.compareUnsigned(nonce, peerNonce) <= 0) {
            throw new ZmtpException("a CURVE nonce repeated or out of order");
        }
        peerNonce = nonce;
    }

    private static byte[] expect(ZmtpCodec.Command command, String name) {
        if (!command.name().equals(name)) {
            throw new ZmtpException("expected CURVE " + name + ", got " + command.name());
        }
        return command.data();
    }

    private static byte[] open(byte[] box, byte[] nonce, byte[] publicKey, byte[] secretKey) {
        try {
            return CurveCrypto.open(box, nonce, publicKey, secretKey);
        } catch (IllegalArgumentException e) {
            return null; // a public key of small order
        }
    }

    private static byte[] sharedKey(byte[] publicKey, byte[] secretKey) {
        try {
            return CurveCrypto.sharedKey(publicKey, secretKey);
        } catch (IllegalArgumentException e) {
            throw new ZmtpException("CURVE peer sent a short-term key of small order");
        }
    }

    private static byte[] nonce(String prefix, byte[] suffix) {
        return concat(prefix.getBytes(StandardCharsets.US_ASCII), suffix);
    }

    private static byte[] shortNonce(long nonce) {
        return ByteBuffer.allocate(SHORT_NONCE_BYTES).putLong(nonce).array();
    }

    private static byte[] randomBytes(int count) {
        byte[] bytes = new byte[count];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    private static byte[] take(ByteBuffer in, int count) {
        byte[] bytes = new byte[count];
        in.get(bytes);
        return bytes;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] joined = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, joined, a.length, b.length);
        return joined;
    }

    private static byte[] name(String name) {
        byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
        return concat(new byte[] {(byte) bytes.length}, bytes);
    }

    private static byte[] command(String name, byte[] data) {
        return ZmtpCodec.frame(ZmtpCodec.FLAG_COMMAND, concat(name(name), data));
    }

    private static byte[] properties(Map<String, byte[]> properties) {
        return ZmtpCodec.properties(properties);
    }

    /** An ERROR command frame (spec 23): its reason, at most 255 bytes. */
    static byte[] errorCommand(String reason) {
        byte[] text = reason.getBytes(StandardCharsets.US_ASCII);
        byte[] data =
                concat(new byte[] {(byte) Math.min(255, text.length)}, Arrays.copyOf(text, Math.min(255, text.length)));
        return command("ERROR", data);
    }
}
