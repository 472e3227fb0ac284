package io.synod.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.synod.client.ClientConfig;
import io.synod.client.SynodClient;
import io.synod.client.terminal.ClientCommand;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * The terminal client's social commands on three replicated servers (issue 21): bob's terminal follows ana; ana
 * (the client library) follows bob and posts; bob's terminal prints both live above its input; after bob reconnects
 * with a new session, {@code /notifications} shows what is unread (the follower notification, then the post alone:
 * unread 1) and {@code /feed} shows the post and marks it read.
 */
class TerminalSocialTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** Time for a new SUB subscription to reach the proxy (ZeroMQ's slow joiner) before what it waits for is sent. */
    private static final long SUBSCRIPTION_SETTLE_MILLIS = 500;

    @Test
    @Timeout(180)
    void bobsTerminalShowsAnasFollowAndPostLiveAndUnreadAfterReconnecting() throws Exception {
        try (Cluster cluster = new Cluster("terminal-social")) {
            Map<String, String> endpoints = new LinkedHashMap<>();
            for (String name : List.of("server-1", "server-2", "server-3")) {
                endpoints.put(name, Processes.endpoint(Processes.freePort()));
            }
            List<String> extra = List.of("--initial-members", Cluster.initialMembers(endpoints));
            List<Processes.Started> servers = new ArrayList<>();
            for (String name : endpoints.keySet()) {
                servers.add(cluster.startServer(name, extra));
            }
            Cluster.awaitLeader(servers);
            String broker = Processes.endpoint(cluster.brokerFrontend);
            String proxy = Processes.endpoint(cluster.proxyXpub);

            try (SynodClient ana = SynodClient.connect(ClientConfig.defaults(broker, proxy), null)) {
                assertThat(ana.login("ana").ok()).isTrue();

                Terminal first = Terminal.start(broker, proxy, "bob");
                first.expect("logged in as bob; ready");
                first.type("/follow ana");
                first.expect("following ana; their posts arrive live and in /feed");
                Thread.sleep(SUBSCRIPTION_SETTLE_MILLIS);

                assertThat(ana.social().follow("bob").ok()).isTrue();
                first.expect("[follower] ana follows you");
                assertThat(ana.social().post("bom dia a todos", null).ok()).isTrue();
                first.expect("[post] ana: bom dia a todos");
                first.quit();
            }

            Terminal again = Terminal.start(broker, proxy, "bob"); // reconnected: a new client, a new session
            again.expect("logged in as bob; ready");
            again.type("/notifications");
            again.expect("notifications: 2 unread (1 notifications, 1 new posts by users you follow: /feed)");
            again.expect("[follower] ana follows you");
            again.type("/notifications");
            again.expect("notifications: 1 unread (0 notifications, 1 new posts by users you follow: /feed)");
            again.type("/feed");
            again.expect("feed (1 shown, newest first):");
            again.type("/notifications");
            again.expect("notifications: 0 unread (0 notifications, 0 new posts by users you follow: /feed)");
            again.type("/profile ana");
            again.expect("ana: 1 posts, 1 followers, 1 following");
            again.quit();
            System.out.println("terminal-social: bob's second session:\n" + again.text());
        }
    }

    /** One terminal client session in plain mode, its input a pipe and its output kept. */
    private record Terminal(PipedOutputStream input, ByteArrayOutputStream output, CompletableFuture<Integer> exit) {
        static Terminal start(String broker, String proxy, String user) throws IOException {
            PipedInputStream in = new PipedInputStream(64 * 1024);
            PipedOutputStream input = new PipedOutputStream(in);
            ByteArrayOutputStream output = new ByteArrayOutputStream();
            PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8);
            ClientCommand command = new ClientCommand(in, out);
            String[] args = {"--broker", broker, "--proxy", proxy, "--plain", "--user", user};
            return new Terminal(
                    input, output, CompletableFuture.supplyAsync(() -> new CommandLine(command).execute(args)));
        }

        void type(String line) throws IOException {
            input.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            input.flush();
        }

        String text() {
            synchronized (output) {
                return output.toString(StandardCharsets.UTF_8);
            }
        }

        void expect(String fragment) {
            await().atMost(WAIT).failFast(() -> exit.isDone()).until(() -> text().contains(fragment));
        }

        void quit() throws Exception {
            type("/quit");
            assertThat(exit.get(30, TimeUnit.SECONDS)).isZero();
            input.close();
        }
    }
}
