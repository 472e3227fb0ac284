package io.synod.messaging;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Objects;

/**
 * {@code tcp://HOST:PORT} endpoints, as ZeroMQ writes them, for the sockets Synod opens itself (the replication
 * links, the broker and the proxy).
 *
 * <p>Thread-safety: stateless.
 */
public final class TcpEndpoint {
    private TcpEndpoint() {}

    /**
     * Parses {@code tcp://HOST:PORT}.
     *
     * @param forBind HOST may be {@code *} (every interface) and PORT {@code *} or 0 (any free port)
     * @throws IllegalArgumentException if it is not such an endpoint
     */
    public static InetSocketAddress parse(String endpoint, boolean forBind) {
        Objects.requireNonNull(endpoint, "endpoint");
        int colon = endpoint.lastIndexOf(':');
        if (!endpoint.startsWith("tcp://") || colon <= "tcp://".length()) {
            throw new IllegalArgumentException("not a tcp://HOST:PORT endpoint: " + endpoint);
        }
        String host = endpoint.substring("tcp://".length(), colon);
        String portText = endpoint.substring(colon + 1);
        int port;
        if (forBind && portText.equals("*")) {
            port = 0;
        } else {
            try {
                port = Integer.parseInt(portText);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a tcp://HOST:PORT endpoint: " + endpoint);
            }
        }
        if (port < 0 || port > 65_535 || (!forBind && port == 0)) {
            throw new IllegalArgumentException("bad port in endpoint " + endpoint);
        }
        if (forBind && host.equals("*")) {
            return new InetSocketAddress(port);
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return forBind ? new InetSocketAddress(resolve(host, endpoint), port) : new InetSocketAddress(host, port);
    }

    /** The endpoint {@code bindEndpoint} names once bound to {@code socket}: its host ({@code *} as 0.0.0.0) and the real port. */
    public static String bound(String bindEndpoint, ServerSocket socket) {
        String host = bindEndpoint.substring("tcp://".length(), bindEndpoint.lastIndexOf(':'));
        return "tcp://" + (host.equals("*") ? "0.0.0.0" : host) + ":" + socket.getLocalPort();
    }

    /**
     * Fails if a connection made to a local port nobody listened on ended up connected to itself (TCP's
     * simultaneous open: the kernel picked that same port as the source). Left open, it would answer its own
     * messages and hold the port against the real peer's restart.
     *
     * @throws IOException if {@code channel} is connected to itself
     */
    public static void refuseSelfConnection(java.nio.channels.SocketChannel channel) throws IOException {
        java.net.SocketAddress local = channel.getLocalAddress();
        if (local != null && local.equals(channel.getRemoteAddress())) {
            throw new IOException("connected to itself at " + local + " (nobody listens there)");
        }
    }

    private static InetAddress resolve(String host, String endpoint) {
        try {
            return InetAddress.getByName(host);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("unknown host in endpoint " + endpoint, e);
        }
    }
}
