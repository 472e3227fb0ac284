package io.synod.cli;

import io.synod.client.ClientConfig;
import io.synod.messaging.admin.AdminGate;
import io.synod.messaging.admin.AdminOptions;
import io.synod.web.WebAdmin;
import io.synod.web.WebConfig;
import io.synod.web.WebServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code synod web}: the browser app, its HTTP API and the cluster dashboard, as a client of the
 * cluster. Prints {@code synod web ready: URL} once serving; stops on SIGTERM or Ctrl-C.
 */
@Command(
        name = "web",
        mixinStandardHelpOptions = true,
        description = "Serve the web app (chat, social, cluster dashboard) and its HTTP API on 127.0.0.1.")
final class WebCommand implements Callable<Integer> {
    @Option(
            names = "--broker",
            description = "broker ROUTER endpoint, or several separated by commas (default: ${DEFAULT-VALUE})")
    String brokerEndpoint = ClientConfig.BROKER_ENDPOINT_DEFAULT;

    @Option(
            names = "--proxy",
            description = "proxy XPUB endpoint, or several separated by commas (default: ${DEFAULT-VALUE})")
    String proxyEndpoint = ClientConfig.PROXY_ENDPOINT_DEFAULT;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to bind (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(
            names = "--port",
            defaultValue = "8080",
            description = "HTTP port, 0 for any free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(
            names = "--admin",
            description = "A server's admin URL for the dashboard, e.g. http://127.0.0.1:8081 (repeatable).")
    List<String> adminUrls = new ArrayList<>();

    @Option(names = "--log", description = "JSON-lines interaction log file")
    Path logFile;

    @Option(names = "--timeout-ms", description = "request timeout per attempt in ms (default: ${DEFAULT-VALUE})")
    long requestTimeoutMillis = ClientConfig.REQUEST_TIMEOUT_MILLIS_DEFAULT;

    @Option(
            names = "--secure",
            description = "Secure mode (docs/security.md): a login needs a password, and every write of a session"
                    + " carries the cluster's session token. Use with servers in secure mode.")
    boolean secure;

    @Option(
            names = "--server-public-key",
            paramLabel = "FILE",
            description =
                    "With --secure: the cluster's server.key (from ./synod keys); the cluster links then speak CURVE")
    Path serverPublicKey;

    @Mixin
    AdminOptions admin = new AdminOptions();

    @Override
    public Integer call() throws InterruptedException {
        WebConfig config;
        java.net.InetSocketAddress adminAddress;
        AdminGate gate;
        try {
            adminAddress = admin.address();
            gate = admin.gate(secure); // no guarded route on the web's admin endpoint; a key given is still checked
            if (serverPublicKey != null && !secure) {
                throw new IllegalArgumentException("--server-public-key is for secure mode; add --secure or drop it");
            }
            config = new WebConfig(
                    brokerEndpoint,
                    proxyEndpoint,
                    host,
                    port,
                    adminUrls,
                    logFile,
                    requestTimeoutMillis,
                    secure,
                    serverPublicKey == null ? null : io.synod.messaging.zmtp.Z85Keys.readPublic(serverPublicKey));
        } catch (IllegalArgumentException e) {
            System.err.println("synod web: " + e.getMessage());
            return 2;
        }
        WebServer server;
        try {
            server = WebServer.start(config);
        } catch (RuntimeException e) {
            System.err.println("synod web: cannot serve on " + host + ":" + port + ": " + e.getMessage());
            return 1;
        }
        WebAdmin adminEndpoint;
        try {
            adminEndpoint = WebAdmin.start(config, server, adminAddress, gate);
        } catch (RuntimeException e) {
            System.err.println("synod web: " + e.getMessage());
            server.close();
            return 1;
        }
        System.out.println("synod web admin=" + adminEndpoint.url());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            adminEndpoint.close();
                            server.close();
                            stopped.countDown();
                        },
                        "synod-web-stop"));
        System.out.println("synod web ready: " + server.url() + " (mode=" + (secure ? "secure" : "compat") + ", broker "
                + brokerEndpoint + ", proxy " + proxyEndpoint + ", " + adminUrls.size()
                + " server(s) on the dashboard)");
        System.out.flush();
        stopped.await();
        return 0;
    }
}
