package io.synod.client.bot;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.client.FakeCluster;
import io.synod.protocol.Publication;
import io.synod.protocol.Services;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class BotCommandTest {
    private FakeCluster cluster;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void start() {
        cluster = new FakeCluster();
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    private int run(String... extraArgs) {
        List<String> args = new java.util.ArrayList<>(
                List.of("--broker", cluster.brokerEndpoint(), "--proxy", cluster.proxyEndpoint(), "--rate", "1000"));
        args.addAll(List.of(extraArgs));
        BotCommand command = new BotCommand(
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new CommandLine(command).execute(args.toArray(String[]::new));
    }

    @Test
    void createsAChannelWhenNoneExistsAndRunsBoundedRounds(@TempDir Path dir) throws IOException {
        Path log = dir.resolve("bot.jsonl");
        int status = run("--seed", "42", "--rounds", "2", "--messages-per-round", "3", "--log", log.toString());

        String name = BotCommand.randomName(new Random(42));
        assertThat(status).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("bot " + name + " ready");
        assertThat(cluster.users).containsExactly(name);
        assertThat(cluster.channels).containsExactly("general");
        assertThat(cluster.channelHistory.get("general"))
                .hasSize(6)
                .allMatch(p -> ((Publication.ChannelPost) p).user().equals(name));
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("round 2: posting 3 messages to #general");
        List<String> lines = Files.readAllLines(log);
        assertThat(lines)
                .anyMatch(l -> l.contains("\"dir\":\"out\"") && l.contains("\"kind\":\"publish\""))
                .anyMatch(l -> l.contains("\"dir\":\"in\"") && l.contains("\"kind\":\"login\""))
                .allMatch(l -> l.contains("\"process\":\"" + name + "\""));
    }

    @Test
    void postsOnlyToExistingChannelsTenPerRoundByDefault() {
        cluster.channels.add("red");
        cluster.channels.add("blue");
        int status = run("--name", "robot", "--rounds", "3");

        assertThat(status).isZero();
        assertThat(cluster.channels).containsExactlyInAnyOrder("red", "blue");
        int posted =
                cluster.channelHistory.values().stream().mapToInt(List::size).sum();
        assertThat(posted).isEqualTo(30);
        assertThat(cluster.requests(Services.CHANNEL)).isEmpty();
        assertThat(cluster.requests(Services.CHANNELS)).hasSize(3);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("bot robot ready");
    }

    @Test
    void botsAlsoPostAndFollowAtBoundedCounts() {
        cluster.users.add("ana");
        cluster.users.add("bea");
        int status = run(
                "--name",
                "robot",
                "--rounds",
                "3",
                "--messages-per-round",
                "1",
                "--posts-per-round",
                "2",
                "--follows-per-round",
                "1",
                "--following-max",
                "1");

        assertThat(status).isZero();
        assertThat(cluster.social.posts.get("robot")).hasSize(6);
        assertThat(cluster.requests(Services.POST))
                .allSatisfy(r -> assertThat(r.data())
                        .containsEntry("user", "robot")
                        .containsKeys("message", "client_id", "request_id"));
        assertThat(cluster.requests(Services.FOLLOW))
                .as("one follow, then the maximum is reached")
                .hasSize(1);
        assertThat(cluster.social.following.get("robot")).hasSize(1).isSubsetOf("ana", "bea");
    }

    @Test
    void theSocialActivityCanBeTurnedOffAndItsBoundsAreChecked() {
        int status = run("--name", "quiet", "--rounds", "1", "--posts-per-round", "0", "--follows-per-round", "0");
        assertThat(status).isZero();
        assertThat(cluster.requests(Services.POST)).isEmpty();
        assertThat(cluster.requests(Services.FOLLOW)).isEmpty();
        assertThat(cluster.requests(Services.FOLLOWING)).isEmpty();

        assertThat(run("--name", "greedy", "--following-max", "1001")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("the users followed must be 0 to 1000");
        assertThat(run("--name", "negative", "--posts-per-round", "-1")).isEqualTo(2);
    }

    @Test
    void theSameSeedGivesTheSameName() {
        assertThat(BotCommand.randomName(new Random(7)))
                .isEqualTo(BotCommand.randomName(new Random(7)))
                .startsWith("bot-")
                .hasSize(10);
    }

    @Test
    void aPasswordFileLogsInWithItsTrimmedContentAndKeepsItOutOfTheLog(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("password"), "  s3cret-of-the-bot\n");
        Path log = dir.resolve("bot.jsonl");
        int status =
                run("--name", "robot", "--rounds", "1", "--password-file", file.toString(), "--log", log.toString());

        assertThat(status).isZero();
        assertThat(cluster.requests(Services.LOGIN))
                .singleElement()
                .satisfies(r -> assertThat(r.data()).containsEntry("password", "s3cret-of-the-bot"));
        assertThat(cluster.requests(Services.PUBLISH))
                .as("every write carries the session's token")
                .isNotEmpty()
                .allSatisfy(r -> assertThat(r.data()).containsKey("token"));
        assertThat(Files.readString(log)).contains("\"kind\":\"login\"").doesNotContain("s3cret-of-the-bot");
        assertThat(err.toString(StandardCharsets.UTF_8)).doesNotContain("s3cret-of-the-bot");
    }

    @Test
    void aMissingEmptyOrHugePasswordFileIsRefusedNamingTheOption(@TempDir Path dir) throws IOException {
        assertThat(run("--name", "robot", "--password-file", dir.resolve("none").toString()))
                .isEqualTo(2);
        Path empty = Files.writeString(dir.resolve("empty"), " \n");
        assertThat(run("--name", "robot", "--password-file", empty.toString())).isEqualTo(2);
        Path huge = Files.writeString(dir.resolve("huge"), "x".repeat(300));
        assertThat(run("--name", "robot", "--password-file", huge.toString())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("--password-file " + dir.resolve("none") + " cannot be read")
                .contains("--password-file " + empty + " must hold 1 to 256 characters")
                .contains("--password-file " + huge + " must hold 1 to 256 characters");
        assertThat(cluster.requests(Services.LOGIN)).isEmpty();
    }

    @Test
    void aMalformedServerPublicKeyIsRefused(@TempDir Path dir) throws IOException {
        Path key = Files.writeString(dir.resolve("server.key"), "not a key\n");
        assertThat(run("--name", "robot", "--server-public-key", key.toString()))
                .isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("synod bot: ");
        assertThat(cluster.requests(Services.LOGIN)).isEmpty();
    }

    @Test
    void aLoginAnsweredWithoutATokenIsDoneAgain(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("password"), "s3cret-of-the-bot\n");
        cluster.tokenlessLogins.set(1);
        int status = run("--name", "robot", "--rounds", "1", "--password-file", file.toString());

        assertThat(status).isZero();
        assertThat(cluster.requests(Services.LOGIN)).hasSize(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("logged in without a session token");
        assertThat(cluster.requests(Services.PUBLISH))
                .allSatisfy(r -> assertThat(r.data()).containsKey("token"));
    }
}
