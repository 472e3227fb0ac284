package io.synod.client;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZEvent;
import org.zeromq.ZMQ;
import org.zeromq.ZMonitor;

/**
 * The client's way to its brokers ({@link ClientConfig#brokerEndpoints()}): one DEALER per broker.
 *
 * <p>With one broker this is the DEALER the client always had: a send is queued even before the connection is made,
 * and the Lazy Pirate timeout deals with a broker that does not answer. With several, a monitor per DEALER reports
 * each connection made and lost, and a request goes through the next broker whose connection is up (round robin),
 * or through every broker while none is up (the first reply wins; the others are dropped as stale). The loop
 * resends, with the same {@code client_id} and {@code request_id}, the requests in flight through a broker whose
 * connection is lost: their replies would have come back on it. (One DEALER connected to every broker would not do:
 * JeroMQ goes on dealing messages to a connection it lost, where they wait for it to come back.)
 *
 * <p>Not thread-safe: owned by the client's I/O thread.
 */
final class BrokerSockets {
    /** What {@link #send} returns for a request sent through every broker (none was known up). */
    static final int EVERY_BROKER = -1;
    /** What {@link #send} returns when no DEALER took the request (its queue is full); it is retried at its timeout. */
    static final int NOT_QUEUED = -2;

    private static final int MONITORED_EVENTS = ZMQ.EVENT_CONNECTED | ZMQ.EVENT_DISCONNECTED;

    private final ZContext context;
    private final ZMQ.Poller poller;
    private final List<String> endpoints;
    private final boolean several;
    private final String described;
    private final ZMQ.Socket[] dealers;
    private final int[] dealerIndexes;
    private final ZMQ.Socket[] monitors;
    private final int[] monitorIndexes;
    /** Whether each broker's connection is up, as its monitor last said (several brokers only). */
    private final boolean[] up;
    /** The broker {@link #send} tries first. */
    private int next;

    private long monitorsOpened;
    /** Applied to each DEALER before it connects: secure mode's CURVE keys, or nothing. */
    private final Consumer<ZMQ.Socket> beforeConnect;

    BrokerSockets(ZContext context, ZMQ.Poller poller, List<String> endpoints, Consumer<ZMQ.Socket> beforeConnect) {
        this.context = context;
        this.beforeConnect = beforeConnect;
        this.poller = poller;
        this.endpoints = List.copyOf(endpoints);
        this.several = endpoints.size() > 1;
        this.described = String.join(",", endpoints);
        int count = endpoints.size();
        this.dealers = new ZMQ.Socket[count];
        this.dealerIndexes = new int[count];
        this.monitors = new ZMQ.Socket[count];
        this.monitorIndexes = new int[count];
        this.up = new boolean[count];
        reopen();
    }

    /** The brokers, as the logs and errors name them. */
    String described() {
        return described;
    }

    /** Broker {@code index}'s endpoint, or every broker's for {@link #EVERY_BROKER}. */
    String described(int index) {
        return index >= 0 ? endpoints.get(index) : described;
    }

    /** How many brokers have a connection up now; with one broker, 1 (it is not watched). */
    int upCount() {
        if (!several) {
            return 1;
        }
        int count = 0;
        for (boolean isUp : up) {
            count += isUp ? 1 : 0;
        }
        return count;
    }

    /** Closes every DEALER, dropping any late reply, and connects new ones (Lazy Pirate). */
    void reopen() {
        for (int i = 0; i < dealers.length; i++) {
            close(i);
            up[i] = false;
            dealers[i] = context.createSocket(SocketType.DEALER);
            dealers[i].setLinger(0);
            if (several) {
                String address =
                        "inproc://synod-client-broker-" + System.identityHashCode(this) + "-" + monitorsOpened++;
                dealers[i].monitor(address, MONITORED_EVENTS);
                monitors[i] = context.createSocket(SocketType.PAIR);
                monitors[i].connect(address);
                monitorIndexes[i] = poller.register(monitors[i], ZMQ.Poller.POLLIN);
            }
            beforeConnect.accept(dealers[i]);
            dealers[i].connect(endpoints.get(i));
            dealerIndexes[i] = poller.register(dealers[i], ZMQ.Poller.POLLIN);
        }
    }

    /**
     * Queues one request without blocking: through the next broker up, or through every broker while none is.
     *
     * @return the broker's index, {@link #EVERY_BROKER}, or {@link #NOT_QUEUED}
     */
    int send(byte[] payload) {
        for (int tried = 0; tried < dealers.length; tried++) {
            int index = next;
            next = (next + 1) % dealers.length;
            if ((!several || up[index]) && send(index, payload)) {
                return index;
            }
        }
        boolean queued = false;
        for (int index = 0; index < dealers.length; index++) {
            queued |= send(index, payload);
        }
        return queued ? EVERY_BROKER : NOT_QUEUED;
    }

    private boolean send(int index, byte[] payload) {
        ZMQ.Socket dealer = dealers[index];
        return dealer.send(new byte[0], ZMQ.SNDMORE | ZMQ.DONTWAIT) && dealer.send(payload, ZMQ.DONTWAIT);
    }

    /** The next reply's last frame from any broker, or null if none waits. */
    byte[] receive() {
        for (int i = 0; i < dealers.length; i++) {
            if (!poller.pollin(dealerIndexes[i])) {
                continue;
            }
            byte[] frame = dealers[i].recv(ZMQ.DONTWAIT);
            if (frame == null) {
                continue;
            }
            byte[] payload = frame;
            while (dealers[i].hasReceiveMore()) {
                payload = dealers[i].recv();
            }
            return payload;
        }
        return null;
    }

    /** Takes the monitors' events: the brokers whose connection was lost since the last call. */
    List<Integer> takeLost() {
        List<Integer> lost = new ArrayList<>(0);
        for (int i = 0; several && i < monitors.length; i++) {
            if (!poller.pollin(monitorIndexes[i])) {
                continue;
            }
            ZEvent event;
            while ((event = ZEvent.recv(monitors[i], ZMQ.DONTWAIT)) != null) {
                if (event.getEvent() == ZMonitor.Event.DISCONNECTED) {
                    up[i] = false;
                    if (!lost.contains(i)) {
                        lost.add(i);
                    }
                } else if (event.getEvent() == ZMonitor.Event.CONNECTED) {
                    up[i] = true;
                }
            }
        }
        return lost;
    }

    private void close(int index) {
        if (dealers[index] != null) {
            poller.unregister(dealers[index]);
            if (monitors[index] != null) {
                dealers[index].monitor(null, 0);
            }
            dealers[index].close();
        }
        if (monitors[index] != null) {
            poller.unregister(monitors[index]);
            monitors[index].close();
            monitors[index] = null;
        }
    }
}
