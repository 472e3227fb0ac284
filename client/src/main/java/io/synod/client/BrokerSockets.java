package io.synod.client;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZEvent;
import org.zeromq.ZMQ;
import org.zeromq.ZMonitor;

/**
 * The client's way to its brokers: one DEALER connected to every broker of {@link ClientConfig#brokerEndpoints()}.
 *
 * <p>With one broker the DEALER is what it always was: a send is queued even before the connection is made. With
 * several, the DEALER queues only to completed connections ({@code ZMQ_IMMEDIATE}) and deals the requests round-robin
 * among them, so a request never waits in the queue of a broker that is down; and a monitor reports each connection
 * made and lost. The loop resends, with the same {@code client_id} and {@code request_id}, every request in flight
 * when a connection is lost (its reply might have been on that connection: the server's exactly-once record answers a
 * copy that was applied), and every request that could not be queued when one is made (docs/protocol.md, "Several
 * brokers and proxies").
 *
 * <p>Not thread-safe: owned by the client's I/O thread.
 */
final class BrokerSockets {
    /** What the monitor reported since the last look. */
    enum Change {
        NONE,
        /** A connection was made: what could not be queued can be now. */
        CONNECTED,
        /** A connection was lost: what was in flight on it will get no reply. */
        DISCONNECTED
    }

    /**
     * With several brokers, how soon a request no connection took is offered again: a connection the monitor reports
     * made takes messages only once its handshake is through, a moment later.
     */
    static final long UNQUEUED_RETRY_MILLIS = 10;

    private static final int MONITORED_EVENTS = ZMQ.EVENT_CONNECTED | ZMQ.EVENT_DISCONNECTED;

    private final ZContext context;
    private final ZMQ.Poller poller;
    private final List<String> endpoints;
    private final boolean several;
    private final String described;
    /** The brokers with a completed connection, by the address the monitor names (several brokers only). */
    private final Set<String> connected = new HashSet<>();

    private ZMQ.Socket dealer;
    private int dealerIndex;
    private ZMQ.Socket monitor;
    private int monitorIndex;
    private long monitorsOpened;

    BrokerSockets(ZContext context, ZMQ.Poller poller, List<String> endpoints) {
        this.context = context;
        this.poller = poller;
        this.endpoints = List.copyOf(endpoints);
        this.several = endpoints.size() > 1;
        this.described = String.join(",", endpoints);
        reopen();
    }

    /** The brokers, as the logs and errors name them. */
    String described() {
        return described;
    }

    /** Whether there are several brokers (then connections are watched and sends may find none). */
    boolean several() {
        return several;
    }

    /** How many brokers have a completed connection now; with one broker, 1 (it is not watched). */
    int connectedCount() {
        return several ? connected.size() : 1;
    }

    /** Closes the DEALER, dropping any late reply, and connects a new one to every broker (Lazy Pirate). */
    void reopen() {
        closeSockets();
        connected.clear();
        dealer = context.createSocket(SocketType.DEALER);
        dealer.setLinger(0);
        if (several) {
            dealer.setImmediate(true);
            String address = "inproc://synod-client-brokers-" + System.identityHashCode(this) + "-" + monitorsOpened++;
            dealer.monitor(address, MONITORED_EVENTS);
            monitor = context.createSocket(SocketType.PAIR);
            monitor.connect(address);
            monitorIndex = poller.register(monitor, ZMQ.Poller.POLLIN);
        }
        for (String endpoint : endpoints) {
            dealer.connect(endpoint);
        }
        dealerIndex = poller.register(dealer, ZMQ.Poller.POLLIN);
    }

    /** Queues one request without blocking; false if no connection takes it now. */
    boolean send(byte[] payload) {
        return dealer.send(new byte[0], ZMQ.SNDMORE | ZMQ.DONTWAIT) && dealer.send(payload, ZMQ.DONTWAIT);
    }

    /** The next reply's last frame, or null if none waits. */
    byte[] receive() {
        if (!poller.pollin(dealerIndex)) {
            return null;
        }
        byte[] frame = dealer.recv(ZMQ.DONTWAIT);
        if (frame == null) {
            return null;
        }
        byte[] payload = frame;
        while (dealer.hasReceiveMore()) {
            payload = dealer.recv();
        }
        return payload;
    }

    /** Takes the monitor's events; a lost connection outweighs a made one. */
    Change takeChange() {
        if (monitor == null || !poller.pollin(monitorIndex)) {
            return Change.NONE;
        }
        Change change = Change.NONE;
        ZEvent event;
        while ((event = ZEvent.recv(monitor, ZMQ.DONTWAIT)) != null) {
            if (event.getEvent() == ZMonitor.Event.DISCONNECTED) {
                connected.remove(event.getAddress());
                change = Change.DISCONNECTED;
            } else if (event.getEvent() == ZMonitor.Event.CONNECTED) {
                connected.add(event.getAddress());
                change = change == Change.NONE ? Change.CONNECTED : change;
            }
        }
        return change;
    }

    private void closeSockets() {
        if (dealer != null) {
            poller.unregister(dealer);
            if (monitor != null) {
                dealer.monitor(null, 0);
            }
            dealer.close();
        }
        if (monitor != null) {
            poller.unregister(monitor);
            monitor.close();
            monitor = null;
        }
    }
}
