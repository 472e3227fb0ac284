package io.synod.messaging.zmtp;

import io.synod.messaging.Closeables;
import io.synod.messaging.zmtp.ZmtpCodec.SocketType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * One ZMTP connection on a non-blocking socket, read and written by the thread that owns its {@link Selector}:
 * it sends our greeting (its signature first, the rest after the peer's signature) and READY, checks the
 * peer's, answers PINGs, and then hands each whole message to its {@link Handler}. Outgoing messages wait in a
 * bounded queue ({@link Limits#queueMessagesMax}, {@link Limits#queueBytesMax}) and are written, several in one
 * write, by {@link #flush}.
 *
 * <p>A protocol violation, a limit exceeded, an incompatible socket type or an I/O error closes the connection
 * ({@link #closeReason} says why) and the handler hears {@link Handler#closed} once.
 *
 * <p>Not thread-safe: everything runs on the selector's thread.
 */
public final class ZmtpConnection implements ZmtpCodec.Sink {
    /** What the owner of a connection hears from it. */
    public interface Handler {
        /** The handshake is done: the peer's type and identity are known and messages may be sent. */
        void ready(ZmtpConnection connection);

        /**
         * A whole message. A ZMTP 3.1 SUBSCRIBE or CANCEL command arrives here in the 3.0 form (one frame, 1 or 0
         * then the topic), so the two look the same.
         */
        void message(ZmtpConnection connection, List<byte[]> frames);

        /** The connection closed (by the peer, an error, or {@link #close}); called once. */
        void closed(ZmtpConnection connection);
    }

    /**
     * Limits of one connection.
     *
     * @param frameBytesMax largest frame accepted from the peer
     * @param messageFramesMax most frames in one received message
     * @param messageBytesMax most bytes in one received message
     * @param queueMessagesMax most messages waiting to be written (ZeroMQ's high-water mark)
     * @param queueBytesMax most bytes waiting to be written
     * @param readBytesPerTurnMax most bytes read from this connection per {@link #readable} call, so one busy
     *     peer cannot starve the others
     */
    public record Limits(
            int frameBytesMax,
            int messageFramesMax,
            long messageBytesMax,
            int queueMessagesMax,
            long queueBytesMax,
            int readBytesPerTurnMax) {
        public Limits {
            if (frameBytesMax <= 0
                    || messageFramesMax <= 0
                    || messageBytesMax <= 0
                    || queueMessagesMax <= 0
                    || queueBytesMax <= 0
                    || readBytesPerTurnMax <= 0) {
                throw new IllegalArgumentException("every ZMTP connection limit must be positive");
            }
        }
    }

    /** Our greeting, sent in two parts. */
    private static final byte[] GREETING = ZmtpCodec.greeting();

    private final SocketChannel channel;
    private final SelectionKey key;
    private final SocketType ownType;
    private final Limits limits;
    private final Handler handler;
    private ZmtpCodec.Decoder decoder;
    private final String remote;
    private final ZmtpOutbox queue = new ZmtpOutbox();
    private byte[] peerIdentity = new byte[0];
    /** The identity our READY announces; empty for none. */
    private byte[] ownIdentity = new byte[0];

    private boolean ready;
    private boolean closed;
    private boolean readPaused;
    private String closeReason;
    private long lastReceivedNanos;
    /** The time-to-live the peer announced in its PINGs; 0 until it sends one. */
    private long peerTtlNanos;
    /** NULL, or CURVE as its server or client ({@link #secure}). */
    private ZmtpSecurity security = ZmtpSecurity.NULL;
    /** Our greeting, for {@link #security}. */
    private byte[] greeting = GREETING;
    /** The CURVE handshake and boxes; null under NULL. */
    private CurveMechanism curve;
    /** Under CURVE, the frames of a message being received (each arrives boxed alone). */
    private java.util.ArrayList<byte[]> inbound = new java.util.ArrayList<>();

    private long inboundBytes;
    /** Free for the owner (the broker keeps a client's routing id here). */
    public Object attachment;

    /**
     * Takes over a connected (or accepted) socket: registers it for reading with {@code selector} and sends our
     * greeting's signature (the rest of the handshake follows the peer's).
     *
     * @param keyAttachment what the selection key carries for the owner's dispatch; null for this connection
     * @throws IOException if the socket cannot be configured or registered
     */
    public ZmtpConnection(
            SocketChannel channel,
            Selector selector,
            SocketType ownType,
            Limits limits,
            Handler handler,
            Object keyAttachment,
            long nowNanos)
            throws IOException {
        this.channel = channel;
        this.ownType = ownType;
        this.limits = limits;
        this.handler = handler;
        this.decoder =
                new ZmtpCodec.Decoder(limits.frameBytesMax(), limits.messageFramesMax(), limits.messageBytesMax());
        this.lastReceivedNanos = nowNanos;
        this.remote = String.valueOf(channel.socket().getRemoteSocketAddress());
        channel.configureBlocking(false);
        channel.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
        this.key = channel.register(selector, SelectionKey.OP_READ, keyAttachment == null ? this : keyAttachment);
        // As libzmq and JeroMQ do: the signature at once, the rest of the greeting once the peer's signature is
        // in, the READY once its greeting is, so a peer meets the handshake in the order its own library uses.
        enqueue(ByteBuffer.wrap(GREETING, 0, ZmtpCodec.SIGNATURE_BYTES));
    }

    /** Announces {@code identity} (ZeroMQ's routing id) in our READY; call before the handshake, right after opening. */
    public void identify(byte[] identity) {
        ownIdentity = identity.clone();
    }

    /**
     * Speaks {@code security} on this connection instead of NULL: call right after opening, before the peer's
     * greeting is read (the signature, the same for every mechanism, may be out already).
     */
    public void secure(ZmtpSecurity security) {
        this.security = security;
        this.greeting = ZmtpCodec.greeting(security);
        if (security.isCurve()) {
            this.curve = new CurveMechanism(security);
            // each frame arrives boxed in a MESSAGE of its own, a little longer than the frame
            this.decoder = new ZmtpCodec.Decoder(
                    limits.frameBytesMax() + CurveMechanism.MESSAGE_OVERHEAD_BYTES,
                    1,
                    limits.messageBytesMax() + CurveMechanism.MESSAGE_OVERHEAD_BYTES);
        }
    }

    /**
     * The peer's long-term CURVE public key, proven in the handshake (a CURVE server's view); null under NULL or
     * before the handshake.
     */
    public byte[] peerPublicKey() {
        return curve == null || !ready ? null : curve.clientPublicKey();
    }

    /** The identity the peer gave in its READY (empty if none). */
    public byte[] peerIdentity() {
        return peerIdentity.clone();
    }

    /** The peer's address, for logs. */
    public String remote() {
        return remote;
    }

    /** Whether the handshake is done and not closed. */
    public boolean isReady() {
        return ready && !closed;
    }

    /** Why the connection closed, or null while open. */
    public String closeReason() {
        return closeReason;
    }

    /** Whether one more message may be queued now. */
    private boolean hasRoom() {
        return !closed && queue.size() < limits.queueMessagesMax() && queue.bytes() < limits.queueBytesMax();
    }

    /**
     * Queues a message for the next {@link #flush}.
     *
     * @return false, queuing nothing, if the connection is not ready or its queue is full
     */
    public boolean send(List<byte[]> frames) {
        if (!isReady() || !hasRoom()) {
            return false;
        }
        if (curve == null) {
            enqueue(ZmtpCodec.message(frames));
            return true;
        }
        enqueue(curve.encodeMessage(frames));
        return true;
    }

    /**
     * As {@link #send(List)}, given the frames' encoding ({@link ZmtpCodec#message}) made once for every receiver
     * of a publication: under NULL it is shared (never written to; each connection reads its own view), under
     * CURVE the frames are boxed for this connection.
     */
    public boolean send(List<byte[]> frames, ByteBuffer encoded) {
        if (!isReady() || !hasRoom()) {
            return false;
        }
        enqueue(curve == null ? encoded.duplicate() : curve.encodeMessage(frames));
        return true;
    }

    private void enqueue(ByteBuffer buffer) {
        queue.add(buffer);
    }

    /** Queues a handshake part or a command of our own (never refused) and asks to be told when it can be written. */
    private void enqueueControl(ByteBuffer buffer) {
        enqueue(buffer);
        interest();
    }

    /** Whether anything waits to be written. */
    public boolean hasOutput() {
        return !queue.isEmpty() && !closed;
    }

    /**
     * Writes as much of the queue as the socket takes now ({@link ZmtpOutbox#writeTo}: one write call for many
     * messages); asks the selector for writability if some remains.
     */
    public void flush() {
        if (closed) {
            return;
        }
        try {
            queue.writeTo(channel);
            interest();
        } catch (IOException e) {
            close("write failed: " + e.getMessage());
        }
    }

    /**
     * Stops or resumes reading from this peer (back-pressure: its messages stay in the kernel's buffers and
     * then in the peer's own queue).
     */
    public void pauseReading(boolean paused) {
        if (readPaused != paused && !closed) {
            readPaused = paused;
            interest();
        }
    }

    private void interest() {
        try {
            int ops = (readPaused ? 0 : SelectionKey.OP_READ) | (queue.isEmpty() ? 0 : SelectionKey.OP_WRITE);
            if (key.interestOps() != ops) {
                key.interestOps(ops);
            }
        } catch (CancelledKeyException e) {
            close("key cancelled");
        }
    }

    /**
     * Reads what the socket has (up to {@link Limits#readBytesPerTurnMax}) into {@code scratch} and hands every
     * complete unit on; closes the connection on end of stream, an I/O error or a protocol violation.
     *
     * <p>A read that leaves room in {@code scratch} took everything the socket held, so no second read follows to
     * hear it say so (a system call per message, a third of the broker's): the owner's level-triggered selector
     * reports the socket again when more arrives, or at once if more came meanwhile. Only a read that fills the
     * buffer reads again, up to the turn's budget.
     *
     * @param scratch a buffer the owner reuses for every connection (its content is consumed here)
     */
    public void readable(ByteBuffer scratch, long nowNanos) {
        int total = 0;
        try {
            while (!closed && !readPaused && total < limits.readBytesPerTurnMax()) {
                scratch.clear();
                int room = scratch.remaining();
                int read = channel.read(scratch);
                if (read < 0) {
                    close("closed by the peer");
                    return;
                }
                if (read == 0) {
                    return;
                }
                total += read;
                lastReceivedNanos = nowNanos;
                scratch.flip();
                decoder.feed(scratch, this);
                if (read < room) {
                    return; // the socket is drained for now
                }
            }
        } catch (IOException e) {
            close("read failed: " + e.getMessage());
        } catch (CurveMechanism.Refused e) {
            // the client hears why before the connection closes (as libzmq's ZAP failure sends ERROR)
            enqueue(ByteBuffer.wrap(e.error));
            flush();
            close(e.getMessage());
        } catch (ZmtpException e) {
            close(e.getMessage());
        }
    }

    @Override
    public void signature() {
        enqueueControl(ByteBuffer.wrap(
                greeting, ZmtpCodec.SIGNATURE_BYTES, ZmtpCodec.GREETING_BYTES - ZmtpCodec.SIGNATURE_BYTES));
    }

    @Override
    public void greeting(byte[] greeting) {
        ZmtpCodec.checkGreeting(greeting, security); // a bad one closes the connection before any command is read
        if (curve == null) {
            enqueueControl(ByteBuffer.wrap(ZmtpCodec.ready(ownType, ownIdentity)));
        } else if (!curve.isServer()) {
            enqueueControl(ByteBuffer.wrap(curve.hello()));
        }
    }

    @Override
    public void command(byte[] body) {
        if (closed) {
            return;
        }
        ZmtpCodec.Command command = ZmtpCodec.parseCommand(body);
        if (curve != null) {
            if (!curve.isDone()) {
                CurveMechanism.Step step = curve.handshake(command, ZmtpCodec.metadata(ownType, ownIdentity));
                if (step.reply() != null) {
                    enqueueControl(ByteBuffer.wrap(step.reply()));
                }
                if (step.peerMetadata() != null) {
                    peerReady(step.peerMetadata());
                }
                return;
            }
            if (!command.name().equals("MESSAGE")) {
                throw new ZmtpException("an unboxed " + command.name() + " command on a CURVE connection");
            }
            unboxed(curve.decode(body));
            return;
        }
        if (!ready) {
            if (!command.name().equals("READY")) {
                throw new ZmtpException("expected READY, got " + command.name());
            }
            peerReady(ZmtpCodec.parseProperties(command.data()));
            return;
        }
        readyCommand(command);
    }

    /** The peer's metadata (READY's, or CURVE's INITIATE or READY) is in: checks its socket type. */
    private void peerReady(Map<String, byte[]> properties) {
        byte[] typeBytes = properties.get("Socket-Type");
        SocketType type = typeBytes == null ? null : SocketType.named(new String(typeBytes, StandardCharsets.US_ASCII));
        if (type == null || !ownType.accepts(type)) {
            throw new ZmtpException("a " + ownType + " socket does not talk to a "
                    + (typeBytes == null
                            ? "peer without a socket type"
                            : new String(typeBytes, StandardCharsets.US_ASCII)));
        }
        byte[] identity = properties.get("Identity");
        peerIdentity = identity == null ? new byte[0] : identity;
        ready = true;
        handler.ready(this);
    }

    /** A CURVE MESSAGE's plaintext: the inner flags, then a frame of a message or a command. */
    private void unboxed(byte[] plain) {
        int flags = plain[0] & 0xFF;
        byte[] frame = java.util.Arrays.copyOfRange(plain, 1, plain.length);
        if ((flags & CurveMechanism.INNER_COMMAND) != 0) {
            if (!inbound.isEmpty()) {
                throw new ZmtpException("a command frame inside a message");
            }
            readyCommand(ZmtpCodec.parseCommand(frame));
            return;
        }
        inbound.add(frame);
        inboundBytes += frame.length;
        if (inbound.size() > limits.messageFramesMax() || inboundBytes > limits.messageBytesMax()) {
            throw new ZmtpException("message of more than " + limits.messageFramesMax() + " frames or "
                    + limits.messageBytesMax() + " bytes");
        }
        if ((flags & CurveMechanism.INNER_MORE) == 0) {
            List<byte[]> message = inbound;
            inbound = new java.util.ArrayList<>(4);
            inboundBytes = 0;
            handler.message(this, message);
        }
    }

    /** A command after the handshake. */
    private void readyCommand(ZmtpCodec.Command command) {
        switch (command.name()) {
            case "PING" -> {
                byte[] data = command.data();
                if (data.length < 2) {
                    throw new ZmtpException("malformed PING");
                }
                int ttlDeciseconds = ((data[0] & 0xFF) << 8) | (data[1] & 0xFF);
                peerTtlNanos = ttlDeciseconds * 100_000_000L;
                enqueueCommand(ZmtpCodec.pong(java.util.Arrays.copyOfRange(data, 2, data.length)));
            }
            case "SUBSCRIBE" -> handler.message(this, ZmtpCodec.subscription(true, command.data()));
            case "CANCEL" -> handler.message(this, ZmtpCodec.subscription(false, command.data()));
            case "ERROR" -> throw new ZmtpException("peer reported an error");
            default -> {
                // PONG and unknown commands are ignored (spec 37: a peer must ignore unknown commands).
            }
        }
    }

    @Override
    public void message(List<byte[]> frames) {
        if (closed) {
            return;
        }
        if (!ready) {
            throw new ZmtpException("a message before the handshake");
        }
        if (curve != null) {
            for (byte[] frame : frames) {
                if (!closed) {
                    unboxed(curve.decode(frame));
                }
            }
            return;
        }
        handler.message(this, frames);
    }

    /** When bytes last arrived from the peer ({@link System#nanoTime}). */
    public long lastReceivedNanos() {
        return lastReceivedNanos;
    }

    /** Queues a PING telling the peer to consider us gone after {@code ttlMillis} of silence. */
    public void ping(long ttlMillis) {
        if (closed) {
            return;
        }
        enqueueCommand(ZmtpCodec.ping(ttlMillis));
    }

    /** Queues a command of ours after the handshake: as it is under NULL, boxed with the COMMAND flag under CURVE. */
    private void enqueueCommand(byte[] frame) {
        if (curve == null) {
            enqueueControl(ByteBuffer.wrap(frame));
            return;
        }
        enqueueControl(ByteBuffer.wrap(curve.encodeCommand(frame)));
    }

    /** Closes the connection if the peer announced a time-to-live in its PINGs and nothing arrived for that long. */
    public void checkAlive(long nowNanos) {
        if (!closed && peerTtlNanos > 0 && nowNanos - lastReceivedNanos > peerTtlNanos) {
            close("peer silent for longer than its heartbeat time-to-live");
        }
    }

    /** Closes the socket and tells the handler (once); queued messages are dropped. */
    public void close(String reason) {
        if (closed) {
            return;
        }
        closed = true;
        closeReason = reason;
        key.cancel();
        Closeables.closeQuietly(channel);
        queue.clear();
        handler.closed(this);
    }
}
