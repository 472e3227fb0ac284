package io.synod.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.protocol.Envelope;
import io.synod.protocol.Limits;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * {@code synod admin remove-server} against a stand-in server on loopback that speaks the replication links'
 * framing (docs/protocol.md): what it sends, how it follows a redirect, and its errors.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AdminCommandTest {

    private record Run(int status, String out, String err) {}

    private static Run admin(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream savedOut = System.out;
        PrintStream savedErr = System.err;
        int status;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            List<String> all = new ArrayList<>(List.of("admin", "remove-server"));
            all.addAll(List.of(args));
            status = new CommandLine(new SynodMain()).execute(all.toArray(String[]::new));
        } finally {
            System.setOut(savedOut);
            System.setErr(savedErr);
        }
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Accepts one connection, checks the hello and the request, answers {@code answer}; returns the request. */
    private static CompletableFuture<Map<String, Object>> serveOnce(ServerSocket listener, Map<String, Object> answer) {
        return CompletableFuture.supplyAsync(() -> {
            try (Socket socket = listener.accept()) {
                socket.setSoTimeout(10_000);
                DataInputStream in = new DataInputStream(socket.getInputStream());
                byte[] hello = new byte[in.readInt()];
                in.readFully(hello);
                assertThat(new String(hello, StandardCharsets.UTF_8)).isEqualTo("SYNODPL1admin");
                byte[] request = new byte[in.readInt()];
                in.readFully(request);
                byte[] body = new Envelope("remove", answer).encode();
                DataOutputStream out = new DataOutputStream(socket.getOutputStream());
                out.writeInt(body.length);
                out.write(body);
                out.flush();
                Envelope decoded = Envelope.decode(request, Limits.DEFAULT);
                assertThat(decoded.service()).isEqualTo("remove");
                return decoded.data();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    private static String endpoint(ServerSocket listener) {
        return "tcp://127.0.0.1:" + listener.getLocalPort();
    }

    @Test
    void aFollowersRedirectIsFollowedToTheLeaderWhichProposesTheRemoval() throws IOException {
        try (ServerSocket follower = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                ServerSocket leader = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Map<String, Object>> asked = serveOnce(
                    follower,
                    Map.of(
                            "status", "erro",
                            "description", "not the leader; ask server-1",
                            "leader", "server-1",
                            "leader_endpoint", endpoint(leader)));
            CompletableFuture<Map<String, Object>> proposed =
                    serveOnce(leader, Map.of("status", "OK", "description", "removal of server-3 proposed"));

            Run run = admin("server-3", "--server", endpoint(follower), "--timeout-ms", "5000");

            assertThat(run.status()).as(run.err()).isZero();
            assertThat(asked.join()).containsEntry("name", "server-3");
            assertThat(proposed.join()).containsEntry("name", "server-3");
            assertThat(run.out()).contains(endpoint(leader) + ": OK removal of server-3 proposed");
        }
    }

    @Test
    void aServerNobodyRunsIsAskedAFewTimesThenReportedAndABadEndpointIsRefusedAtOnce() throws IOException {
        int port;
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = closed.getLocalPort();
        }
        Run down = admin("server-3", "--server", "tcp://127.0.0.1:" + port, "--timeout-ms", "1000");
        assertThat(down.status()).isEqualTo(1);
        assertThat(down.err()).contains("no answer from tcp://127.0.0.1:" + port + ", 3 times");

        Run bad = admin("server-3", "--server", "ipc://somewhere");
        assertThat(bad.status()).isEqualTo(2);
        assertThat(bad.err()).contains("not a tcp://HOST:PORT endpoint");
    }
}
