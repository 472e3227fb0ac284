package io.synod.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.client.ClientConfig;
import io.synod.client.ClientReply;
import io.synod.client.SynodClient;
import io.synod.messaging.zmtp.Z85Keys;
import io.synod.protocol.Publication;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code synod up --secure} starts its bots with accounts of their own: each logs in as {@code bot-N} with a random
 * password from an owner-only file that survives a restart, over CURVE, and posts into a channel, which a secure
 * cluster allows only with the session token of the user named.
 */
class SecureLauncherTest {
    private static final long POLL_MILLIS = 200;
    private static final int POLLS_MAX = 150;

    @Test
    @Timeout(180)
    void upSecureStartsBotsThatLogInWithTheirOwnPasswordAndPost() throws Exception {
        UpPorts ports = UpPorts.free(2, 1);
        try (Processes processes = new Processes("secure-launcher")) {
            Path runDir = processes.directory().resolve("run");
            List<String> arguments = ports.up(
                    "--secure",
                    "--servers",
                    "1",
                    "--no-web",
                    "--run-dir",
                    runDir.toString(),
                    "--bots",
                    "2",
                    "--bot-rate",
                    "10");
            Processes.Started up = processes.start("up", arguments);
            assertThat(up.readyLine()).contains("synod ready: 1 server(s), 2 bot(s)");
            Path data = runDir.resolve("data");
            byte[] serverPublic = Z85Keys.readPublic(data.resolve("keys/server.key"));
            String[] passwords = new String[2];
            for (int i = 1; i <= 2; i++) {
                Path file = data.resolve("bot-" + i + ".password");
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                        .isEqualTo("rw-------");
                passwords[i - 1] = Files.readString(file).strip();
                assertThat(passwords[i - 1]).matches("[0-9a-f]{64}");
            }
            assertThat(passwords[0]).isNotEqualTo(passwords[1]);

            ClientConfig config = ClientConfig.defaults(ports.brokerEndpoint(), ports.xpubEndpoint())
                    .withServerPublicKey(serverPublic);
            try (SynodClient watcher = SynodClient.connect(config, null)) {
                assertThat(watcher.login("watcher", "watcher-password").ok()).isTrue();
                assertThat(waitForPosters(watcher, 0)).containsExactly("bot-1", "bot-2");

                // a bot's password is its own: nobody else logs in as bot-1 without it
                try (SynodClient impostor = SynodClient.connect(config, null)) {
                    ClientReply.Status refused = impostor.login("bot-1", "guessed-password");
                    assertThat(refused.ok()).isFalse();
                    assertThat(refused.errorText()).contains("password");
                }
                String logText = Files.readString(runDir.resolve("logs/bot-1.jsonl"));
                assertThat(logText).contains("\"kind\":\"login\"").doesNotContain(passwords[0]);

                // restarted on the same run directory, the bots keep their passwords and log in again
                long seen = lastSeq(watcher); // the bots' later posts come after it
                assertThat(Processes.stop(up)).isIn(0, 143);
                Processes.Started again = processes.start("up-again", arguments);
                assertThat(again.readyLine()).contains("2 bot(s)");
                for (int i = 1; i <= 2; i++) {
                    assertThat(Files.readString(data.resolve("bot-" + i + ".password"))
                                    .strip())
                            .isEqualTo(passwords[i - 1]);
                }
                assertThat(waitForPosters(watcher, seen)).containsExactly("bot-1", "bot-2");
                assertThat(Processes.stop(again)).isIn(0, 143);
            }
        }
    }

    /** The users who posted to {@code general} after {@code afterSeq}, once both bots have (bounded wait). */
    private static Set<String> waitForPosters(SynodClient client, long afterSeq) throws InterruptedException {
        Set<String> posters = new TreeSet<>();
        for (int i = 0; i < POLLS_MAX && posters.size() < 2; i++) {
            ClientReply.HistoryPage page = client.history("general", afterSeq, 100);
            if (page.ok()) {
                for (Publication message : page.messages()) {
                    if (message instanceof Publication.ChannelPost post) {
                        posters.add(post.user());
                    }
                }
            }
            Thread.sleep(POLL_MILLIS);
        }
        return posters;
    }

    /** The last sequence number of {@code general} so far. */
    private static long lastSeq(SynodClient client) {
        long seq = 0;
        ClientReply.HistoryPage page;
        do {
            page = client.history("general", seq, 100);
            seq = page.ok() ? Math.max(seq, page.nextSeq()) : seq;
        } while (page.ok() && page.more());
        return seq;
    }
}
