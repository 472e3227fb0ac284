package io.synod.client.bot;

import io.synod.client.ClientConfig;
import io.synod.client.SynodClient;
import io.synod.messaging.InteractionLog;
import io.synod.messaging.ProcessClock;
import io.synod.messaging.zmtp.Z85Keys;
import io.synod.protocol.Requests;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code synod bot}: the statement's automatic client. Picks a random user name (from
 * {@code --seed} if given), logs in, prints {@code bot NAME ready}, then loops: a random existing
 * channel, {@code --messages-per-round} messages at {@code --rate} per second, repeat
 * ({@code --rounds}, 0 = forever); after each round's messages it also publishes {@code --posts-per-round}
 * public posts (now and then mentioning a user it follows) and follows {@code --follows-per-round} other users,
 * up to {@code --following-max}, at the same rate, so a demo cluster has social activity. Its activity goes to stderr. Stops cleanly on SIGTERM/Ctrl-C.
 * With {@code --password-file} it logs in with that password, and {@link SynodClient} then sends the session token
 * with every write (what a secure cluster requires); {@code --server-public-key} makes its links CURVE.
 *
 * <p>Not thread-safe: one instance runs once.
 */
@Command(
        name = "bot",
        mixinStandardHelpOptions = true,
        description = "Automatic client: logs in under a random name and posts bursts of messages to random channels.")
public final class BotCommand implements Callable<Integer> {
    private static final String NAME_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
    private static final int NAME_SUFFIX_CHARS = 6;
    private static final long LOGIN_RETRY_MILLIS = 1_000;
    private static final long STOP_WAIT_MILLIS = 5_000;
    /** A password file larger than this is not a password file (the protocol's limit is 256 characters). */
    static final long PASSWORD_FILE_BYTES_MAX = 4_096;

    @Option(
            names = "--broker",
            description = "broker ROUTER endpoint, or several separated by commas (default: ${DEFAULT-VALUE})")
    String brokerEndpoint = ClientConfig.BROKER_ENDPOINT_DEFAULT;

    @Option(
            names = "--proxy",
            description = "proxy XPUB endpoint, or several separated by commas (default: ${DEFAULT-VALUE})")
    String proxyEndpoint = ClientConfig.PROXY_ENDPOINT_DEFAULT;

    @Option(names = "--name", description = "user name (default: bot-<random>)")
    String name;

    @Option(names = "--seed", description = "seed of the random choices (default: random)")
    Long seed;

    @Option(names = "--rate", description = "messages per second (default: ${DEFAULT-VALUE})")
    double messagesPerSecond = 2;

    @Option(names = "--messages-per-round", description = "messages per channel (default: ${DEFAULT-VALUE})")
    int messagesPerRound = 10;

    @Option(names = "--rounds", description = "rounds to run, 0 = forever (default: ${DEFAULT-VALUE})")
    long roundsMax;

    @Option(names = "--channel", description = "channel created when none exists (default: ${DEFAULT-VALUE})")
    String defaultChannel = "general";

    @Option(
            names = "--posts-per-round",
            description = "public posts after each round's messages, 0 = none (default: ${DEFAULT-VALUE})")
    int postsPerRound = 1;

    @Option(
            names = "--follows-per-round",
            description = "users followed after each round, 0 = none (default: ${DEFAULT-VALUE})")
    int followsPerRound = 1;

    @Option(names = "--following-max", description = "most users the bot follows (default: ${DEFAULT-VALUE})")
    int followingMax = 20;

    @Option(names = "--log", description = "JSON-lines interaction log file")
    Path logFile;

    @Option(names = "--timeout-ms", description = "request timeout per attempt in ms (default: ${DEFAULT-VALUE})")
    long requestTimeoutMillis = ClientConfig.REQUEST_TIMEOUT_MILLIS_DEFAULT;

    @Option(
            names = "--password-file",
            paramLabel = "FILE",
            description = "file whose trimmed content is the bot's password (extension: the first login sets it;"
                    + " a server in secure mode requires one); a file, not an option, so it stays out of ps")
    Path passwordFile;

    @Option(
            names = "--server-public-key",
            paramLabel = "FILE",
            description = "secure mode: the cluster's server.key (from ./synod keys); the links then speak CURVE")
    Path serverPublicKey;

    private final PrintStream out;
    private final PrintStream err;

    public BotCommand() {
        this(System.out, System.err);
    }

    /** Prints the ready line to {@code out} and the activity to {@code err}. */
    public BotCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() {
        RandomGenerator random = seed == null ? new Random() : new Random(seed);
        String user = name != null ? name : randomName(random);
        try {
            BotSettings settings = new BotSettings(
                    user,
                    messagesPerSecond,
                    messagesPerRound,
                    roundsMax,
                    defaultChannel,
                    LOGIN_RETRY_MILLIS,
                    postsPerRound,
                    followsPerRound,
                    followingMax);
            ClientConfig config = ClientConfig.defaults(brokerEndpoint, proxyEndpoint)
                    .withRequestTimeoutMillis(requestTimeoutMillis)
                    .withServerPublicKey(serverPublicKey == null ? null : Z85Keys.readPublic(serverPublicKey));
            String password = passwordFile == null ? null : readPassword(passwordFile);
            runBot(settings, password, config, random);
        } catch (IllegalArgumentException e) {
            err.println("synod bot: " + e.getMessage());
            return 2;
        }
        return 0;
    }

    /**
     * The trimmed content of {@code file}: trimmed so that an editor's final newline is not part of the password, and
     * bounded by the protocol's limit so that a wrong file is refused here, naming it, instead of by every login.
     */
    static String readPassword(Path file) {
        String password;
        try {
            if (Files.size(file) > PASSWORD_FILE_BYTES_MAX) {
                throw new IllegalArgumentException(
                        "--password-file " + file + " is larger than " + PASSWORD_FILE_BYTES_MAX + " bytes");
            }
            password = Files.readString(file).strip();
        } catch (IOException e) {
            throw new IllegalArgumentException("--password-file " + file + " cannot be read: " + e.getMessage(), e);
        }
        if (password.isEmpty() || password.length() > Requests.PASSWORD_CHARS_MAX) {
            throw new IllegalArgumentException(
                    "--password-file " + file + " must hold 1 to " + Requests.PASSWORD_CHARS_MAX + " characters");
        }
        return password;
    }

    private void runBot(BotSettings settings, String password, ClientConfig config, RandomGenerator random) {
        try (InteractionLog log = InteractionLog.open(logFile, settings.name());
                SynodClient client = new SynodClient(config, ProcessClock.system(), log, null)) {
            Bot bot = new Bot(client, settings, password, random, out, err);
            Thread worker = Thread.currentThread();
            CountDownLatch finished = new CountDownLatch(1);
            Thread hook = new Thread(() -> stop(bot, worker, finished), "synod-bot-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                bot.run();
            } catch (InterruptedException e) {
                err.println("bot " + settings.name() + ": interrupted, stopping");
            } finally {
                removeHook(hook);
                finished.countDown();
            }
        }
    }

    static String randomName(RandomGenerator random) {
        StringBuilder name = new StringBuilder("bot-");
        for (int i = 0; i < NAME_SUFFIX_CHARS; i++) {
            name.append(NAME_ALPHABET.charAt(random.nextInt(NAME_ALPHABET.length())));
        }
        return name.toString();
    }

    /** On SIGTERM: ends the loop and waits (bounded) until the bot has logged out of its loop. */
    private static void stop(Bot bot, Thread worker, CountDownLatch finished) {
        bot.stop();
        worker.interrupt();
        try {
            finished.await(STOP_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new BotCommand()).execute(args));
    }
}
