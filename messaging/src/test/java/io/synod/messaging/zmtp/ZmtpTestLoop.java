package io.synod.messaging.zmtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.zeromq.ZMQ;

/**
 * An owner loop for tests of our ZMTP sockets: one selector, the clients and routers on it, and turns driven by the
 * test (wait a little, serve the selected keys, tick and flush every client), each wait bounded. The tests of this
 * package use it, and system-tests through this module's test-jar.
 *
 * <p>Thread-safety: call from the test's thread only.
 */
public final class ZmtpTestLoop implements AutoCloseable {
    /** Longest {@link #turnUntil} waits for its condition. */
    public static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** How long one turn waits for the selector. */
    private static final long TURN_WAIT_MILLIS = 10;

    private final Selector selector;
    private final List<ZmtpClient> clients = new ArrayList<>();
    private final List<ZmtpRouter> routers = new ArrayList<>();

    public ZmtpTestLoop() {
        try {
            selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The selector to build the clients and routers of this loop on. */
    public Selector selector() {
        return selector;
    }

    /** Turns {@code client} with the others, and closes it with the loop. */
    public ZmtpClient add(ZmtpClient client) {
        clients.add(client);
        return client;
    }

    /** Closes {@code router} with the loop (its keys are served by every turn). */
    public ZmtpRouter add(ZmtpRouter router) {
        routers.add(router);
        return router;
    }

    /** One turn of an owner loop: wait a little, serve the keys, tick, write. */
    public void turn() throws IOException {
        selector.select(TURN_WAIT_MILLIS);
        long now = System.nanoTime();
        for (var key : selector.selectedKeys()) {
            if (key.attachment() instanceof SelectorParty party) {
                party.handle(key, now);
            }
        }
        selector.selectedKeys().clear();
        for (ZmtpClient client : clients) {
            client.tick(now);
            client.flush();
        }
    }

    /** Turns until {@code condition} holds; fails the test after {@link #WAIT_NANOS}. */
    public void turnUntil(BooleanSupplier condition) throws IOException {
        long deadline = System.nanoTime() + WAIT_NANOS;
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as("condition within 10 s").isNegative();
            turn();
        }
    }

    /** Turns for {@code millis}, whatever happens. */
    public void turnFor(long millis) throws IOException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < end) {
            turn();
        }
    }

    /** Turns until the JeroMQ {@code socket} has a message, and returns its frames. */
    public List<byte[]> receive(ZMQ.Socket socket) throws IOException {
        List<byte[]> frames = new ArrayList<>();
        turnUntil(() -> {
            byte[] frame = socket.recv(ZMQ.DONTWAIT);
            if (frame == null) {
                return false;
            }
            frames.add(frame);
            while (socket.hasReceiveMore()) {
                frames.add(socket.recv(0));
            }
            return true;
        });
        return frames;
    }

    @Override
    public void close() throws IOException {
        clients.forEach(ZmtpClient::close);
        routers.forEach(ZmtpRouter::close);
        selector.close();
    }
}
