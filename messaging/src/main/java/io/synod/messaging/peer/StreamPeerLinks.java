package io.synod.messaging.peer;

import static io.synod.messaging.Closeables.closeQuietly;

import io.synod.messaging.InteractionLog;
import io.synod.messaging.ProcessClock;
import io.synod.messaging.TcpEndpoint;
import io.synod.messaging.zmtp.CurveMechanism;
import io.synod.messaging.zmtp.SelectorParty;
import io.synod.messaging.zmtp.ZmtpClient;
import io.synod.messaging.zmtp.ZmtpException;
import io.synod.messaging.zmtp.ZmtpSecurity;
import io.synod.protocol.Envelope;
import io.synod.protocol.Limits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replication links of one server on plain TCP (docs/protocol.md, "Replication on the peer links"): the
 * same envelopes as {@link PeerLinks}, each sent as one length-prefixed frame, read and written by the owner
 * thread itself with non-blocking sockets. Where a ZeroMQ message wakes three threads (the sender's I/O thread,
 * the receiver's I/O thread, the receiving thread), a frame here wakes only the receiving thread, and the
 * owner's wait covers these sockets and its {@linkplain #watch watched} ZeroMQ links (the broker's and the
 * proxy's {@link ZmtpClient}s) in one {@link Selector}.
 *
 * <p>The wire: every frame is a 4-byte big-endian length, then that many bytes. The first frame a connecting
 * side sends is the hello, {@link #HELLO_MAGIC} followed by its name in UTF-8; every later frame is one
 * {@code {"service","data"}} envelope in MessagePack. A server connects to every peer and sends its messages on
 * that connection; it receives theirs on the connections they open to it. A request that arrived on an
 * accepted connection is answered on that same connection ({@link #reply}), so an operator tool can open a
 * connection, ask and read the answer ({@link #request}). A frame longer than the limits, a bad hello or more
 * than {@link #INBOUND_CONNECTIONS_MAX} accepted connections close the connection and are counted; a frame that
 * is not a valid envelope is dropped and counted, and the connection goes on.
 *
 * <p>Sending never blocks: each peer has a bounded queue ({@link PeerLinkConfig#peerQueueMessagesMax},
 * drop-oldest, plus an age limit), written to the socket by the next {@link #poll} as far as the socket accepts:
 * what one turn of the owner sends to a peer leaves in one write and wakes the peer once. While a peer is down its messages
 * wait in the queue; the link reconnects after {@link PeerLinkConfig#reconnectIntervalMillis}, backing off to
 * {@link PeerLinkConfig#reconnectIntervalMaxMillis}. A frame partly written when a connection breaks is sent
 * again whole on the next one (the receiver dropped the part it had); frames fully written may be lost, as on
 * any link, and Paxos retries what matters.
 *
 * <p>Every sent envelope is stamped with the Lamport clock and the synchronised time, every received one's
 * clock is merged, and both are logged, as on {@link PeerLinks}.
 *
 * <p>Thread-safety: <b>not thread-safe</b>; owned by one thread, which creates it, calls every method and
 * finally {@link #close}.
 */
public final class StreamPeerLinks implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StreamPeerLinks.class);

    /** First bytes of the hello frame: the protocol and its version. */
    public static final byte[] HELLO_MAGIC = "SYNODPL1".getBytes(StandardCharsets.US_ASCII);
    /** Bytes of a frame's length prefix. */
    public static final int FRAME_HEADER_BYTES = 4;
    /** Longest name in a hello, in UTF-8 bytes. */
    public static final int HELLO_NAME_BYTES_MAX = 256;
    /** Accepted connections open at once; a further one is closed at once and counted. */
    public static final int INBOUND_CONNECTIONS_MAX = 256;
    /** Size of a connection's read buffer; it doubles while a longer frame arrives, and shrinks back after it. */
    static final int READ_BUFFER_BYTES = 64 * 1024;
    /** Most queued frames handed to one gathering write. */
    static final int FRAMES_PER_WRITE_MAX = 64;

    private final PeerLinkConfig config;
    private final String selfName;
    private final PeerEnvelopes envelopes;
    private final int frameBytesMax;
    private final Selector selector;
    private final ServerSocketChannel server;
    private final String boundEndpoint;
    private final byte[] helloFrame;
    private final SortedMap<String, Connection> peers = new TreeMap<>();
    private final Map<Long, Connection> accepted = new HashMap<>();
    private final List<SelectorParty> watched = new ArrayList<>();
    private long nextConnectionId = 1;
    private long connectionsRefusedCount;
    private long connectionsBrokenCount;
    /** Secure mode ({@link #secure}): what connections we open and accept speak; null: plain frames. */
    private ZmtpSecurity connectSecurity;

    private ZmtpSecurity acceptSecurity;
    /** Longest frame of a CURVE handshake (INITIATE is about 260 bytes). */
    static final int HANDSHAKE_FRAME_BYTES_MAX = 1024;

    /**
     * A frame waiting to be written: length prefix and body in one buffer, whose position is the progress. The
     * hello and a frame partly written are never dropped (the stream would no longer parse).
     */
    private record Queued(long enqueuedNanos, ByteBuffer wire, boolean hello) {
        boolean droppable() {
            return !hello && wire.position() == 0;
        }
    }

    /** One TCP connection: to a peer (ours, reconnected when it breaks) or accepted from a peer or a tool. */
    private final class Connection {
        final boolean outbound;
        final long id;
        /** The peer's name: ours to connect to, or the accepted side's hello; null until the hello is read. */
        String name;

        final String address;
        /** {@link PeerInbound#routing} of what arrives here: empty on ours, this connection's number on one accepted. */
        final List<byte[]> route;

        final Deque<Queued> queue = new ArrayDeque<>();
        SocketChannel channel;
        SelectionKey key;
        long nextAttemptNanos;
        long backoffMillis;
        ByteBuffer in = ByteBuffer.allocate(READ_BUFFER_BYTES);
        /** Secure mode: this connection's CurveZMQ; null on plain links. */
        StreamCurve curve;
        /** Secure mode: framed handshake commands and boxed frames, ready for the socket. */
        final Deque<ByteBuffer> boxed = new ArrayDeque<>();

        Connection(boolean outbound, long id, String name, String address) {
            this.outbound = outbound;
            this.id = id;
            this.name = name;
            this.address = address;
            this.route = outbound
                    ? List.of()
                    : List.of(ByteBuffer.allocate(Long.BYTES).putLong(id).array());
            this.backoffMillis = config.reconnectIntervalMillis();
        }

        /** @return true while the connection is up (accepted, or ours and its connect completed) */
        boolean connected() {
            return channel != null && channel.isConnected();
        }

        /** @return the peer's name, or the accepted connection's number before its hello */
        String label() {
            return name != null ? name : "connection-" + id;
        }
    }

    /**
     * Binds the listening socket.
     *
     * @param config the limits
     * @param selfName this server's name (sent in the hello of every connection it opens)
     * @param bindEndpoint the advertised endpoint, {@code tcp://HOST:PORT}; HOST {@code *} listens on every
     *     interface, PORT {@code 0} or {@code *} on any free port ({@link #boundEndpoint()} tells which)
     * @param clock stamps and merges clocks
     * @param log the interaction log
     * @param limits decoding limits for received frames ({@link Limits#frameBytesMax} bounds a frame)
     * @throws UncheckedIOException if the endpoint cannot be bound
     * @throws IllegalArgumentException if the endpoint is not {@code tcp://HOST:PORT}
     */
    public StreamPeerLinks(
            PeerLinkConfig config,
            String selfName,
            String bindEndpoint,
            ProcessClock clock,
            InteractionLog log,
            Limits limits) {
        this.config = Objects.requireNonNull(config, "config");
        this.selfName = Objects.requireNonNull(selfName, "selfName");
        this.envelopes = new PeerEnvelopes(selfName, config, clock, log, limits);
        this.frameBytesMax = limits.frameBytesMax();
        this.helloFrame = hello(selfName);
        InetSocketAddress bindAddress = TcpEndpoint.parse(bindEndpoint, true);
        try {
            selector = Selector.open();
            server = ServerSocketChannel.open();
            try {
                server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                server.bind(bindAddress, INBOUND_CONNECTIONS_MAX);
                server.configureBlocking(false);
                server.register(selector, SelectionKey.OP_ACCEPT, this);
            } catch (IOException | RuntimeException e) {
                server.close();
                selector.close();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + bindEndpoint + ": " + e.getMessage(), e);
        }
        boundEndpoint = TcpEndpoint.bound(bindEndpoint, server.socket());
    }

    /**
     * Secure mode: every link speaks CurveZMQ ({@link StreamCurve}) with the cluster's server key, and an accepted
     * connection must prove that key; call before {@link #setPeers} and the first {@link #poll}. A frame boxed but not
     * yet written when a link breaks is lost (at most {@link #FRAMES_PER_WRITE_MAX}), as frames written are on any
     * link: Paxos retries what matters.
     */
    public StreamPeerLinks secure(io.synod.messaging.zmtp.CurveCrypto.KeyPair serverKeys) {
        connectSecurity = ZmtpSecurity.serverLink(serverKeys);
        acceptSecurity = ZmtpSecurity.curveServerFor(serverKeys, List.of(serverKeys.publicKey()));
        return this;
    }

    /** @return the endpoint this server listens on, with the actual port; what peers must connect to */
    public String boundEndpoint() {
        return boundEndpoint;
    }

    /**
     * Sets the peers to link to: opens a link to each new one (or to a new address), closes the links of the
     * ones that are gone (their queued messages are dropped). This server's own name is skipped.
     *
     * @param addressByName every known server's advertised endpoint
     */
    public void setPeers(Map<String, String> addressByName) {
        for (String name : List.copyOf(peers.keySet())) {
            String address = addressByName.get(name);
            if (address == null || !address.equals(peers.get(name).address)) {
                Connection gone = peers.remove(name);
                closeChannel(gone);
            }
        }
        for (Map.Entry<String, String> entry : addressByName.entrySet()) {
            String name = entry.getKey();
            if (!name.equals(selfName) && entry.getValue() != null && !peers.containsKey(name)) {
                Connection link = new Connection(true, nextConnectionId++, name, entry.getValue());
                link.nextAttemptNanos = System.nanoTime();
                peers.put(name, link);
            }
        }
    }

    /**
     * The selector of {@link #poll}, for a {@link ZmtpClient} of the owner thread to register with before it is
     * {@linkplain #watch watched}.
     */
    public Selector selector() {
        return selector;
    }

    /**
     * Makes {@link #poll} also return when {@code client} (a user of {@link #selector()}: the broker link, the
     * coordination) has received a message. Any key a {@link SelectorParty} carries is served, watched or not.
     */
    public void watch(SelectorParty client) {
        watched.add(Objects.requireNonNull(client, "client"));
    }

    /** @return the peers with a link, and their addresses */
    public SortedMap<String, String> peers() {
        SortedMap<String, String> result = new TreeMap<>();
        peers.forEach((name, link) -> result.put(name, link.address));
        return result;
    }

    /**
     * Stamps {@code message} and queues it for {@code peer}; the next {@link #poll} writes it (with everything
     * else queued for that peer) if the link is up. Never blocks.
     *
     * @return false if the peer has no known address (the message is dropped and counted)
     */
    public boolean send(String peer, Envelope message) {
        Connection link = peers.get(peer);
        if (link == null) {
            envelopes.droppedUnknownPeerCount++;
            return false;
        }
        enqueue(link, envelopes.stamp(message, peer).encode());
        return true;
    }

    /**
     * Stamps {@code message} and sends it back on the connection {@code request} arrived on. If {@code request}
     * came on one of our own links (it was itself an answer), the answer is sent like {@link #send}; if its
     * connection has closed since, it is dropped and counted.
     */
    public void reply(PeerInbound request, Envelope message) {
        if (!request.arrivedOnAcceptedLink()) {
            send(request.source(), message);
            return;
        }
        Connection connection =
                accepted.get(ByteBuffer.wrap(request.routing().get(0)).getLong());
        if (connection == null) {
            envelopes.droppedUnknownPeerCount++;
            return;
        }
        enqueue(connection, envelopes.stamp(message, request.source()).encode());
    }

    private void enqueue(Connection connection, byte[] body) {
        if (connection.queue.size() >= config.peerQueueMessagesMax()) {
            for (Iterator<Queued> it = connection.queue.iterator(); it.hasNext(); ) {
                if (it.next().droppable()) { // the oldest that can go
                    it.remove();
                    envelopes.droppedQueueFullCount++;
                    break;
                }
            }
        }
        connection.queue.addLast(new Queued(System.nanoTime(), frame(body), false));
    }

    /**
     * Writes what the links can take now (everything sent since the last poll), without waiting or reading: for
     * messages that should be on their way before a slow step of the caller's, such as a leader's Accepts before its
     * own disk write. {@link #poll} writes the rest, and opens links.
     */
    public void flush() {
        for (Connection link : peers.values()) {
            write(link);
        }
        for (Connection connection : List.copyOf(accepted.values())) { // a failed write forgets the connection
            write(connection);
        }
    }

    /**
     * Writes what the links can take (everything sent since the last poll), opens the links that are due, waits
     * up to {@code timeoutMillis} for a frame (or input on a {@linkplain #watch watched} socket), then reads every
     * frame waiting (up to about {@link PeerLinkConfig#receiveMessagesPerPollMax}).
     *
     * @param timeoutMillis longest wait; 0 does not wait
     * @return the messages received, oldest first per connection; invalid frames are dropped and counted
     */
    public List<PeerInbound> poll(long timeoutMillis) {
        long now = System.nanoTime();
        for (Connection link : peers.values()) {
            expire(link, now);
            if (link.channel == null && now - link.nextAttemptNanos >= 0) {
                connect(link, now);
            } else {
                write(link);
            }
        }
        for (Connection connection : List.copyOf(accepted.values())) { // a failed write forgets the connection
            expire(connection, now);
            write(connection);
        }
        List<PeerInbound> received = new ArrayList<>();
        long deadlineNanos = now + TimeUnit.MILLISECONDS.toNanos(Math.max(0, timeoutMillis));
        while (true) {
            long remainingNanos = deadlineNanos - System.nanoTime();
            try {
                if (remainingNanos <= 0 || watchedHasInput()) {
                    selector.selectNow();
                } else {
                    selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(remainingNanos)));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("peer links: select failed", e);
            }
            Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
            while (keys.hasNext()) {
                SelectionKey key = keys.next();
                keys.remove();
                try {
                    if (key.attachment() instanceof Connection connection) {
                        ready(connection, key, received);
                    } else if (key.attachment() instanceof SelectorParty party) {
                        party.handle(key, System.nanoTime()); // a ZmtpClient, or another user of the selector
                    } else if (key.attachment() == this && key.isAcceptable()) {
                        acceptAll();
                    }
                } catch (CancelledKeyException e) {
                    // closed while handling an earlier key of this poll
                }
            }
            // A watched client's socket may only have been written or brought a PONG, and a connection may only have
            // been accepted or written: wait on for the rest of the timeout instead of handing the owner a turn with
            // nothing in it.
            if (!received.isEmpty() || deadlineNanos - System.nanoTime() <= 0 || watchedHasInput()) {
                return received;
            }
        }
    }

    private boolean watchedHasInput() {
        for (SelectorParty client : watched) {
            if (client.hasReceived()) {
                return true;
            }
        }
        return false;
    }

    private void ready(Connection connection, SelectionKey key, List<PeerInbound> received) {
        if (key.isConnectable()) {
            finishConnect(connection);
            return;
        }
        if (key.isWritable()) {
            write(connection);
        }
        if (connection.channel != null && key.isReadable()) {
            read(connection, received);
        }
    }

    private void connect(Connection link, long now) {
        SocketChannel channel = null;
        try {
            channel = SocketChannel.open();
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            link.channel = channel;
            if (channel.connect(TcpEndpoint.parse(link.address, false))) {
                TcpEndpoint.refuseSelfConnection(channel);
                link.key = channel.register(selector, SelectionKey.OP_READ, link);
                established(link);
            } else {
                link.key = channel.register(selector, SelectionKey.OP_CONNECT, link);
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("{}: cannot connect to {} at {}: {}", selfName, link.name, link.address, e.toString());
            broken(link, now);
        }
    }

    private void finishConnect(Connection link) {
        try {
            if (link.channel.finishConnect()) {
                TcpEndpoint.refuseSelfConnection(link.channel);
                link.key.interestOps(SelectionKey.OP_READ);
                established(link);
            }
        } catch (IOException e) {
            LOG.debug("{}: cannot connect to {} at {}: {}", selfName, link.name, link.address, e.toString());
            broken(link, System.nanoTime());
        }
    }

    private void established(Connection link) {
        link.backoffMillis = config.reconnectIntervalMillis();
        link.queue.addFirst(new Queued(System.nanoTime(), frame(helloFrame), true)); // not counted as a message
        if (connectSecurity != null) { // the hello goes boxed, after the handshake
            link.curve = new StreamCurve(connectSecurity);
            link.boxed.add(frame(link.curve.start()));
        }
        write(link);
    }

    static ByteBuffer frame(byte[] body) {
        ByteBuffer wire = ByteBuffer.allocate(FRAME_HEADER_BYTES + body.length);
        return wire.putInt(body.length).put(body).flip();
    }

    /** Drops the queued frames that waited too long (oldest first; never the hello or one partly written). */
    private void expire(Connection connection, long now) {
        long oldestAllowedNanos = now - config.peerQueueMessageAgeMaxMillis() * 1_000_000L;
        for (Iterator<Queued> it = connection.queue.iterator(); it.hasNext(); ) {
            Queued queued = it.next();
            if (!queued.droppable()) {
                continue;
            }
            if (queued.enqueuedNanos() - oldestAllowedNanos >= 0) {
                return;
            }
            it.remove();
            envelopes.droppedExpiredCount++;
        }
    }

    private void write(Connection connection) {
        if (!connection.connected()) {
            return;
        }
        if (connection.curve != null) {
            writeBoxed(connection);
            return;
        }
        try {
            while (!connection.queue.isEmpty()) {
                int count = Math.min(connection.queue.size(), FRAMES_PER_WRITE_MAX);
                ByteBuffer[] batch = new ByteBuffer[count];
                Iterator<Queued> it = connection.queue.iterator();
                for (int i = 0; i < count; i++) {
                    batch[i] = it.next().wire();
                }
                connection.channel.write(batch);
                while (!connection.queue.isEmpty()
                        && !connection.queue.peekFirst().wire().hasRemaining()) {
                    if (!connection.queue.removeFirst().hello()) {
                        envelopes.sentCount++;
                    }
                }
                if (batch[count - 1].hasRemaining()) {
                    break; // the socket's buffer is full: OP_WRITE tells when it drains
                }
            }
            int interest = SelectionKey.OP_READ | (connection.queue.isEmpty() ? 0 : SelectionKey.OP_WRITE);
            if (connection.key.interestOps() != interest) {
                connection.key.interestOps(interest);
            }
        } catch (IOException e) {
            LOG.debug("{}: link to {} broke while writing: {}", selfName, connection.label(), e.toString());
            broken(connection, System.nanoTime());
        }
    }

    /** Secure mode's write: queued frames are boxed once the handshake is done, a batch at a time, and written. */
    private void writeBoxed(Connection connection) {
        try {
            while (true) {
                if (connection.boxed.isEmpty() && connection.curve.ready()) {
                    for (int i = 0; i < FRAMES_PER_WRITE_MAX && !connection.queue.isEmpty(); i++) {
                        Queued queued = connection.queue.removeFirst();
                        ByteBuffer wire = queued.wire();
                        byte[] body = Arrays.copyOfRange(wire.array(), FRAME_HEADER_BYTES, wire.limit());
                        connection.boxed.add(frame(connection.curve.box(body)));
                        if (!queued.hello()) {
                            envelopes.sentCount++;
                        }
                    }
                }
                if (connection.boxed.isEmpty()) {
                    break;
                }
                connection.channel.write(connection.boxed.toArray(ByteBuffer[]::new));
                while (!connection.boxed.isEmpty()
                        && !connection.boxed.peekFirst().hasRemaining()) {
                    connection.boxed.removeFirst();
                }
                if (!connection.boxed.isEmpty()) {
                    break; // the socket's buffer is full: OP_WRITE tells when it drains
                }
            }
            boolean more = !connection.boxed.isEmpty() || (connection.curve.ready() && !connection.queue.isEmpty());
            int interest = SelectionKey.OP_READ | (more ? SelectionKey.OP_WRITE : 0);
            if (connection.key.interestOps() != interest) {
                connection.key.interestOps(interest);
            }
        } catch (IOException e) {
            LOG.debug("{}: link to {} broke while writing: {}", selfName, connection.label(), e.toString());
            broken(connection, System.nanoTime());
        }
    }

    private void read(Connection connection, List<PeerInbound> received) {
        try {
            while (received.size() < config.receiveMessagesPerPollMax()) {
                int n = connection.channel.read(connection.in);
                if (n < 0) {
                    LOG.debug("{}: {} closed its link", selfName, connection.label());
                    broken(connection, System.nanoTime());
                    return;
                }
                boolean filled = !connection.in.hasRemaining();
                if (!takeFrames(connection, received)) {
                    broken(connection, System.nanoTime());
                    return;
                }
                if (connection.curve != null) {
                    writeBoxed(connection); // a handshake answer, or what waited for the handshake
                    if (connection.channel == null) {
                        return;
                    }
                }
                if (!filled) {
                    return; // the socket had no more than this
                }
            }
        } catch (IOException e) {
            LOG.debug("{}: link with {} broke while reading: {}", selfName, connection.label(), e.toString());
            broken(connection, System.nanoTime());
        }
    }

    /**
     * Takes every whole frame out of the connection's buffer (leaving it ready for the next read).
     *
     * @return false if the connection must close: a frame over the limit, or a bad hello
     */
    private boolean takeFrames(Connection connection, List<PeerInbound> received) {
        ByteBuffer in = connection.in;
        in.flip();
        while (in.remaining() >= FRAME_HEADER_BYTES) {
            int length = in.getInt(in.position());
            int max = connection.name == null ? HELLO_MAGIC.length + HELLO_NAME_BYTES_MAX : frameBytesMax;
            if (connection.curve != null) {
                max = Math.max(max, HANDSHAKE_FRAME_BYTES_MAX) + CurveMechanism.MESSAGE_OVERHEAD_BYTES;
            }
            if (length < 0 || length > max) {
                envelopes.invalidReceivedCount++;
                LOG.debug(
                        "{}: frame of {} bytes from {} (at most {}): closing",
                        selfName,
                        length,
                        connection.label(),
                        max);
                return false;
            }
            if (in.remaining() < FRAME_HEADER_BYTES + length) {
                if (FRAME_HEADER_BYTES + length > in.capacity()) {
                    // doubling as the bytes arrive, not what the length announces: a peer that announces 64 MiB and
                    // sends little holds little
                    int capacity = (int) Math.min((long) FRAME_HEADER_BYTES + length, 2L * in.capacity());
                    ByteBuffer larger = ByteBuffer.allocate(capacity);
                    larger.put(in);
                    connection.in = larger; // write mode, holding the frame's start
                    return true;
                }
                break;
            }
            in.getInt();
            byte[] frame = new byte[length];
            in.get(frame);
            if (connection.curve != null) {
                List<byte[]> replies = new ArrayList<>(1);
                try {
                    frame = connection.curve.receive(frame, replies);
                } catch (ZmtpException e) {
                    envelopes.invalidReceivedCount++;
                    LOG.debug(
                            "{}: {} failed the CURVE handshake or a box: {}",
                            selfName,
                            connection.label(),
                            e.getMessage());
                    return false;
                }
                replies.forEach(reply -> connection.boxed.add(frame(reply)));
                if (frame == null) {
                    continue;
                }
            }
            if (connection.name == null) {
                if (!takeHello(connection, frame)) {
                    return false;
                }
                continue;
            }
            envelopes.accept(connection.name, frame, connection.route, received);
        }
        if (in.capacity() > READ_BUFFER_BYTES && in.remaining() <= READ_BUFFER_BYTES) {
            ByteBuffer smaller = ByteBuffer.allocate(READ_BUFFER_BYTES);
            smaller.put(in);
            connection.in = smaller; // back to the usual size once the long frame is read
        } else {
            in.compact();
        }
        return true;
    }

    private boolean takeHello(Connection connection, byte[] frame) {
        if (frame.length <= HELLO_MAGIC.length
                || !Arrays.equals(frame, 0, HELLO_MAGIC.length, HELLO_MAGIC, 0, HELLO_MAGIC.length)) {
            envelopes.invalidReceivedCount++;
            LOG.debug("{}: {} did not open with a hello: closing", selfName, connection.label());
            return false;
        }
        connection.name = PeerLinks.sourceName(Arrays.copyOfRange(frame, HELLO_MAGIC.length, frame.length));
        return true;
    }

    private void acceptAll() {
        while (true) {
            SocketChannel channel;
            try {
                channel = server.accept();
            } catch (IOException e) {
                LOG.warn("{}: accepting a peer connection failed: {}", selfName, e.toString());
                return;
            }
            if (channel == null) {
                return;
            }
            if (accepted.size() >= INBOUND_CONNECTIONS_MAX) {
                connectionsRefusedCount++;
                closeQuietly(channel);
                continue;
            }
            Connection connection = new Connection(false, nextConnectionId++, null, null);
            try {
                channel.configureBlocking(false);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                connection.channel = channel;
                connection.key = channel.register(selector, SelectionKey.OP_READ, connection);
                if (acceptSecurity != null) {
                    connection.curve = new StreamCurve(acceptSecurity);
                }
                accepted.put(connection.id, connection);
            } catch (IOException e) {
                closeQuietly(channel);
            }
        }
    }

    /** Closes a broken connection: an accepted one is forgotten, one of ours reconnects after its back-off. */
    private void broken(Connection connection, long now) {
        if (connection.connected()) {
            connectionsBrokenCount++;
        }
        closeChannel(connection);
        connection.curve = null; // the next connection has a handshake of its own
        connection.boxed.clear();
        if (!connection.outbound) {
            accepted.remove(connection.id);
            return;
        }
        connection.nextAttemptNanos = now + connection.backoffMillis * 1_000_000L;
        connection.backoffMillis = Math.min(connection.backoffMillis * 2, config.reconnectIntervalMaxMillis());
        connection.queue.removeIf(Queued::hello); // the next connection sends its own
        if (!connection.queue.isEmpty()) {
            connection.queue.peekFirst().wire().rewind(); // sent again whole on the next connection
        }
    }

    private void closeChannel(Connection connection) {
        if (connection.key != null) {
            connection.key.cancel();
            connection.key = null;
        }
        if (connection.channel != null) {
            closeQuietly(connection.channel);
            connection.channel = null;
        }
        // a link that keeps failing to connect reuses its buffer; one grown for a long frame is given back
        connection.in = connection.in.capacity() == READ_BUFFER_BYTES
                ? connection.in.clear()
                : ByteBuffer.allocate(READ_BUFFER_BYTES);
    }

    /** @return the counters since start */
    public PeerLinkStats stats() {
        int queued = 0;
        for (Connection link : peers.values()) {
            queued += link.queue.size();
        }
        for (Connection connection : accepted.values()) {
            queued += connection.queue.size();
        }
        return envelopes.stats(queued, peers.size());
    }

    /**
     * @return the counters as a map for {@code /status} and logs: those of {@link PeerLinkStats#toMap}, plus
     *     {@code connected} (peers whose link is up), {@code accepted} (connections open to us),
     *     {@code connections_broken} and {@code connections_refused} (over {@link #INBOUND_CONNECTIONS_MAX})
     */
    public Map<String, Object> statsMap() {
        Map<String, Object> map = stats().toMap();
        map.put(
                "connected",
                peers.values().stream().filter(Connection::connected).count());
        map.put("accepted", accepted.size());
        map.put("connections_broken", connectionsBrokenCount);
        map.put("connections_refused", connectionsRefusedCount);
        return map;
    }

    /** Closes every connection, the listening socket and the selector (not the watched sockets). */
    @Override
    public void close() {
        for (Connection link : peers.values()) {
            closeChannel(link);
        }
        peers.clear();
        for (Connection connection : accepted.values()) {
            closeChannel(connection);
        }
        accepted.clear();
        try {
            server.close();
        } catch (IOException e) {
            LOG.debug("{}: closing the peer listener: {}", selfName, e.toString());
        }
        try {
            selector.close();
        } catch (IOException e) {
            LOG.debug("{}: closing the peer selector: {}", selfName, e.toString());
        }
    }

    static byte[] hello(String name) {
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        if (nameBytes.length == 0 || nameBytes.length > HELLO_NAME_BYTES_MAX) {
            throw new IllegalArgumentException("a link's name must be 1-" + HELLO_NAME_BYTES_MAX + " bytes: " + name);
        }
        byte[] frame = Arrays.copyOf(HELLO_MAGIC, HELLO_MAGIC.length + nameBytes.length);
        System.arraycopy(nameBytes, 0, frame, HELLO_MAGIC.length, nameBytes.length);
        return frame;
    }
}
