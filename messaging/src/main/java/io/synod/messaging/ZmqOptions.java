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
 * <p>Known JeroMQ 0.6.0 race, and its cure ({@link #nudge}): a newly connected socket sometimes sends
 * nothing, not even its greeting, until its context's I/O thread next changes what it polls. When a
 * connection completes, the connecter's poller handle is retired and the engine's handle for the same
 * channel added; if both are in the poller's handle set at its next update and the engine's comes
 * first (a hash-set order), the engine's fresh selection key is registered and then cancelled as the
 * connecter's. Nothing is polled for that connection until another update (a connect, a bind, a
 * close, a send that wakes an idle pipe) registers it again; timers such as heartbeats do not cure it.
 * Captured on the long run's broker port (tcpdump, 180 s): 118 of 2,087 and 181 of 1,269 fresh REQ
 * connections sat silent for their whole 3 s attempt, with our broker and with a JeroMQ one alike.
 * Synod's servers send to the reference every second, which cures it within a second; Synod's client
 * ({@code ClientLoop}) nudges while a reply is late; code with one quiet socket must do one of these.
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
    /** While a reply or a first message is awaited, the context is {@linkplain #nudge nudged} this often. */
    public static final int NUDGE_INTERVAL_MILLIS = 200;

    private ZmqOptions() {}

    /**
     * Cures the race described above for every socket of {@code context}: binding a throwaway socket to a free
     * loopback port and closing it makes the context's I/O thread update what it polls, which registers a stuck
     * connection again. Harmless when nothing is stuck; no traffic to any peer. Best effort: a nudge that cannot
     * bind (no free port) or finds the context closing is skipped, never thrown. Reliable for a context with one
     * I/O thread, as every Synod context has: with more, the throwaway lands on the least loaded one, which need
     * not be the stuck socket's. Call from any thread that may create sockets in the context.
     */
    public static void nudge(ZContext context) {
        ZMQ.Socket throwaway;
        try {
            throwaway = context.createSocket(SocketType.DEALER);
        } catch (RuntimeException e) {
            return; // the context is closing
        }
        try {
            throwaway.setLinger(0);
            throwaway.bind("tcp://127.0.0.1:*");
        } catch (RuntimeException e) {
            // skipped: the next nudge, or the caller's retry, tries again
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
