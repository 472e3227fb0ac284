package io.synod.messaging.peer;

import io.synod.messaging.InteractionLog;
import io.synod.messaging.ProcessClock;
import io.synod.messaging.ZmqMessages;
import io.synod.messaging.ZmqOptions;
import io.synod.messaging.zmtp.SelectorParty;
import io.synod.messaging.zmtp.ZmtpClient;
import io.synod.messaging.zmtp.ZmtpCodec;
import io.synod.messaging.zmtp.ZmtpConnection;
import io.synod.messaging.zmtp.ZmtpRouter;
import io.synod.messaging.zmtp.ZmtpSecurity;
import io.synod.protocol.Envelope;
import io.synod.protocol.Limits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
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

/**
 * The coordination links of one server (see the package documentation), in ZeroMQ's wire protocol spoken on the
 * owner's {@link Selector}: a ROUTER ({@link ZmtpRouter}) bound on the advertised endpoint, which any REQ or DEALER
 * may reach (a foreign server too), and one DEALER ({@link ZmtpClient}) per peer connected to the peer's advertised
 * endpoint with identity = our name.
 *
 * <p>Sending never blocks. Every message to a peer goes through a bounded queue ({@link
 * PeerLinkConfig#peerQueueMessagesMax}, drop-oldest, plus an age limit) that is handed to the DEALER only while
 * its connection is up (ZeroMQ's "immediate" mode), so while the peer is down nothing piles up in the link and
 * the counters tell what was dropped. The DEALER reconnects by itself. Replies go back on the ROUTER to the
 * connection the request came from ({@link #reply}).
 *
 * <p>Every sent envelope is stamped with the process's Lamport clock (incremented) and synchronised time; every
 * received envelope's {@code clock} is merged. Both are written to the interaction log, except the services in
 * {@link PeerLinkConfig#unloggedServices}.
 *
 * <p>The owner's wait ({@link StreamPeerLinks#poll}, which serves the sockets' keys) should {@linkplain
 * StreamPeerLinks#watch watch} these links, so that it ends as soon as a message is in; {@link #receive} then
 * takes it.
 *
 * <p>Thread-safety: <b>not thread-safe</b>; owned by the selector's thread, which creates it, calls {@link
 * #setPeers}, {@link #send}, {@link #reply}, {@link #receive}, {@link #tick} and finally {@link #close}.
 */
public final class PeerLinks implements SelectorParty, AutoCloseable {
    /** Connections the ROUTER accepts at once (peers, foreign requesters); more are closed as they arrive. */
    public static final int ACCEPTED_CONNECTIONS_MAX = 256;

    private final Selector selector;
    private final PeerLinkConfig config;
    private final String selfName;
    private final PeerEnvelopes envelopes;
    private final ZmtpRouter router;
    /** What each DEALER speaks: NULL, or CURVE with the server key ({@link #secure}). */
    private ZmtpSecurity dealerSecurity = ZmtpSecurity.NULL;

    private final ZmtpClient.Config dealerConfig;
    private final SortedMap<String, Peer> peers = new TreeMap<>();

    /** One peer: its address, its DEALER and the messages waiting for its connection. */
    private static final class Peer {
        final String name;
        final String address;
        final ZmtpClient dealer;
        final Deque<Queued> queue = new ArrayDeque<>();

        Peer(String name, String address, ZmtpClient dealer) {
            this.name = name;
            this.address = address;
            this.dealer = dealer;
        }
    }

    private record Queued(long enqueuedNanos, byte[] frame) {}

    /**
     * Binds the ROUTER.
     *
     * @param selector the owner's selector (its event loop's)
     * @param config the limits
     * @param selfName this server's name (the DEALER identity)
     * @param bindEndpoint the advertised endpoint, e.g. {@code tcp://127.0.0.1:6001}; port {@code 0} or {@code *}
     *     binds any free port ({@link #boundEndpoint()} tells which)
     * @param clock stamps and merges clocks
     * @param log the interaction log
     * @param limits decoding limits for received frames
     * @throws UncheckedIOException if the endpoint cannot be bound
     */
    public PeerLinks(
            Selector selector,
            PeerLinkConfig config,
            String selfName,
            String bindEndpoint,
            ProcessClock clock,
            InteractionLog log,
            Limits limits) {
        this.selector = Objects.requireNonNull(selector, "selector");
        this.config = Objects.requireNonNull(config, "config");
        this.selfName = Objects.requireNonNull(selfName, "selfName");
        this.envelopes = new PeerEnvelopes(selfName, config, clock, log, limits);
        // a frame a little larger than the largest envelope is still read whole, and refused by the decoder
        int frameBytesMax = limits.frameBytesMax() + 1_024;
        ZmtpConnection.Limits connection = new ZmtpConnection.Limits(
                frameBytesMax,
                4, // routing frames a ROUTER peer may add, a delimiter, the body
                4L * frameBytesMax,
                config.socketHighWaterMarkMessages(),
                (long) config.socketHighWaterMarkMessages() * frameBytesMax,
                64 << 10);
        this.dealerConfig = new ZmtpClient.Config(
                config.reconnectIntervalMillis(),
                ZmqOptions.HEARTBEAT_INTERVAL_MILLIS,
                ZmqOptions.HEARTBEAT_TIMEOUT_MILLIS,
                config.socketHighWaterMarkMessages(),
                connection);
        try {
            router = new ZmtpRouter(
                    bindEndpoint,
                    selector,
                    new ZmtpRouter.Config(ACCEPTED_CONNECTIONS_MAX, config.socketHighWaterMarkMessages(), connection));
        } catch (IOException e) {
            throw new UncheckedIOException("peer links: cannot bind " + bindEndpoint, e);
        }
    }

    /**
     * Secure mode: CURVE with the cluster's server key on the ROUTER (only that key gets in) and on every DEALER
     * opened from now on, so only a holder of the server key's secret speaks to this server here. Call before
     * {@link #setPeers}.
     */
    public PeerLinks secure(io.synod.messaging.zmtp.CurveCrypto.KeyPair serverKeys) {
        router.secure(ZmtpSecurity.curveServerFor(serverKeys, List.of(serverKeys.publicKey())));
        this.dealerSecurity = ZmtpSecurity.serverLink(serverKeys);
        peers.values().forEach(peer -> peer.dealer.secure(dealerSecurity));
        return this;
    }

    /** @return the endpoint the ROUTER is bound on, with the actual port; what peers must connect to */
    public String boundEndpoint() {
        return router.boundEndpoint();
    }

    /**
     * Sets the peers to link to: connects a DEALER to each new one (or to a new address), closes the links of the
     * ones that are gone. This server's own name is skipped.
     *
     * @param addressByName every known server's advertised endpoint
     */
    public void setPeers(Map<String, String> addressByName) {
        for (String name : List.copyOf(peers.keySet())) {
            String address = addressByName.get(name);
            if (address == null || !address.equals(peers.get(name).address)) {
                peers.remove(name).dealer.close();
            }
        }
        for (Map.Entry<String, String> entry : addressByName.entrySet()) {
            String name = entry.getKey();
            if (!name.equals(selfName) && entry.getValue() != null && !peers.containsKey(name)) {
                ZmtpClient dealer;
                try {
                    dealer = new ZmtpClient(
                            ZmtpCodec.SocketType.DEALER,
                            entry.getValue(),
                            selfName.getBytes(StandardCharsets.UTF_8),
                            selector,
                            dealerConfig,
                            System.nanoTime());
                    dealer.secure(dealerSecurity);
                } catch (IllegalArgumentException e) {
                    envelopes.invalidReceivedCount++; // a malformed address gossiped by someone: no link
                    continue;
                }
                peers.put(name, new Peer(name, entry.getValue(), dealer));
            }
        }
    }

    /** @return the peers with a link, and their addresses */
    public SortedMap<String, String> peers() {
        SortedMap<String, String> result = new TreeMap<>();
        peers.forEach((name, peer) -> result.put(name, peer.address));
        return result;
    }

    /**
     * Stamps {@code message} and queues it for {@code peer}; it is handed to the link at once if it is connected.
     * Never blocks.
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
     * Stamps {@code message} and sends it back on the connection {@code request} arrived on (ROUTER to the
     * requester's DEALER, or a foreign REQ). If {@code request} came back on one of our DEALERs (it was itself a
     * reply), the answer is sent like {@link #send}.
     */
    public void reply(PeerInbound request, Envelope message) {
        if (!request.arrivedOnAcceptedLink()) {
            send(request.source(), message);
            return;
        }
        Envelope stamped = envelopes.stamp(message, request.source());
        List<byte[]> frames = new ArrayList<>(request.routing());
        frames.add(stamped.encode());
        if (router.send(frames)) {
            envelopes.sentCount++;
        } else {
            envelopes.droppedQueueFullCount++;
        }
    }

    /**
     * Takes every message waiting (up to {@link PeerLinkConfig#receiveMessagesPerPollMax}), on the ROUTER first.
     *
     * @return the messages received, oldest first per socket; invalid frames are dropped and counted
     */
    public List<PeerInbound> receive() {
        List<PeerInbound> received = new ArrayList<>();
        while (received.size() < config.receiveMessagesPerPollMax()) {
            List<byte[]> frames = router.receive();
            if (frames == null) {
                break;
            }
            ZmqMessages.Routed routed = ZmqMessages.splitRouted(frames);
            if (routed.routing().isEmpty() || routed.body().size() != 1) {
                envelopes.invalidReceivedCount++;
                continue;
            }
            envelopes.accept(sourceName(routed.routing().get(0)), routed.body().get(0), routed.routing(), received);
        }
        for (Peer peer : peers.values()) {
            while (received.size() < config.receiveMessagesPerPollMax()) {
                List<byte[]> frames = peer.dealer.receive();
                if (frames == null) {
                    break;
                }
                if (frames.size() != 1) {
                    envelopes.invalidReceivedCount++;
                    continue;
                }
                envelopes.accept(peer.name, frames.get(0), List.of(), received);
            }
        }
        return received;
    }

    @Override
    public boolean hasReceived() {
        if (router.hasReceived()) {
            return true;
        }
        for (Peer peer : peers.values()) {
            if (peer.dealer.hasReceived()) {
                return true;
            }
        }
        return false;
    }

    /** Never selected: the keys of these links carry their ROUTER and DEALERs, which the owner's wait serves. */
    @Override
    public void handle(SelectionKey key, long nowNanos) {
        // nothing registers with this object as attachment
    }

    /**
     * Reconnects and pings the DEALERs, hands them what waited for their connection, drops what waited too long,
     * closes silent accepted connections; call every turn.
     */
    public void tick(long nowNanos) {
        router.tick(nowNanos);
        for (Peer peer : peers.values()) {
            peer.dealer.tick(nowNanos);
            flush(peer);
        }
    }

    /** Nanoseconds until {@link #tick} has link work to do (a reconnection or a PING), at least 0. */
    public long nanosUntilTick(long nowNanos) {
        long until = Long.MAX_VALUE;
        for (Peer peer : peers.values()) {
            until = Math.min(until, peer.dealer.nanosUntilTick(nowNanos));
        }
        return until;
    }

    /** Our DEALERs use the server name as identity; a foreign REQ gets a binary one, shown in hex. */
    static String sourceName(byte[] identity) {
        String text = new String(identity, StandardCharsets.UTF_8);
        boolean printable = !text.isEmpty()
                && identity[0] != 0
                && text.codePoints().allMatch(c -> c >= 0x20 && c != 0xFFFD && !Character.isISOControl(c));
        return printable ? text : HexFormat.of().formatHex(identity);
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
            if (!peer.dealer.isConnected() || !peer.dealer.send(List.of(head.frame()))) {
                break; // not connected (immediate mode) or its queue is full: retry on the next tick
            }
            peer.queue.removeFirst();
            envelopes.sentCount++;
        }
        peer.dealer.flush();
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

    /** Closes every socket of these links (not the selector). */
    @Override
    public void close() {
        for (Peer peer : peers.values()) {
            peer.dealer.close();
        }
        peers.clear();
        router.close();
    }
}
