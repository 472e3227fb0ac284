package io.synod.messaging;

import org.zeromq.ZMQ;

/**
 * Socket options Synod sets on the sockets its processes <em>connect</em> (a server's DEALER to the
 * broker, PUB to the proxy, REQ to the reference).
 *
 * <p>ZMTP heartbeats (PING/PONG, ZeroMQ 4.2+): a dead peer is noticed within
 * {@link #HEARTBEAT_TIMEOUT_MILLIS} and the socket reconnects. They also work around a JeroMQ 0.6.0
 * race seen here on JDK 17 and 25: a freshly connected socket occasionally (a few percent of new
 * contexts on loopback) sends nothing until the context's I/O thread wakes up for another reason.
 * Heartbeat timers wake that thread every {@link #HEARTBEAT_INTERVAL_MILLIS}, so a stuck connect
 * heals within about a second instead of never. A process with a single quiet socket should also
 * retry (Lazy Pirate), which recreates the socket.
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

    /** Applies the heartbeat options; call before {@code connect}. */
    public static void heartbeats(ZMQ.Socket socket) {
        socket.setHeartbeatIvl(HEARTBEAT_INTERVAL_MILLIS);
        socket.setHeartbeatTimeout(HEARTBEAT_TIMEOUT_MILLIS);
        socket.setHeartbeatTtl(HEARTBEAT_TIMEOUT_MILLIS);
    }
}
