package io.synod.messaging.peer;

import io.synod.messaging.InteractionLog;
import io.synod.messaging.ProcessClock;
import io.synod.messaging.ZmqMessages;
import io.synod.protocol.Envelope;
import io.synod.protocol.Limits;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * The peer links of one server (see the package documentation): one ROUTER bound on the advertised
 * endpoint, one DEALER per peer connected to the peer's advertised endpoint with identity = our name.
 *
 * <p>Sending never blocks. Every message to a peer goes through a bounded queue ({@link
 * PeerLinkConfig#peerQueueMessagesMax}, drop-oldest, plus an age limit) that is flushed into the
 * DEALER whenever it accepts; the DEALER is in ZeroMQ's "immediate" mode, so while the peer is down
 * nothing piles up inside ZeroMQ and the counters tell what was dropped. Reconnection is ZeroMQ's.
 * Replies go back on the ROUTER to the connection the request came from ({@link #reply}).
 *
 * <p>Every sent envelope is stamped with the process's Lamport clock (incremented) and synchronised
 * time; every received envelope's {@code clock} is merged. Both are written to the interaction log,
 * except the services in {@link PeerLinkConfig#unloggedServices}.
 *
 * <p>Thread-safety: <b>not thread-safe</b>; owned by one thread, which creates it, calls {@link
 * #setPeers}, {@link #send}, {@link #reply}, {@link #poll} and finally {@link #close}. The
 * {@link ZContext} may be shared with other sockets of that thread.
 */
public final class PeerLinks implements AutoCloseable {
    private final ZContext context;
    private final PeerLinkConfig config;
    private final String selfName;
    private final PeerEnvelopes envelopes;
    private final ZMQ.Socket router;
    private final String boundEndpoint;
    private final SortedMap<String, Peer> peers = new TreeMap<>();
    private ZMQ.Poller poller;
    private List<Peer> polledPeers = List.of();
    private final List<ZMQ.Socket> watched = new ArrayList<>();

    /** One peer: its address, its DEALER and the messages waiting for it. */
    private static final class Peer {
        final String name;
        final String address;
        final ZMQ.Socket dealer;
        final Deque<Queued> queue = new ArrayDeque<>();

        Peer(String name, String address, ZMQ.Socket dealer) {
            this.name = name;
            this.address = address;
            this.dealer = dealer;
        }
    }

    private record Queued(long enqueuedNanos, byte[] frame) {}

    /**
     * Binds the ROUTER.
     *
     * @param context the owner thread's ZeroMQ context
     * @param config the limits
     * @param selfName this server's name (the DEALER identity)
     * @param bindEndpoint the advertised endpoint, e.g. {@code tcp://127.0.0.1:6001}; port {@code 0}
     *     or {@code *} binds any free port ({@link #boundEndpoint()} tells which)
     * @param clock stamps and merges clocks
     * @param log the interaction log
     * @param limits decoding limits for received frames
     * @throws org.zeromq.ZMQException if the endpoint cannot be bound
     */
    public PeerLinks(
            ZContext context,
            PeerLinkConfig config,
            String selfName,
            String bindEndpoint,
            ProcessClock clock,
            InteractionLog log,
            Limits limits) {
        this.context = Objects.requireNonNull(context, "context");
        this.config = Objects.requireNonNull(config, "config");
        this.selfName = Objects.requireNonNull(selfName, "selfName");
        this.envelopes = new PeerEnvelopes(selfName, config, clock, log, limits);
        router = context.createSocket(SocketType.ROUTER);
        router.setLinger(0);
        router.setRouterHandover(true); // a restarted peer's new connection replaces its old one
        router.setRcvHWM(config.socketHighWaterMarkMessages());
        router.setSndHWM(config.socketHighWaterMarkMessages());
        String endpoint =
                bindEndpoint.endsWith(":0") ? bindEndpoint.substring(0, bindEndpoint.length() - 1) + "*" : bindEndpoint;
        router.bind(endpoint);
        boundEndpoint = router.getLastEndpoint();
        rebuildPoller();
    }

    /** @return the endpoint the ROUTER is bound on, with the actual port; what peers must connect to */
    public String boundEndpoint() {
        return boundEndpoint;
    }

    /**
     * Sets the peers to link to: connects a DEALER to each new one (or to a new address), closes the
     * links of the ones that are gone. This server's own name is skipped.
     *
     * @param addressByName every known server's advertised endpoint
     */
    public void setPeers(Map<String, String> addressByName) {
        boolean changed = false;
        for (String name : List.copyOf(peers.keySet())) {
            String address = addressByName.get(name);
            if (address == null || !address.equals(peers.get(name).address)) {
                peers.remove(name).dealer.close();
                changed = true;
            }
        }
        for (Map.Entry<String, String> entry : addressByName.entrySet()) {
            String name = entry.getKey();
            if (!name.equals(selfName) && entry.getValue() != null && !peers.containsKey(name)) {
                peers.put(name, new Peer(name, entry.getValue(), connectDealer(entry.getValue())));
                changed = true;
            }
        }
        if (changed) {
            rebuildPoller();
        }
    }

    private ZMQ.Socket connectDealer(String address) {
        ZMQ.Socket dealer = context.createSocket(SocketType.DEALER);
        dealer.setIdentity(selfName.getBytes(StandardCharsets.UTF_8));
        dealer.setLinger(0);
        // Queue only to completed connections, so a down peer's messages wait (bounded) in our queue.
        // JeroMQ 0.6.0 implements ZMQ_IMMEDIATE inverted: false gives libzmq's immediate behaviour
        // (send fails while not connected). PeerLinksTest pins this down.
        dealer.setImmediate(false);
        dealer.setSndHWM(config.socketHighWaterMarkMessages());
        dealer.setRcvHWM(config.socketHighWaterMarkMessages());
        dealer.setReconnectIVL(config.reconnectIntervalMillis());
        dealer.setReconnectIVLMax(config.reconnectIntervalMaxMillis());
        dealer.connect(address);
        return dealer;
    }

    /**
     * Adds a socket of the owner thread (e.g. its broker link) to the wait of {@link #poll}, which then
     * also returns when that socket has input; {@link #poll} never reads from it.
     */
    public void watch(ZMQ.Socket socket) {
        watched.add(Objects.requireNonNull(socket, "socket"));
        rebuildPoller();
    }

    /** @return the peers with a link, and their addresses */
    public SortedMap<String, String> peers() {
        SortedMap<String, String> result = new TreeMap<>();
        peers.forEach((name, peer) -> result.put(name, peer.address));
        return result;
    }

    /**
     * Stamps {@code message} and queues it for {@code peer}; it is handed to ZeroMQ at once if the
     * link accepts. Never blocks.
     *
     * @return false if the peer has no known address (the message is dropped and counted)
     */
    public boolean send(String peer, Envelope message) {
        Peer target = peers.get(peer);
        if (target == null) {
            envelopes.droppedUnknownPeerCount++;
            return false;
        }
        Envelope stamped = envelopes.stamp(message, peer);
        if (target.queue.size() >= config.peerQueueMessagesMax()) {
            target.queue.removeFirst();
            envelopes.droppedQueueFullCount++;
        }
        target.queue.addLast(new Queued(System.nanoTime(), stamped.encode()));
        flush(target);
        return true;
    }

    /**
     * Stamps {@code message} and sends it back on the connection {@code request} arrived on (ROUTER
     * to the requester's DEALER, or a foreign REQ). If {@code request} came back on one of our
     * DEALERs (it was itself a reply), the answer is sent like {@link #send}.
     */
    public void reply(PeerInbound request, Envelope message) {
        if (!request.arrivedOnAcceptedLink()) {
            send(request.source(), message);
            return;
        }
        Envelope stamped = envelopes.stamp(message, request.source());
        List<byte[]> frames = new ArrayList<>(request.routing());
        frames.add(stamped.encode());
        if (ZmqMessages.sendMultipart(router, frames)) {
            envelopes.sentCount++;
        } else {
            envelopes.droppedQueueFullCount++;
        }
    }

    /**
     * Flushes the queues, waits up to {@code timeoutMillis} for a message (or input on a {@linkplain
     * #watch watched} socket), then takes every message waiting (up to {@link
     * PeerLinkConfig#receiveMessagesPerPollMax}).
     *
     * @param timeoutMillis longest wait; 0 does not wait
     * @return the messages received, oldest first per socket; invalid frames are dropped and counted
     */
    public List<PeerInbound> poll(long timeoutMillis) {
        flushAll();
        List<PeerInbound> received = new ArrayList<>();
        if (poller.poll(timeoutMillis) <= 0) {
            return received;
        }
        drainRouter(received);
        for (Peer peer : polledPeers) {
            drainDealer(peer, received);
        }
        return received;
    }

    private void drainRouter(List<PeerInbound> received) {
        while (received.size() < config.receiveMessagesPerPollMax()) {
            List<byte[]> frames = ZmqMessages.receiveMultipart(router, ZMQ.DONTWAIT);
            if (frames == null) {
                return;
            }
            ZmqMessages.Routed routed = ZmqMessages.splitRouted(frames);
            if (routed.routing().isEmpty() || routed.body().size() != 1) {
                envelopes.invalidReceivedCount++;
                continue;
            }
            envelopes.accept(sourceName(routed.routing().get(0)), routed.body().get(0), routed.routing(), received);
        }
    }

    private void drainDealer(Peer peer, List<PeerInbound> received) {
        while (received.size() < config.receiveMessagesPerPollMax()) {
            List<byte[]> frames = ZmqMessages.receiveMultipart(peer.dealer, ZMQ.DONTWAIT);
            if (frames == null) {
                return;
            }
            if (frames.size() != 1) {
                envelopes.invalidReceivedCount++;
                continue;
            }
            envelopes.accept(peer.name, frames.get(0), List.of(), received);
        }
    }

    /** Our DEALERs use the server name as identity; a foreign REQ gets a binary one, shown in hex. */
    static String sourceName(byte[] identity) {
        String text = new String(identity, StandardCharsets.UTF_8);
        boolean printable = !text.isEmpty()
                && identity[0] != 0
                && text.codePoints().allMatch(c -> c >= 0x20 && c != 0xFFFD && !Character.isISOControl(c));
        return printable ? text : HexFormat.of().formatHex(identity);
    }

    private void flushAll() {
        for (Peer peer : peers.values()) {
            flush(peer);
        }
    }

    private void flush(Peer peer) {
        long oldestAllowedNanos = System.nanoTime() - config.peerQueueMessageAgeMaxMillis() * 1_000_000L;
        while (!peer.queue.isEmpty()) {
            Queued head = peer.queue.peekFirst();
            if (head.enqueuedNanos() - oldestAllowedNanos < 0) {
                peer.queue.removeFirst();
                envelopes.droppedExpiredCount++;
                continue;
            }
            if (!peer.dealer.send(head.frame(), ZMQ.DONTWAIT)) {
                return; // not connected (immediate mode) or socket buffer full: retry on the next poll
            }
            peer.queue.removeFirst();
            envelopes.sentCount++;
        }
    }

    private void rebuildPoller() {
        if (poller != null) {
            poller.close();
        }
        polledPeers = List.copyOf(peers.values());
        poller = context.createPoller(1 + polledPeers.size() + watched.size());
        poller.register(router, ZMQ.Poller.POLLIN);
        for (Peer peer : polledPeers) {
            poller.register(peer.dealer, ZMQ.Poller.POLLIN);
        }
        for (ZMQ.Socket socket : watched) {
            poller.register(socket, ZMQ.Poller.POLLIN);
        }
    }

    /** @return the counters since start */
    public PeerLinkStats stats() {
        int queued = 0;
        for (Peer peer : peers.values()) {
            queued += peer.queue.size();
        }
        return envelopes.stats(queued, peers.size());
    }

    /** @return the counters as a map for {@code /status} and logs */
    public Map<String, Object> statsMap() {
        return stats().toMap();
    }

    /** Closes every socket this object created (not the context). */
    @Override
    public void close() {
        if (poller != null) {
            poller.close();
        }
        for (Peer peer : peers.values()) {
            peer.dealer.close();
        }
        peers.clear();
        router.close();
    }
}
