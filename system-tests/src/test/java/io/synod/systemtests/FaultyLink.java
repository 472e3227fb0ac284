package io.synod.systemtests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A fault-injecting TCP forwarder on loopback, for one direction of one replication link: it listens on its own
 * port and copies bytes both ways between each accepted connection and {@code 127.0.0.1:target}. {@link #cut()}
 * closes every connection and closes each new one at once (the peer sees a refused/reset link, ZeroMQ keeps
 * reconnecting); {@link #heal()} lets new connections through again. Threads are virtual; {@link #close()} stops all.
 */
final class FaultyLink implements AutoCloseable {
    private final ServerSocket listener;
    private final int target;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile boolean cut;
    private volatile boolean closed;

    FaultyLink(int target) {
        this.target = target;
        try {
            listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread.ofVirtual().name("faulty-link-" + port()).start(this::acceptLoop);
    }

    int port() {
        return listener.getLocalPort();
    }

    /** Drops every connection now and every new one until {@link #heal()}. */
    void cut() {
        cut = true;
        for (Socket socket : open) {
            closeQuietly(socket);
        }
    }

    void heal() {
        cut = false;
    }

    private void acceptLoop() {
        while (!closed) {
            Socket inbound;
            try {
                inbound = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            if (cut) {
                closeQuietly(inbound);
                continue;
            }
            Socket outbound = new Socket();
            try {
                outbound.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), target), 2_000);
            } catch (IOException e) {
                closeQuietly(inbound);
                closeQuietly(outbound);
                continue;
            }
            open.add(inbound);
            open.add(outbound);
            if (cut) { // cut() ran between the check and the registration
                closeQuietly(inbound);
                closeQuietly(outbound);
            }
            Thread.ofVirtual().start(() -> pump(inbound, outbound));
            Thread.ofVirtual().start(() -> pump(outbound, inbound));
        }
    }

    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[64 * 1024];
        try {
            var in = from.getInputStream();
            var out = to.getOutputStream();
            for (int n = in.read(buffer); n >= 0 && !cut; n = in.read(buffer)) {
                out.write(buffer, 0, n);
            }
        } catch (IOException e) {
            // closed by cut(), close() or the other side
        } finally {
            closeQuietly(from);
            closeQuietly(to);
            open.remove(from);
            open.remove(to);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() {
        closed = true;
        cut();
        try {
            listener.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
