package io.synod.systemtests;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The statement's topology on free loopback ports, as real processes: reference, broker, proxy
 * and one server. Stopped by {@link #close()}.
 */
final class Cluster implements AutoCloseable {
    private static final Pattern ADMIN = Pattern.compile("admin=(http://\\S+)");

    final Processes processes;
    final int brokerFrontend = Processes.freePort();
    final int brokerBackend = Processes.freePort();
    final int proxyXsub = Processes.freePort();
    final int proxyXpub = Processes.freePort();
    final int reference = Processes.freePort();
    final List<Processes.Started> servers = new ArrayList<>();

    Cluster(String testName) throws IOException, InterruptedException {
        processes = new Processes(testName);
        try {
            processes.start("reference", List.of("reference", "--bind", Processes.endpoint(reference),
                    "--data-dir", dir("reference").toString(), "--log", log("reference")));
            processes.start("broker", List.of("broker", "--frontend", Processes.endpoint(brokerFrontend),
                    "--backend", Processes.endpoint(brokerBackend), "--log", log("broker")));
            processes.start("proxy", List.of("proxy", "--xsub", Processes.endpoint(proxyXsub),
                    "--xpub", Processes.endpoint(proxyXpub), "--log", log("proxy")));
        } catch (IOException | InterruptedException | RuntimeException e) {
            processes.close();
            throw e;
        }
    }

    Path dir(String name) {
        return processes.directory().resolve("data").resolve(name);
    }

    String log(String name) {
        return processes.directory().resolve("logs").resolve(name + ".jsonl").toString();
    }

    /** Starts (or restarts, on the same data directory) the server {@code name}. */
    Processes.Started startServer(String name) throws IOException, InterruptedException {
        Processes.Started server = processes.start(name, List.of("server", "--name", name,
                "--broker", Processes.endpoint(brokerBackend), "--proxy", Processes.endpoint(proxyXsub),
                "--reference", Processes.endpoint(reference), "--data-dir", dir(name).toString(),
                "--admin-port", "0", "--advertise", Processes.endpoint(Processes.freePort()), "--log", log(name)));
        servers.add(server);
        return server;
    }

    /** Starts the server {@code name} with extra options (e.g. {@code --clock-skew-ms}). */
    Processes.Started startServer(String name, List<String> extraArguments) throws IOException, InterruptedException {
        List<String> arguments = new ArrayList<>(List.of("server", "--name", name,
                "--broker", Processes.endpoint(brokerBackend), "--proxy", Processes.endpoint(proxyXsub),
                "--reference", Processes.endpoint(reference), "--data-dir", dir(name).toString(),
                "--admin-port", "0", "--advertise", Processes.endpoint(Processes.freePort()), "--log", log(name)));
        arguments.addAll(extraArguments);
        Processes.Started server = processes.start(name, arguments);
        servers.add(server);
        return server;
    }

    /** The admin URL from a server's ready line. */
    static String adminUrl(Processes.Started server) {
        Matcher matcher = ADMIN.matcher(server.readyLine());
        if (!matcher.find()) {
            throw new IllegalStateException("no admin=URL in ready line: " + server.readyLine());
        }
        return matcher.group(1);
    }

    WireClient client() {
        return new WireClient(Processes.endpoint(brokerFrontend), Processes.endpoint(proxyXpub));
    }

    @Override
    public void close() throws InterruptedException {
        processes.close();
    }
}
