package io.synod.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code synod status} against a {@code cluster.json} whose server answers {@code /status} on a loopback HTTP server
 * and whose brokers and proxies are loopback listeners: it exits 0 only while all of them are up, and 1 with a line
 * naming each broker or proxy that is down.
 */
class StatusCommandTest {
    @TempDir
    Path runDir;

    private HttpServer admin;
    private ServerSocket broker;
    private ServerSocket proxy;
    /** A port that was free a moment ago and is closed now: a broker that is down. */
    private int closedPort;

    @BeforeEach
    void start() throws IOException {
        admin = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        admin.createContext("/status", exchange -> {
            byte[] body = "{\"name\":\"server-1\",\"role\":\"LEADER\"}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        admin.start();
        broker = new ServerSocket(0, 4, InetAddress.getLoopbackAddress());
        proxy = new ServerSocket(0, 4, InetAddress.getLoopbackAddress());
        try (ServerSocket gone = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = gone.getLocalPort();
        }
    }

    @AfterEach
    void stop() throws IOException {
        admin.stop(0);
        broker.close();
        proxy.close();
    }

    private void writeCluster(int secondBrokerPort) throws IOException {
        String host = "tcp://127.0.0.1:";
        Files.writeString(
                runDir.resolve("cluster.json"),
                "{\"brokers\":[{\"name\":\"broker-1\",\"clients\":\"" + host + broker.getLocalPort() + "\"},"
                        + "{\"name\":\"broker-2\",\"clients\":\"" + host + secondBrokerPort + "\"}],"
                        + "\"proxies\":[{\"name\":\"proxy\",\"publishers\":\"" + host + proxy.getLocalPort() + "\"}],"
                        + "\"servers\":[{\"name\":\"server-1\",\"admin\":\"http://127.0.0.1:"
                        + admin.getAddress().getPort() + "\"}]}");
    }

    private record Run(int exit, String out, String err) {}

    private Run status(String... extra) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
        ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(outBytes, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(errBytes, true, StandardCharsets.UTF_8));
            String[] args = new String[extra.length + 4];
            args[0] = "--run-dir";
            args[1] = runDir.toString();
            args[2] = "--timeout-ms";
            args[3] = "1000";
            System.arraycopy(extra, 0, args, 4, extra.length);
            int exit = new CommandLine(new StatusCommand()).execute(args);
            return new Run(exit, outBytes.toString(StandardCharsets.UTF_8), errBytes.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void everyServerBrokerAndProxyUpExitsZero() throws IOException {
        try (ServerSocket second = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
            writeCluster(second.getLocalPort());
            Run run = status();
            assertThat(run.exit()).as(run.err()).isZero();
            assertThat(run.out()).contains("server-1").containsPattern("broker-2 +up");
            assertThat(run.err()).doesNotContain("down");
        }
    }

    @Test
    void aBrokerDownExitsOneNamingIt() throws IOException {
        writeCluster(closedPort);
        Run run = status();
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.out()).containsPattern("broker-2 +down").containsPattern("broker-1 +up");
        assertThat(run.err()).contains("synod status: down: broker-2").doesNotContain("broker-1");
    }

    @Test
    void aBrokerDownExitsOneWithJsonTooAndTheJsonStaysParsable() throws IOException {
        writeCluster(closedPort);
        Run run = status("--json");
        assertThat(run.exit()).isEqualTo(1);
        assertThat(new com.fasterxml.jackson.databind.ObjectMapper()
                        .readTree(run.out())
                        .get(0)
                        .get("name")
                        .asText())
                .isEqualTo("server-1");
        assertThat(run.err()).contains("synod status: down: broker-2");
    }
}
