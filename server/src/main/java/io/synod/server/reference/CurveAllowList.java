package io.synod.server.reference;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * The reference's ZAP handler (rfc.zeromq.org/spec/27): JeroMQ asks it, over {@code inproc://zeromq.zap.01} in the
 * reference's own context, whether a CURVE client that finished its handshake may stay, and it answers {@code 200}
 * only for the cluster's server public key. Without it JeroMQ's CURVE server accepts any client key, so anyone who
 * knew the server public key could ask {@code rank} and {@code heartbeat} and take a rank; with it only the
 * cluster's own servers (who connect with the server key pair) are served. A refused client gets ZMTP's
 * {@code ERROR} and no reply.
 *
 * <p>Not thread-safe: the reference's serving thread owns the socket; it binds at construction, before the
 * reference's own socket binds, so no handshake can come before the handler.
 */
final class CurveAllowList implements AutoCloseable {
    static final String ZAP_ENDPOINT = "inproc://zeromq.zap.01";
    /** The ZAP domain the reference's socket names (JeroMQ asks the handler only for a socket with a domain). */
    static final String ZAP_DOMAIN = "synod";

    private static final String ZAP_VERSION = "1.0";
    private static final String MECHANISM_CURVE = "CURVE";
    /** Version, request id, domain, address, identity, mechanism, then one credential frame for CURVE. */
    private static final int CURVE_REQUEST_FRAMES = 7;
    /** A request with more frames than this is not ZAP; its excess is drained and it is refused. */
    private static final int REQUEST_FRAMES_MAX = 16;

    /** ZAP requests answered in one turn of the serving loop at most, so handshakes cannot starve requests. */
    private static final int REQUESTS_PER_TURN_MAX = 64;

    private final ZMQ.Socket socket;
    private final byte[] allowedKey;
    private long refused;

    CurveAllowList(ZContext context, byte[] allowedKey) {
        this.allowedKey = allowedKey.clone();
        this.socket = context.createSocket(SocketType.REP);
        socket.setLinger(0);
        socket.bind(ZAP_ENDPOINT);
    }

    ZMQ.Socket socket() {
        return socket;
    }

    /** Clients refused so far. */
    long refused() {
        return refused;
    }

    /**
     * Answers every pending ZAP request; never blocks. Called on every turn of the serving loop, not only when the
     * poller says so: a ZeroMQ socket's readiness is signalled once per batch, so a request that came while another
     * was being answered must not wait for a next signal.
     */
    void answerPending() {
        for (int i = 0; i < REQUESTS_PER_TURN_MAX && answerOne(); i++) {
            // next
        }
    }

    /** Answers one pending ZAP request; false if there was none. */
    private boolean answerOne() {
        byte[] first = socket.recv(ZMQ.DONTWAIT);
        if (first == null) {
            return false;
        }
        List<byte[]> frames = new ArrayList<>();
        frames.add(first);
        while (socket.hasReceiveMore()) {
            byte[] frame = socket.recv(0);
            if (frames.size() < REQUEST_FRAMES_MAX) {
                frames.add(frame);
            }
        }
        byte[] requestId = frames.size() > 1 ? frames.get(1) : new byte[0];
        boolean allowed = frames.size() == CURVE_REQUEST_FRAMES
                && ZAP_VERSION.equals(text(frames.get(0)))
                && MECHANISM_CURVE.equals(text(frames.get(5)))
                && MessageDigest.isEqual(frames.get(6), allowedKey);
        if (!allowed) {
            refused++;
        }
        socket.sendMore(ZAP_VERSION);
        socket.sendMore(requestId);
        socket.sendMore(allowed ? "200" : "400");
        socket.sendMore(allowed ? "OK" : "client key not allowed");
        socket.sendMore(""); // user id
        socket.send(new byte[0], 0); // metadata
        return true;
    }

    private static String text(byte[] frame) {
        return new String(frame, StandardCharsets.US_ASCII);
    }

    @Override
    public void close() {
        socket.close();
    }
}
