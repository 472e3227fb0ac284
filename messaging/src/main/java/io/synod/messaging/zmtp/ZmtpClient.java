package io.synod.messaging.zmtp;

import io.synod.messaging.Closeables;
import io.synod.messaging.TcpEndpoint;
import io.synod.messaging.zmtp.ZmtpCodec.SocketType;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A connecting ZeroMQ socket of one peer, DEALER, REQ, PUB or SUB, spoken natively on a non-blocking socket registered with
 * its owner's {@link Selector}, so the owner's one wait covers it and a message costs no other thread: what a
 * server uses for its links to the broker and to the proxy.
 *
 * <p>Behaves as the ZeroMQ socket would, connected to one endpoint: it reconnects after
 * {@link Config#reconnectMillis} when the connection fails or breaks; it sends a PING every
 * {@link Config#heartbeatIntervalMillis} and closes a connection that brought nothing for
 * {@link Config#heartbeatTimeoutMillis} while it was taking what we sent (a peer that stops reading is slow,
 * not gone: what we send waits for it, up to the queue's limits); received messages wait in a queue
 * ({@link #receive}), and past {@link Config#receiveQueueMax} the socket is not read until the owner takes some. Sending: a DEALER's message
 * waits for the connection (up to the high-water mark) and is dropped past it; a PUB's message goes only where
 * the other side subscribed (its SUBSCRIBE messages are kept in a {@link SubscriptionFilter}) and is dropped while
 * there is no connection, as ZeroMQ's PUB drops. A SUB sends its {@linkplain #subscribe subscriptions} on every
 * connection and receives like a DEALER. A REQ frames each message with the empty delimiter and takes only replies
 * that carry it (its owner keeps to one request at a time, and replaces the client to give up on one: the ZeroMQ
 * guide's Lazy Pirate).
 *
 * <p>Not thread-safe: everything runs on the thread that owns the selector.
 */
public final class ZmtpClient implements ZmtpConnection.Handler, SelectorParty {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ZmtpClient.class);
    private static final int READ_BUFFER_BYTES = 64 << 10;

    /**
     * Timings and limits.
     *
     * @param reconnectMillis wait before connecting again after a failure or a break
     * @param heartbeatIntervalMillis how often a PING is sent
     * @param heartbeatTimeoutMillis how long a connection may bring nothing before it is closed and retried
     * @param receiveQueueMax received messages kept for the owner before the socket is no longer read
     * @param connection the connection's own limits (frames, queue to the peer)
     */
    public record Config(
            long reconnectMillis,
            long heartbeatIntervalMillis,
            long heartbeatTimeoutMillis,
            int receiveQueueMax,
            ZmtpConnection.Limits connection) {
        public Config {
            if (reconnectMillis <= 0
                    || heartbeatIntervalMillis <= 0
                    || heartbeatTimeoutMillis <= 0
                    || receiveQueueMax <= 0) {
                throw new IllegalArgumentException("every ZMTP client limit must be positive");
            }
        }
    }

    private final SocketType type;
    private final String endpoint;
    private final InetSocketAddress address;
    private final Selector selector;
    private final Config config;
    private final ArrayDeque<List<byte[]>> received = new ArrayDeque<>();
    /** A SUB's topics, sent on every connection. */
    private final List<byte[]> topics = new java.util.ArrayList<>();
    /** A DEALER's messages sent while the connection is not ready yet. */
    private final ArrayDeque<List<byte[]>> waiting = new ArrayDeque<>();

    private final SubscriptionFilter<ZmtpConnection> subscriptions = new SubscriptionFilter<>();
    /** The identity sent in our READY (a ROUTER on the other side routes by it); empty for none. */
    private final byte[] identity;
    /** A PUB's listener for the topics its peer subscribes to; null for none. */
    private java.util.function.Consumer<byte[]> subscribed;

    /** NULL, or CURVE as a client (secure mode). */
    private ZmtpSecurity security = ZmtpSecurity.NULL;

    private SocketChannel connecting;
    private ZmtpConnection connection;
    private long nextConnectNanos;
    private long nextPingNanos;
    /** When the peer last left our output waiting (it is alive but slow then); {@link Long#MIN_VALUE} if never. */
    private long lastBackpressuredNanos = Long.MIN_VALUE;

    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER_BYTES);
    private long connects;
    private long dropped;

    /**
     * Opens the client; the first connection attempt starts at once.
     *
     * @param type DEALER, REQ, PUB or SUB
     * @param endpoint {@code tcp://HOST:PORT} to connect to
     * @throws IllegalArgumentException if the endpoint is malformed or the type is not served
     */
    public ZmtpClient(SocketType type, String endpoint, Selector selector, Config config, long nowNanos) {
        this(type, endpoint, new byte[0], selector, config, nowNanos);
    }

    /**
     * As {@link #ZmtpClient(SocketType, String, Selector, Config, long)}, announcing {@code identity} in the
     * handshake (ZeroMQ's routing id: a ROUTER on the other side routes its answers by it).
     */
    public ZmtpClient(
            SocketType type, String endpoint, byte[] identity, Selector selector, Config config, long nowNanos) {
        if (type != SocketType.DEALER && type != SocketType.REQ && type != SocketType.PUB && type != SocketType.SUB) {
            throw new IllegalArgumentException("a ZMTP client is a DEALER, a REQ, a PUB or a SUB, not " + type);
        }
        this.identity = identity.clone();
        this.type = type;
        this.endpoint = endpoint;
        this.address = TcpEndpoint.parse(endpoint, false);
        this.selector = selector;
        this.config = config;
        this.nextConnectNanos = nowNanos;
        tick(nowNanos);
    }

    /**
     * Speaks {@code security} (CURVE as a client, in secure mode) on every connection from now on; call right after
     * opening, before the owner's selector turns (a connection already open has not read the peer's greeting yet).
     */
    public ZmtpClient secure(ZmtpSecurity security) {
        if (security instanceof ZmtpSecurity.CurveServer) {
            throw new IllegalArgumentException("a connecting socket is a CURVE client");
        }
        this.security = security;
        if (connection != null) {
            connection.secure(security);
        }
        return this;
    }

    /** A SUB subscribes to {@code topic} (a prefix of the first frame of the messages it wants). */
    public void subscribe(byte[] topic) {
        if (type != SocketType.SUB) {
            throw new IllegalStateException("only a SUB subscribes");
        }
        topics.add(topic.clone());
        if (isConnected()) {
            connection.send(ZmtpCodec.subscription(true, topic));
        }
    }

    /** A PUB hears here every topic its peer subscribes to (to publish a last value again, say). */
    public void onSubscribe(java.util.function.Consumer<byte[]> listener) {
        if (type != SocketType.PUB) {
            throw new IllegalStateException("only a PUB hears subscriptions");
        }
        this.subscribed = listener;
    }

    /** Whether the handshake with the peer is done. */
    public boolean isConnected() {
        return connection != null && connection.isReady();
    }

    /** Connections made so far (the first and every reconnection). */
    public long connects() {
        return connects;
    }

    /** Messages dropped: a full queue, or a PUB's message with no connection. */
    public long dropped() {
        return dropped;
    }

    /**
     * One wait of a selector that holds only {@code ZmtpClient}s' sockets: up to {@code timeoutMillis} (0 does not
     * wait), then every selected key handled by its client.
     *
     * @return {@link System#nanoTime} after the wait
     * @throws IOException if the select fails
     */
    public static long awaitAndServe(Selector selector, long timeoutMillis) throws IOException {
        if (timeoutMillis <= 0) {
            selector.selectNow();
        } else {
            selector.select(timeoutMillis);
        }
        long nowNanos = System.nanoTime();
        for (SelectionKey key : selector.selectedKeys()) {
            if (key.attachment() instanceof ZmtpClient client) {
                client.handle(key, nowNanos);
            }
        }
        selector.selectedKeys().clear();
        return nowNanos;
    }

    /** Handles a selected key of this client (every key it registers carries the client as attachment). */
    @Override
    public void handle(SelectionKey key, long nowNanos) {
        if (!key.isValid()) {
            return;
        }
        if (key.isConnectable()) {
            finishConnect(nowNanos);
            return;
        }
        ZmtpConnection current = connection;
        if (current == null) {
            return;
        }
        if (key.isWritable()) {
            current.flush();
        }
        if (key.isValid() && key.isReadable()) {
            current.readable(readBuffer, nowNanos);
        }
    }

    /** Reconnects when due, sends PINGs, closes a silent connection; call every turn. */
    public void tick(long nowNanos) {
        if (connection == null && connecting == null && nowNanos - nextConnectNanos >= 0) {
            startConnect(nowNanos);
        }
        if (connection != null) {
            if (connection.hasOutput()) {
                // the peer does not take what we send (TCP flow control): slow, not gone; our PINGs wait behind the
                // data, so its silence proves nothing until the queue drains (a crashed peer resets the connection)
                lastBackpressuredNanos = nowNanos;
            }
            long lastSign = Math.max(connection.lastReceivedNanos(), lastBackpressuredNanos);
            // also a peer that accepted the connection and never finished the handshake
            if (nowNanos - lastSign > TimeUnit.MILLISECONDS.toNanos(config.heartbeatTimeoutMillis())) {
                connection.close("the peer was silent for " + config.heartbeatTimeoutMillis() + " ms");
            } else if (connection.isReady() && nowNanos - nextPingNanos >= 0) {
                connection.ping(config.heartbeatTimeoutMillis());
                nextPingNanos = nowNanos + TimeUnit.MILLISECONDS.toNanos(config.heartbeatIntervalMillis());
            }
        }
    }

    /** Nanoseconds until {@link #tick} has something to do (a reconnection or a PING), at least 0. */
    public long nanosUntilTick(long nowNanos) {
        if (connection == null && connecting == null) {
            return Math.max(0, nextConnectNanos - nowNanos);
        }
        if (connection != null) {
            long lastSign = Math.max(connection.lastReceivedNanos(), lastBackpressuredNanos);
            return Math.max(
                    0,
                    Math.min(nextPingNanos, lastSign + TimeUnit.MILLISECONDS.toNanos(config.heartbeatTimeoutMillis()))
                            - nowNanos);
        }
        return Long.MAX_VALUE;
    }

    private void startConnect(long nowNanos) {
        try {
            SocketChannel channel = SocketChannel.open();
            channel.configureBlocking(false);
            connecting = channel;
            if (channel.connect(address)) {
                finishConnect(nowNanos);
            } else {
                channel.register(selector, SelectionKey.OP_CONNECT, this);
            }
        } catch (IOException | RuntimeException e) {
            failed(nowNanos);
        }
    }

    private void finishConnect(long nowNanos) {
        SocketChannel channel = connecting;
        if (channel == null) {
            return;
        }
        try {
            if (!channel.finishConnect()) {
                return;
            }
            TcpEndpoint.refuseSelfConnection(channel);
            connecting = null;
            connection = new ZmtpConnection(channel, selector, type, config.connection(), this, this, nowNanos);
            connection.identify(identity);
            connection.secure(security);
            nextPingNanos = nowNanos + TimeUnit.MILLISECONDS.toNanos(config.heartbeatIntervalMillis());
            connection.flush();
        } catch (IOException e) {
            failed(nowNanos);
        }
    }

    private void failed(long nowNanos) {
        if (connecting != null) {
            Closeables.closeQuietly(connecting);
            connecting = null;
        }
        nextConnectNanos = nowNanos + TimeUnit.MILLISECONDS.toNanos(config.reconnectMillis());
    }

    /**
     * Sends a message (written by the next {@link #flush}).
     *
     * @return false if it was dropped (a full queue; a PUB without a connection)
     */
    public boolean send(List<byte[]> frames) {
        if (type == SocketType.SUB) {
            throw new IllegalStateException("a SUB does not send");
        }
        if (type == SocketType.PUB) {
            if (!isConnected()) {
                return drop();
            }
            if (!subscriptions.matchesAny(frames.get(0))) {
                return true; // nobody subscribed: filtered out here, as a PUB filters
            }
            return connection.send(frames) || drop();
        }
        if (type == SocketType.REQ) {
            List<byte[]> delimited = new java.util.ArrayList<>(frames.size() + 1);
            delimited.add(new byte[0]);
            delimited.addAll(frames);
            frames = delimited;
        }
        if (isConnected() && waiting.isEmpty()) {
            return connection.send(frames) || drop();
        }
        if (waiting.size() >= config.connection().queueMessagesMax()) {
            return drop();
        }
        waiting.addLast(List.copyOf(frames));
        return true;
    }

    private boolean drop() {
        dropped++;
        return false;
    }

    /** Writes what was sent; call once per turn after sending. */
    public void flush() {
        if (connection != null) {
            drainWaiting(connection);
            connection.flush();
        }
    }

    /** The next received message, or null if none is waiting. */
    public List<byte[]> receive() {
        List<byte[]> message = received.pollFirst();
        if (message != null && connection != null && received.size() < config.receiveQueueMax()) {
            connection.pauseReading(false);
        }
        return message;
    }

    /** Whether a received message is waiting for {@link #receive}. */
    @Override
    public boolean hasReceived() {
        return !received.isEmpty();
    }

    @Override
    public void ready(ZmtpConnection ready) {
        connects++;
        for (byte[] topic : topics) {
            ready.send(ZmtpCodec.subscription(true, topic));
        }
        drainWaiting(ready);
        ready.flush(); // what waited for the handshake leaves now, not at the owner's next flush
    }

    /** Moves what waited for a connection into it, as far as its queue takes (the rest at the next flush). */
    private void drainWaiting(ZmtpConnection ready) {
        while (!waiting.isEmpty() && ready.send(waiting.peekFirst())) {
            waiting.pollFirst();
        }
    }

    @Override
    public void message(ZmtpConnection from, List<byte[]> frames) {
        if (type == SocketType.PUB) {
            if (frames.size() == 1) {
                subscriptions.apply(from, frames.get(0));
                byte[] frame = frames.get(0);
                if (subscribed != null && frame.length > 0 && frame[0] == 1) {
                    subscribed.accept(java.util.Arrays.copyOfRange(frame, 1, frame.length));
                }
            }
            return;
        }
        if (type == SocketType.REQ) {
            if (frames.size() < 2 || frames.get(0).length != 0) {
                return; // not a reply (a REQ drops what lacks the delimiter, as ZeroMQ's does)
            }
            frames = frames.subList(1, frames.size());
        }
        received.addLast(frames);
        if (received.size() >= config.receiveQueueMax()) {
            from.pauseReading(true);
        }
    }

    @Override
    public void closed(ZmtpConnection closed) {
        if (closed == connection) {
            LOG.info("{} link to {} closed ({}); reconnecting", type, endpoint, closed.closeReason());
            connection = null;
            subscriptions.removeAll(closed);
            nextConnectNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.reconnectMillis());
        }
    }

    /** Closes the connection (queued messages are dropped); no reconnection follows. */
    public void close() {
        if (connecting != null) {
            Closeables.closeQuietly(connecting);
            connecting = null;
        }
        ZmtpConnection current = connection;
        connection = null;
        if (current != null) {
            current.close("closed by its owner");
        }
        nextConnectNanos = Long.MAX_VALUE;
    }
}
