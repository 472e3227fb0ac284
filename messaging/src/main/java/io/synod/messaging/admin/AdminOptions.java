package io.synod.messaging.admin;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The admin options every process takes (a picocli mixin): where its admin HTTP endpoint binds and which admin key
 * guards what changes anything. Loopback by default, as before: binding a network address (a container's
 * {@code 0.0.0.0}) is the operator's choice.
 *
 * <p>Thread-safety: filled by picocli on the main thread, read there.
 */
public final class AdminOptions {
    /** The default admin address: loopback only. */
    public static final String HOST_DEFAULT = "127.0.0.1";

    @Option(
            names = "--admin-bind",
            paramLabel = "HOST:PORT",
            description = "address of the admin HTTP endpoint (/health, /status, /metrics), e.g. 0.0.0.0:8081"
                    + " in a container; instead of --admin-host and --admin-port")
    String bind;

    @Option(
            names = "--admin-host",
            paramLabel = "HOST",
            description = "admin HTTP host to bind (default: " + HOST_DEFAULT + ", loopback only)")
    String host;

    @Option(names = "--admin-port", paramLabel = "PORT", description = "admin HTTP port, 0 = any free (default: 0)")
    Integer port;

    @Option(
            names = "--admin-key",
            paramLabel = "FILE",
            description = "file whose trimmed content is the admin secret; in secure mode admin operations need it")
    Path keyFile;

    /** Options as given on a command line (tests and launchers building a process in memory). */
    public static AdminOptions of(String host, int port, Path keyFile) {
        AdminOptions options = new AdminOptions();
        options.host = host;
        options.port = port;
        options.keyFile = keyFile;
        return options;
    }

    /**
     * The address to bind.
     *
     * @throws IllegalArgumentException naming the option when it is malformed or both forms are given
     */
    public InetSocketAddress address() {
        if (bind != null) {
            if (host != null || port != null) {
                throw new IllegalArgumentException("give --admin-bind or --admin-host/--admin-port, not both");
            }
            int colon = bind.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("--admin-bind must be HOST:PORT, was '" + bind + "'");
            }
            String h = bind.substring(0, colon);
            if (h.startsWith("[") && h.endsWith("]")) {
                h = h.substring(1, h.length() - 1); // [::1]:8081
            }
            return socketAddress("--admin-bind", h, parsePort("--admin-bind", bind.substring(colon + 1)));
        }
        int p = port == null ? 0 : port;
        if (p < 0 || p > 65_535) {
            throw new IllegalArgumentException("--admin-port must be 0 to 65535, was " + p);
        }
        return socketAddress("--admin-host", host == null ? HOST_DEFAULT : host, p);
    }

    /** The port asked for (0: any free), without binding anything. */
    public int requestedPort() {
        return address().getPort();
    }

    /** The admin key of {@code --admin-key}, or null without it. */
    public AdminKey key() {
        return keyFile == null ? null : AdminKey.load(keyFile);
    }

    /** The key file given, or null. */
    public Path keyFile() {
        return keyFile;
    }

    /** The gate for a process in secure mode ({@code secure}) or compat mode, with this key. */
    public AdminGate gate(boolean secure) {
        return AdminGate.of(secure, key());
    }

    private static int parsePort(String option, String text) {
        try {
            int p = Integer.parseInt(text);
            if (p >= 0 && p <= 65_535) {
                return p;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(option + ": the port must be 0 to 65535, was '" + text + "'");
    }

    private static InetSocketAddress socketAddress(String option, String host, int port) {
        if (host.isBlank()) {
            throw new IllegalArgumentException(option + ": the host is empty");
        }
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved()) {
            throw new IllegalArgumentException(option + ": cannot resolve host '" + host + "'");
        }
        return address;
    }
}
