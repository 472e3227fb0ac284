package io.synod.client.terminal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.synod.client.FakeCluster;
import io.synod.protocol.Envelope;
import io.synod.protocol.Publication;
import io.synod.protocol.Replies;
import io.synod.protocol.Services;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Drives the terminal client in plain (dumb) mode: lines in through a pipe, output lines checked. */
class ClientCommandTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private FakeCluster cluster;
    private PipedOutputStream input;
    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private CompletableFuture<Integer> exit;

    @BeforeEach
    void start() {
        cluster = new FakeCluster();
    }

    @AfterEach
    void stop() throws Exception {
        if (input != null) {
            input.close();
        }
        if (exit != null) {
            exit.get(10, TimeUnit.SECONDS);
        }
        cluster.close();
    }

    private void launch(String... extraArgs) throws IOException {
        PipedInputStream in = new PipedInputStream(64 * 1024);
        input = new PipedOutputStream(in);
        PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8);
        List<String> args = new ArrayList<>(
                List.of("--broker", cluster.brokerEndpoint(), "--proxy", cluster.proxyEndpoint(), "--plain"));
        args.addAll(List.of(extraArgs));
        ClientCommand command = new ClientCommand(in, out);
        exit = CompletableFuture.supplyAsync(() -> new CommandLine(command).execute(args.toArray(String[]::new)));
    }

    private void type(String line) throws IOException {
        input.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        input.flush();
    }

    private String text() {
        synchronized (output) {
            return output.toString(StandardCharsets.UTF_8);
        }
    }

    private void expect(String fragment) {
        await().atMost(WAIT).until(() -> text().contains(fragment));
    }

    @Test
    void aScriptedSession() throws Exception {
        launch("--user", "ana", "--timeout-ms", "1000");
        expect("logged in as ana; ready");
        await().atMost(WAIT).until(() -> cluster.subscriptions.contains("ana"));

        type("/channels");
        expect("channels (0): none");
        type("/create general");
        expect("joined #general; posting to #general");
        await().atMost(WAIT).until(() -> cluster.subscriptions.contains("general"));
        type("hello world");
        expect("#general <ana> hello world");

        type("/msg bob hi");
        expect("error: no such user: bob");
        cluster.users.add("bob");
        type("/msg bob hi bob");
        expect("to bob: hi bob");
        cluster.publish(new Publication.DirectMessage("bob", "ana", "psst", 1_700_000_000.0, 9, 1, "d1", 1, 1));
        expect("[dm] bob -> ana: psst");

        type("/history");
        expect("history of #general (1 shown):");
        type("/users");
        expect("users (2): ana, bob");
        type("/channels");
        expect("channels (1): >general");
        type("/bogus");
        expect("unknown command /bogus; /help lists the commands");
        type("/join nowhere");
        expect("error: no channel #nowhere (create it with /create nowhere)");
        type("/quit");
        assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void aPasswordLoginKeepsItsTokenOnEveryRequestUntilLogout() throws Exception {
        cluster.handler = request -> switch (request.service()) {
            case Services.LOGIN -> {
                Map<String, Object> data =
                        new LinkedHashMap<>(Replies.success(Services.LOGIN).data());
                data.put("token", "tk-ana");
                yield new Envelope(Services.LOGIN, data);
            }
            case Services.LOGOUT -> Replies.success(Services.LOGOUT);
            case Services.CHANNELS -> Replies.channels(List.of());
            default -> Replies.users(List.of("ana"));
        };
        launch("--user", "ana", "--password", "s3gredo", "--timeout-ms", "1000");
        expect("logged in as ana; ready");
        assertThat(cluster.requests(Services.LOGIN).get(0).data()).containsEntry("password", "s3gredo");
        type("/channels");
        expect("channels (0): none");
        assertThat(cluster.requests(Services.CHANNELS))
                .allSatisfy(r -> assertThat(r.data()).containsEntry("token", "tk-ana"));
        type("/logout");
        expect("logged out");
        assertThat(cluster.requests(Services.LOGOUT).get(0).data()).containsEntry("token", "tk-ana");
        int before = cluster.requests(Services.CHANNELS).size();
        type("/channels");
        await().atMost(WAIT).until(() -> cluster.requests(Services.CHANNELS).size() > before);
        assertThat(cluster.requests(Services.CHANNELS).get(before).data()).doesNotContainKey("token");
        type("/quit");
        assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void namesWithSpacesAndHashesAreTypedQuotedOrBare() throws Exception {
        launch("--timeout-ms", "1000");
        type("\"Ana Maria\"");
        expect("logged in as Ana Maria; ready");
        await().atMost(WAIT).until(() -> cluster.subscriptions.contains("Ana Maria"));

        type("/create minha sala");
        expect("joined #minha sala; posting to #minha sala");
        await().atMost(WAIT).until(() -> cluster.subscriptions.contains("minha sala"));
        type("olá a todos");
        expect("#minha sala <Ana Maria> olá a todos");
        type("/create '#geral'");
        expect("joined ##geral; posting to ##geral");
        type("/switch \"minha sala\"");
        expect("posting to #minha sala");
        type("/history #geral");
        expect("history of ##geral (0 shown):");
        type("/history 'minha sala'");
        expect("history of #minha sala (1 shown):");

        cluster.users.add("João Pedro");
        type("/msg \"João Pedro\" oi, tudo bem?");
        expect("to João Pedro: oi, tudo bem?");
        type("/msg 'João Pedro");
        expect("error: the name starting at ' has no closing '");
        type("/dm Ana Maria");
        expect("conversation with Ana Maria (0 shown):");
        cluster.publish(
                new Publication.DirectMessage("João Pedro", "Ana Maria", "linha 1\nlinha 2", 0, 1, 1, "d1", 1, 1));
        expect("[dm] João Pedro -> Ana Maria: linha 1\n    linha 2");
        type("/quit");
        assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
        assertThat(cluster.channels).contains("minha sala", "#geral");
        assertThat(cluster.users).contains("Ana Maria");
    }

    @Test
    void asksForTheUserNameAndPostsNeedAChannel() throws Exception {
        launch("--timeout-ms", "1000");
        type("bea");
        expect("logged in as bea; ready");
        type("hello?");
        expect("error: no current channel: /join NAME or /create NAME first");
        type("/help");
        expect("/msg USER TEXT");
        input.close();
        assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
        assertThat(cluster.users).containsExactly("bea");
    }

    @Test
    void aMissingClusterIsReportedWithTheEndpoint() throws Exception {
        cluster.silent = true;
        launch("--user", "ana", "--timeout-ms", "100", "--retries", "1");
        expect("error: no reply to 'login' from the broker at " + cluster.brokerEndpoint() + " after 2 attempts");
        type("/quit");
        assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
    }
}
