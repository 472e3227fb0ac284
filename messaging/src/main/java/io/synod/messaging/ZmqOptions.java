package io.synod.messaging;

import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * Socket options Synod sets on the sockets its processes <em>connect</em> (a server's DEALER to the
 * broker, PUB to the proxy, REQ to the reference).
 *
 * <p>ZMTP heartbeats (PING/PONG, ZeroMQ 4.2+): a dead or silently vanished peer is noticed within
 * {@link #HEARTBEAT_TIMEOUT_MILLIS} and the socket reconnects on its own.
 *
 * <p>Known JeroMQ 0.6.0 race (reproduced here on JDK 17 and 25, a few percent of fresh contexts on
 * loopback): a newly connected socket sometimes sends nothing until its context's I/O thread
 * receives another <em>command</em> (a connect, a close, a send that wakes an idle pipe); timer
 * wake-ups such as heartbeats do not cure it. Synod's servers send to the reference every second,
 * which cures it within a second; clients recover through their Lazy Pirate retries, which recreate
 * the socket. Code with one quiet socket must do one of these.
 *
 * <p>Bound sockets (broker, proxy, reference) get no heartbeats, so that foreign peers with older
 * ZeroMQ versions are never disconnected for not answering PINGs.
 *
 * <p>Thread-safety: stateless; call from the thread that owns the socket.
 */
public final class ZmqOptions {
    /** How often a connected socket sends a ZMTP PING. */
    public static final int HEARTBEAT_INTERVAL_MILLIS = 1_000;
    /** How long without any traffic after a PING before the connection is dropped and retried. */
    public static final int HEARTBEAT_TIMEOUT_MILLIS = 10_000;

    private ZmqOptions() {}

    /**
     * Cures the race described above for a quiet socket of {@code context}: connecting and closing a
     * throwaway socket hands the context's I/O thread a command, which releases a stuck connection.
     * Harmless when nothing is stuck. Call from any thread that may create sockets in the context.
     */
    public static void nudge(ZContext context, String endpoint) {
        ZMQ.Socket throwaway = context.createSocket(SocketType.DEALER);
        try {
            throwaway.setLinger(0);
            throwaway.connect(endpoint);
        } finally {
            throwaway.close();
        }
    }

    /** Applies the heartbeat options; call before {@code connect}. */
    public static void heartbeats(ZMQ.Socket socket) {
        socket.setHeartbeatIvl(HEARTBEAT_INTERVAL_MILLIS);
        socket.setHeartbeatTimeout(HEARTBEAT_TIMEOUT_MILLIS);
        socket.setHeartbeatTtl(HEARTBEAT_TIMEOUT_MILLIS);
    }
}
