package io.synod.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Separate hosts on one Linux machine: each host is a network namespace with one interface ({@code eth0}) and its own
 * address from 198.18.0.0/15 (RFC 2544's range for network tests), cabled by a veth pair to a bridge that lives in a
 * namespace of its own. Nothing else is made: the machine's own namespace gets no interface, address or route, so
 * the addresses exist only inside these namespaces and no packet leaves them. Processes join a host with
 * {@link #exec}; a partition is a host's cable unplugged at the switch ({@link #cut}: its bridge port taken down, so
 * packets are dropped both ways without a reset, as on a real network), and {@link #heal} plugs it back.
 *
 * <p>Every namespace is named {@code synod-<pid>-<host>} after the JVM that made it, so {@link #create} first removes
 * the namespaces a crashed earlier run left behind (their pid no longer alive; what still runs in them is killed)
 * and never touches a live run's.
 * Needs root and iproute2's {@code ip}; {@link #unavailableReason()} says why not otherwise. Every command is bounded
 * by {@link #COMMAND_WAIT_MILLIS}. Not thread-safe except {@link #cut}, {@link #heal} and {@link #exec}, which only
 * read.
 */
public final class NetNamespaces implements AutoCloseable {
    /** Longest wait for one {@code ip} command. */
    public static final long COMMAND_WAIT_MILLIS = 10_000;
    /** The most hosts of one network: the addresses of one /24 after the first ten. */
    public static final int HOSTS_MAX = 200;

    private static final String PREFIX = "synod-";
    private static final Pattern OWNED = Pattern.compile("^" + PREFIX + "(\\d+)-\\S+");
    private static final String SWITCH = "switch";
    private static final String SUBNET = "198.18.0.";
    private static final int FIRST_HOST_OCTET = 10;

    /** One host: its namespace and its address. */
    public record Host(String name, String namespace, String address, String switchPort) {}

    private final String switchNamespace;
    private final Map<String, Host> hosts = new LinkedHashMap<>();

    private NetNamespaces(String switchNamespace) {
        this.switchNamespace = switchNamespace;
    }

    /** Why namespaces cannot be made here (not Linux, not root, no {@code ip}, refused), or empty when they can. */
    public static Optional<String> unavailableReason() {
        if (!System.getProperty("os.name", "")
                .toLowerCase(java.util.Locale.ROOT)
                .contains("linux")) {
            return Optional.of("network namespaces need Linux (this is " + System.getProperty("os.name") + ")");
        }
        if (!isRoot()) {
            return Optional.of("network namespaces need root (run as root, as CI does)");
        }
        String probe = PREFIX + ProcessHandle.current().pid() + "-probe";
        try {
            run(List.of("ip", "netns", "add", probe));
            run(List.of("ip", "netns", "delete", probe));
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of("cannot make a network namespace: " + e.getMessage());
        }
    }

    private static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.UTF_8)) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0"); // the effective uid
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    /**
     * Makes the switch and one host per name (in order: the first gets 198.18.0.10), after removing namespaces
     * left by dead runs. On a failure half-way, removes what it made and throws.
     */
    public static NetNamespaces create(List<String> hostNames) throws IOException {
        if (hostNames.isEmpty() || hostNames.size() > HOSTS_MAX) {
            throw new IllegalArgumentException("hosts must be 1 to " + HOSTS_MAX + ", were " + hostNames.size());
        }
        removeStale();
        String owner = PREFIX + ProcessHandle.current().pid() + "-";
        NetNamespaces network = new NetNamespaces(owner + SWITCH);
        try {
            run(List.of("ip", "netns", "add", network.switchNamespace));
            network.ip("link", "add", "br0", "type", "bridge");
            network.ip("link", "set", "br0", "up");
            for (int i = 0; i < hostNames.size(); i++) {
                String name = hostNames.get(i);
                if (!name.matches("[a-z0-9][a-z0-9-]{0,30}") || name.equals(SWITCH)) {
                    throw new IllegalArgumentException("host name must be [a-z0-9-], up to 31, not 'switch': " + name);
                }
                Host host = new Host(name, owner + name, SUBNET + (FIRST_HOST_OCTET + i), "p" + i);
                network.hosts.put(name, host); // before it exists: close() removes whatever was made
                run(List.of("ip", "netns", "add", host.namespace()));
                run(List.of(
                        "ip",
                        "link",
                        "add",
                        "eth0",
                        "netns",
                        host.namespace(),
                        "type",
                        "veth",
                        "peer",
                        "name",
                        host.switchPort(),
                        "netns",
                        network.switchNamespace));
                network.ip("link", "set", host.switchPort(), "master", "br0");
                network.ip("link", "set", host.switchPort(), "up");
                run(List.of("ip", "-n", host.namespace(), "link", "set", "lo", "up"));
                run(List.of("ip", "-n", host.namespace(), "addr", "add", host.address() + "/24", "dev", "eth0"));
                run(List.of("ip", "-n", host.namespace(), "link", "set", "eth0", "up"));
            }
        } catch (IOException | RuntimeException e) {
            network.close();
            throw e;
        }
        return network;
    }

    /** Removes every {@code synod-<pid>-*} namespace whose pid is no longer a live process. */
    static void removeStale() throws IOException {
        for (String line : run(List.of("ip", "netns", "list")).split("\n")) {
            Matcher owned = OWNED.matcher(line.trim());
            if (owned.find()) {
                long pid = Long.parseLong(owned.group(1));
                if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    continue;
                }
                delete(line.trim().split("\\s+")[0]);
            }
        }
    }

    public Host host(String name) {
        Host host = hosts.get(name);
        if (host == null) {
            throw new IllegalArgumentException("no host " + name + " (hosts: " + hosts.keySet() + ")");
        }
        return host;
    }

    public List<Host> hosts() {
        return List.copyOf(hosts.values());
    }

    /** {@code command} run inside the host's namespace ({@code ip netns exec} execs it: same pid). */
    public List<String> exec(String hostName, List<String> command) {
        List<String> wrapped =
                new ArrayList<>(List.of("ip", "netns", "exec", host(hostName).namespace()));
        wrapped.addAll(command);
        return wrapped;
    }

    /** Unplugs the host's cable at the switch: nothing reaches it or leaves it until {@link #heal}. */
    public void cut(String hostName) throws IOException {
        ip("link", "set", host(hostName).switchPort(), "down");
    }

    public void heal(String hostName) throws IOException {
        ip("link", "set", host(hostName).switchPort(), "up");
    }

    private void ip(String... arguments) throws IOException {
        List<String> command = new ArrayList<>(List.of("ip", "-n", switchNamespace));
        command.addAll(List.of(arguments));
        run(command);
    }

    /** Removes every namespace this network made (their interfaces go with them); bounded, never throws. */
    @Override
    public void close() {
        List<String> namespaces = new ArrayList<>();
        hosts.values().forEach(host -> namespaces.add(host.namespace()));
        namespaces.add(switchNamespace);
        namespaces.forEach(NetNamespaces::delete);
        hosts.clear();
    }

    /**
     * Kills (-9) whatever still runs in the namespace (a process a crashed run left behind would otherwise keep it
     * alive, unnamed), then deletes it; never throws.
     */
    private static void delete(String namespace) {
        try {
            for (String pid : run(List.of("ip", "netns", "pids", namespace)).split("\\s+")) {
                if (!pid.isBlank()) {
                    ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // no such namespace: nothing runs in it
        }
        try {
            run(List.of("ip", "netns", "delete", namespace));
        } catch (IOException e) {
            // never made, or already gone (another cleaner got there first)
        }
    }

    /** Runs a command with a bounded wait; returns its output, or throws with its output when it fails. */
    static String run(List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            process.getOutputStream().close();
            if (!process.waitFor(COMMAND_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + ": no answer within " + COMMAND_WAIT_MILLIS + " ms");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException(String.join(" ", command) + ": interrupted", e);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.exitValue() != 0) {
            throw new IOException(
                    String.join(" ", command) + " failed (" + process.exitValue() + "): " + output.trim());
        }
        return output;
    }
}
