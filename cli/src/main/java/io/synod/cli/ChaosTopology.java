package io.synod.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Who binds what in a {@link ChaosCluster}: the process names, each one's address (its own host's, or 127.0.0.1),
 * its ports (the launcher's defaults on a host of its own, free ones on loopback) and its command line. Servers get
 * every broker and every proxy, comma-joined.
 */
final class ChaosTopology {
    static final int REFERENCE_PORT = 5559;
    static final int BROKER_PORT = 5555;
    static final int PROXY_PORT = 5557;
    static final int PEER_PORT = 7001;
    static final int PAXOS_PORT = 7101;
    static final int ADMIN_PORT = 8081;

    private final ChaosCluster.Settings settings;
    private final Map<String, String> hostOf = new LinkedHashMap<>();
    private final Map<String, Integer> loopbackPorts = new LinkedHashMap<>();
    final List<String> servers = new ArrayList<>();
    final List<String> brokers = new ArrayList<>();
    final List<String> proxies = new ArrayList<>();
    final List<String> writers = new ArrayList<>();

    /** {@code addresses}: each process's address, in start order. */
    ChaosTopology(ChaosCluster.Settings settings, Map<String, String> addresses) {
        this.settings = settings;
        hostOf.putAll(addresses);
        for (String name : addresses.keySet()) {
            if (name.startsWith("broker")) {
                brokers.add(name);
            } else if (name.startsWith("proxy")) {
                proxies.add(name);
            } else if (name.startsWith("server")) {
                servers.add(name);
            } else if (name.startsWith("writer")) {
                writers.add(name);
            }
        }
    }

    String address(String name) {
        return hostOf.get(name);
    }

    Path record(String writer) {
        return settings.runDirectory().resolve("records").resolve(writer + ".jsonl");
    }

    Path control(String writer) {
        return settings.runDirectory().resolve("records").resolve(writer + ".control");
    }

    /** The process names in start order, which is also the host order of the network. */
    static List<String> names(ChaosCluster.Settings s) {
        List<String> names = new ArrayList<>(List.of("reference"));
        for (int i = 1; i <= s.brokers(); i++) {
            names.add(s.brokers() == 1 ? "broker" : "broker-" + i);
        }
        for (int i = 1; i <= s.proxies(); i++) {
            names.add(s.proxies() == 1 ? "proxy" : "proxy-" + i);
        }
        for (int i = 1; i <= s.servers(); i++) {
            names.add("server-" + i);
        }
        for (int i = 1; i <= s.writers(); i++) {
            names.add("writer-" + i);
        }
        for (int i = 1; i <= s.bots(); i++) {
            names.add("bot-" + i);
        }
        return names;
    }

    private String endpoint(String process, int netnsPort) {
        int port = settings.netns()
                ? netnsPort
                : loopbackPorts.computeIfAbsent(process + ":" + netnsPort, key -> freePort());
        return "tcp://" + hostOf.get(process) + ":" + port;
    }

    private String log(String name) {
        return settings.runDirectory().resolve("logs").resolve(name + ".jsonl").toString();
    }

    private String data(String name) {
        return settings.runDirectory().resolve("data").resolve(name).toString();
    }

    /** The brokers' client endpoints, comma-joined. */
    public String brokerFrontends() {
        return String.join(
                ",", brokers.stream().map(b -> endpoint(b, BROKER_PORT)).toList());
    }

    /** The proxies' subscriber endpoints, comma-joined. */
    public String proxySubscribers() {
        return String.join(
                ",", proxies.stream().map(p -> endpoint(p, PROXY_PORT + 1)).toList());
    }

    /** A broker's or proxy's command line: {@code firstOption} on {@code port}, {@code secondOption} on the next. */
    private List<String> forwarderArguments(
            String kind, String name, String firstOption, String secondOption, int port) {
        return List.of(
                kind, firstOption, endpoint(name, port), secondOption, endpoint(name, port + 1), "--log", log(name));
    }

    List<String> arguments(String name) {
        if (name.equals("reference")) {
            return List.of(
                    "reference",
                    "--bind",
                    endpoint(name, REFERENCE_PORT),
                    "--data-dir",
                    data(name),
                    "--log",
                    log(name));
        }
        if (brokers.contains(name)) {
            return forwarderArguments("broker", name, "--frontend", "--backend", BROKER_PORT);
        }
        if (proxies.contains(name)) {
            return forwarderArguments("proxy", name, "--xsub", "--xpub", PROXY_PORT);
        }
        if (servers.contains(name)) {
            List<String> arguments = new ArrayList<>(List.of(
                    "server",
                    "--name",
                    name,
                    "--broker",
                    String.join(
                            ",",
                            brokers.stream()
                                    .map(b -> endpoint(b, BROKER_PORT + 1))
                                    .toList()),
                    "--proxy",
                    String.join(
                            ",",
                            proxies.stream().map(p -> endpoint(p, PROXY_PORT)).toList()),
                    "--reference",
                    endpoint("reference", REFERENCE_PORT),
                    "--data-dir",
                    data(name),
                    "--admin-port",
                    settings.netns() ? Integer.toString(ADMIN_PORT) : "0",
                    "--advertise",
                    endpoint(name, PEER_PORT),
                    "--log",
                    log(name)));
            if (servers.size() > 1) {
                List<String> members = new ArrayList<>();
                servers.forEach(s -> members.add(s + "=" + endpoint(s, PAXOS_PORT)));
                arguments.addAll(List.of("--initial-members", String.join(",", members)));
            }
            return arguments;
        }
        if (writers.contains(name)) {
            return List.of(
                    "chaos-writer",
                    "--broker",
                    brokerFrontends(),
                    "--proxy",
                    proxySubscribers(),
                    "--name",
                    name,
                    "--rate",
                    Double.toString(settings.writeRate()),
                    "--record",
                    record(name).toString(),
                    "--control",
                    control(name).toString());
        }
        return List.of( // a bot
                "bot",
                "--broker",
                brokerFrontends(),
                "--proxy",
                proxySubscribers(),
                "--name",
                name,
                "--rate",
                Double.toString(settings.botRate()),
                "--log",
                log(name));
    }

    /** A port free on 127.0.0.1 a moment ago, below the usual ephemeral range (no outgoing connection takes it). */
    private static int freePort() {
        for (int attempt = 0; attempt < 1_000; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(20_000, 32_000);
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IllegalStateException("no free port in 20000-32000");
    }
}
