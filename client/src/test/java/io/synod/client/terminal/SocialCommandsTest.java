package io.synod.client.terminal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.synod.client.FakeCluster;
import io.synod.client.SynodSocial;
import io.synod.protocol.Publication;
import io.synod.protocol.Services;
import io.synod.protocol.Social;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The terminal's social commands: their parsing, and a plain-mode session against a {@link FakeCluster}. */
class SocialCommandsTest {
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

    @Test
    void searchArgumentsAreOptionsThenTheWordsAsTyped() {
        SocialCommands.Search plain = SocialCommands.parseSearch("ação  e reação");
        assertThat(plain.query()).isEqualTo("ação  e reação");
        assertThat(plain.nextPage()).isFalse();
        assertThat(plain.options().sort()).isNull();
        assertThat(plain.options().limit()).isEqualTo(SocialCommands.PAGE_ITEMS);

        SocialCommands.Search all =
                SocialCommands.parseSearch("--best --kind post --channel 'minha sala' --author ana acao");
        assertThat(all.options())
                .isEqualTo(new SynodSocial.SearchOptions("best", "post", "minha sala", "ana", 20, null));
        assertThat(all.query()).isEqualTo("acao");

        assertThat(SocialCommands.parseSearch("more").nextPage()).isTrue();
        assertThat(SocialCommands.parseSearch("--newest x").options().sort()).isEqualTo("newest");
        assertThatThrownBy(() -> SocialCommands.parseSearch("")).hasMessageContaining("usage: /search");
        assertThatThrownBy(() -> SocialCommands.parseSearch("--best")).hasMessageContaining("usage: /search");
        assertThatThrownBy(() -> SocialCommands.parseSearch("--kind")).hasMessageContaining("--kind needs a value");
        assertThatThrownBy(() -> SocialCommands.parseSearch("--wat x")).hasMessageContaining("unknown search option");
    }

    @Test
    void controlCharactersFromTheNetworkAreEscaped() {
        assertThat(TerminalText.safe("plain ação")).isEqualTo("plain ação");
        assertThat(TerminalText.safe("a\u001B[2Jb\u0007")).isEqualTo("a\\u001B[2Jb\\u0007");
        assertThat(TerminalText.safe("x\u202Ey\u0085")).isEqualTo("x\\u202Ey\\u0085");
        assertThat(TerminalText.lines("one\r\ntwo\rthree\u007F")).isEqualTo("one\n    two\n    three\\u007F");
        assertThat(SocialCommands.formatResult(Map.of(
                        "kind", "channel", "channel", "geral", "author", "ana", "message", "oi\u001B", "points", 3L)))
                .isEqualTo("#geral <ana> oi\\u001B (3 points)");
    }

    @Test
    void aSocialSessionPostsFollowsAndShowsNotificationsLive() throws Exception {
        cluster.social.store("bob", "follower", "carl", ""); // unread before the session starts
        launch("--user", "bob", "--timeout-ms", "1000");
        expect("logged in as bob; ready");
        await().atMost(WAIT).until(() -> cluster.subscriptions.contains(Social.notificationsTopic("bob")));

        type("/help");
        expect("/notifications [all]");
        expect("/search [--best]");
        type("/follow ana");
        expect("following ana; their posts arrive live and in /feed");
        await().atMost(WAIT).until(() -> cluster.subscriptions.contains(Social.postsTopic("ana")));
        type("/follow bob");
        expect("error: field 'target'");
        type("/post olá @ana, tudo bem?");
        expect("posted ");
        assertThat(cluster.requests(Services.POST).get(0).data()).containsEntry("message", "olá @ana, tudo bem?");

        cluster.publish(cluster.social.storePost("ana", "bom dia \u202Eaid mob")); // a bidi override passes the wire
        expect("[post] ana: bom dia \\u202Eaid mob");
        cluster.publish(cluster.social.store("bob", "follower", "dora", ""));
        expect("[follower] dora follows you");

        type("/notifications");
        expect("notifications: 2 unread (2 notifications, 0 new posts by users you follow: /feed)");
        expect(" *");
        await().atMost(WAIT)
                .until(() -> !cluster.requests(Services.NOTIFICATIONS_READ).isEmpty());
        assertThat(cluster.requests(Services.NOTIFICATIONS_READ).get(0).data()).containsEntry("seq", 2L);
        type("/notifications");
        expect("notifications: 0 unread");

        type("/feed");
        expect("feed (1 shown, newest first):");
        type("/profile ana");
        expect("ana: 1 posts, 1 followers, 0 following");
        type("/timeline");
        expect("timeline (2 shown, newest first):");
        for (int i = 0; i < SocialCommands.PAGE_ITEMS; i++) {
            cluster.social.storePost("carl", "post " + i);
        }
        type("/timeline");
        expect("timeline (20 shown, newest first; more: /timeline more):");
        type("/timeline more");
        await().atMost(WAIT).until(() -> text().split("timeline \\(2 shown, newest first\\):", -1).length == 3);
        type("/search --best acao");
        expect("found acao sort=best kind=null");
        expect("more: /search more");
        type("/search more");
        await().atMost(WAIT).until(() -> cluster.requests(Services.SEARCH).size() == 2);
        assertThat(cluster.requests(Services.SEARCH).get(1).data())
                .containsEntry("cursor", "c1")
                .containsEntry("sort", "best");
        type("/conversations");
        expect("conversations (0 shown, most recent first):");
        type("/unfollow ana");
        expect("no longer following ana");
        await().atMost(WAIT).until(() -> !cluster.subscriptions.contains(Social.postsTopic("ana")));
        type("/quit");
        assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void theUnreadCountCountsLiveNotificationsAndPosts() {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        Console console = new PlainConsole(java.io.InputStream.nullInputStream(), new PrintStream(printed, true));
        SocialCommands social = new SocialCommands(console, () -> null);
        assertThat(social.promptMark()).isEmpty();
        Publication.Notification message =
                new Publication.Notification("bob", "message", "ana", "d1", "", "oi", 0, 1, 1, "n1", 1);
        assertThat(social.onDelivery(new io.synod.client.Delivery(message, io.synod.client.Delivery.Source.LIVE), "x"))
                .as("the private message itself is printed")
                .isNull();
        Publication.SocialPost post = new Publication.SocialPost("ana", "oi", "", 0, 2, 1, "2-0", 2);
        assertThat(social.onDelivery(new io.synod.client.Delivery(post, io.synod.client.Delivery.Source.HISTORY), "p"))
                .isEqualTo("p");
        assertThat(social.onDelivery(
                        new io.synod.client.Delivery(post, io.synod.client.Delivery.Source.CORRECTION), "c"))
                .isEqualTo("c");
        assertThat(social.unread()).as("a correction is not new").isEqualTo(2);
        assertThat(social.promptMark()).isEqualTo(" [2 unread]");
        assertThat(printed.size()).isZero();
    }

    private void launch(String... extraArgs) throws IOException {
        PipedInputStream in = new PipedInputStream(64 * 1024);
        input = new PipedOutputStream(in);
        PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8);
        List<String> args = new java.util.ArrayList<>(
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
}
