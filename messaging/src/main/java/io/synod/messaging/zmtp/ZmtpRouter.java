package io.synod.messaging.zmtp;

import io.synod.messaging.Closeables;
import io.synod.messaging.TcpEndpoint;
import io.synod.messaging.zmtp.ZmtpCodec.SocketType;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A bound ZeroMQ ROUTER spoken natively on the owner's {@link Selector}: it accepts connections from REQ, DEALER
 * and ROUTER peers and gives each received message with the sender's routing id as its first frame, as ZeroMQ's
 * ROUTER does ({@link #receive}); {@link #send} routes a message by that first frame. A REQ peer's messages keep
 * their empty delimiter frame, so an answer that repeats the routing frames it came with reaches a REQ and a
 * DEALER alike.
 *
 * <p>The routing id is the identity the peer announced in its handshake, else one made here (a zero byte and a
 * counter, as libzmq makes them). A new connection announcing an identity in use takes it over and the old one is
 * closed (ZeroMQ's "router handover": a restarted peer replaces its stale connection). A message for an unknown
 * routing id, or for a peer whose queue is full, is dropped ({@link #dropped}), as ZeroMQ's ROUTER drops.
 *
 * <p>Not thread-safe: everything runs on the thread that owns the selector.
 */
public final class ZmtpRouter implements SelectorParty, ZmtpConnection.Handler {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ZmtpRouter.class);
    private static final int READ_BUFFER_BYTES = 64 << 10;

    /**
     * Limits of a router.
     *
     * @param connectionsMax most connections at once; more are closed as they arrive
     * @param receiveQueueMax received messages kept for the owner before its connections are no longer read
     * @param connection each connection's own limits
     */
    public record Config(int connectionsMax, int receiveQueueMax, ZmtpConnection.Limits connection) {
        public Config {
            if (connectionsMax <= 0 || receiveQueueMax <= 0) {
                throw new IllegalArgumentException("every ZMTP router limit must be positive");
            }
        }
    }

    private final Selector selector;
    private final Config config;
    /** NULL, or CURVE as a server (secure mode). */
    private ZmtpSecurity security = ZmtpSecurity.NULL;

    private final ServerSocketChannel server;
    private final String boundEndpoint;
    private final Map<SelectableChannel, ZmtpConnection> byChannel = new HashMap<>();
    private final Map<String, ZmtpConnection> byRoutingId = new HashMap<>();
    private final ArrayDeque<List<byte[]>> received = new ArrayDeque<>();
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER_BYTES);
    private boolean readPaused;
    private int nextGeneratedId = 1;
    private long refused;
    private long dropped;

    /**
     * Binds {@code bindEndpoint} and registers for connections.
     *
     * @param bindEndpoint {@code tcp://HOST:PORT}; port 0 or {@code *} binds any free port
     * @throws IOException if it cannot be bound
     */
    public ZmtpRouter(String bindEndpoint, Selector selector, Config config) throws IOException {
        this.selector = selector;
        this.config = config;
        ServerSocketChannel channel = ServerSocketChannel.open();
        try {
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            channel.bind(TcpEndpoint.parse(bindEndpoint, true), 128);
            channel.configureBlocking(false);
            channel.register(selector, SelectionKey.OP_ACCEPT, this);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        this.server = channel;
        this.boundEndpoint = TcpEndpoint.bound(bindEndpoint, channel.socket());
    }

    /**
     * Speaks {@code security} (CURVE as a server, in secure mode) on every connection accepted from now on; call
     * before the owner's selector turns.
     */
    public ZmtpRouter secure(ZmtpSecurity security) {
        if (security instanceof ZmtpSecurity.CurveClient) {
            throw new IllegalArgumentException("a binding socket is a CURVE server");
        }
        this.security = security;
        return this;
    }

    /** The endpoint bound, with the actual port. */
    public String boundEndpoint() {
        return boundEndpoint;
    }

    /** Connections refused at {@link Config#connectionsMax}. */
    public long refused() {
        return refused;
    }

    /** Messages dropped: an unknown routing id or a full queue. */
    public long dropped() {
        return dropped;
    }

    @Override
    public void handle(SelectionKey key, long nowNanos) {
        if (!key.isValid()) {
            return;
        }
        if (key.channel() == server) {
            accept(nowNanos);
            return;
        }
        ZmtpConnection connection = byChannel.get(key.channel());
        if (connection == null) {
            return;
        }
        if (key.isWritable()) {
            connection.flush();
        }
        if (key.isValid() && key.isReadable()) {
            connection.readable(readBuffer, nowNanos);
        }
    }

    private void accept(long nowNanos) {
        while (true) {
            SocketChannel channel;
            try {
                channel = server.accept();
            } catch (IOException e) {
                LOG.warn("accepting on {} failed: {}", boundEndpoint, e.getMessage());
                return;
            }
            if (channel == null) {
                return;
            }
            if (byChannel.size() >= config.connectionsMax()) {
                refused++;
                Closeables.closeQuietly(channel);
                continue;
            }
            try {
                ZmtpConnection connection = new ZmtpConnection(
                        channel, selector, SocketType.ROUTER, config.connection(), this, this, nowNanos);
                connection.secure(security);
                byChannel.put(channel, connection);
                connection.pauseReading(readPaused);
                connection.flush();
            } catch (IOException e) {
                Closeables.closeQuietly(channel);
            }
        }
    }

    @Override
    public void ready(ZmtpConnection connection) {
        byte[] identity = connection.peerIdentity();
        if (identity.length == 0 || identity[0] == 0) { // a zero first byte is reserved for the ids made here
            identity = ByteBuffer.allocate(5)
                    .order(ByteOrder.BIG_ENDIAN)
                    .put((byte) 0)
                    .putInt(nextGeneratedId++)
                    .array();
        }
        String key = HexFormat.of().formatHex(identity);
        connection.attachment = identity;
        ZmtpConnection previous = byRoutingId.put(key, connection);
        if (previous != null && previous != connection) {
            previous.attachment = null; // no longer routed to
            previous.close("replaced by a new connection with the same identity");
        }
    }

    @Override
    public void message(ZmtpConnection connection, List<byte[]> frames) {
        if (!(connection.attachment instanceof byte[] identity)) {
            return;
        }
        List<byte[]> message = new ArrayList<>(frames.size() + 1);
        message.add(identity);
        message.addAll(frames);
        received.addLast(message);
        if (received.size() >= config.receiveQueueMax()) {
            pauseAll(true);
        }
    }

    @Override
    public void closed(ZmtpConnection connection) {
        byChannel.values().remove(connection);
        if (connection.attachment instanceof byte[] identity) {
            byRoutingId.remove(HexFormat.of().formatHex(identity), connection);
        }
    }

    /** The next message, its sender's routing id first, or null if none is waiting. */
    public List<byte[]> receive() {
        List<byte[]> message = received.pollFirst();
        if (message != null && readPaused && received.size() < config.receiveQueueMax()) {
            pauseAll(false);
        }
        return message;
    }

    @Override
    public boolean hasReceived() {
        return !received.isEmpty();
    }

    private void pauseAll(boolean paused) {
        readPaused = paused;
        for (ZmtpConnection connection : byChannel.values()) {
            connection.pauseReading(paused);
        }
    }

    /**
     * Queues a message for the peer its first frame names (the frame itself is not sent).
     *
     * @return false if it was dropped: no such peer, or its queue is full
     */
    public boolean send(List<byte[]> frames) {
        ZmtpConnection connection =
                frames.isEmpty() ? null : byRoutingId.get(HexFormat.of().formatHex(frames.get(0)));
        if (connection == null || !connection.send(frames.subList(1, frames.size()))) {
            dropped++;
            return false;
        }
        connection.flush();
        return true;
    }

    /** Closes connections whose peer announced a heartbeat time-to-live and has been silent longer; call every turn. */
    public void tick(long nowNanos) {
        for (ZmtpConnection connection : List.copyOf(byChannel.values())) {
            connection.checkAlive(nowNanos);
        }
    }

    /** Closes every connection and the listening socket. */
    public void close() {
        for (ZmtpConnection connection : List.copyOf(byChannel.values())) {
            connection.close("router closed");
        }
        Closeables.closeQuietly(server);
    }
}
