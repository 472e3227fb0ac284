package io.synod.client.terminal;

import ch.qos.logback.classic.Level;
import io.synod.client.ClientConfig;
import io.synod.client.SynodClient;
import io.synod.messaging.InteractionLog;
import io.synod.messaging.ProcessClock;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code synod client}: the interactive terminal client. Logs in (asking for a name unless
 * {@code --user} is given), prints {@code logged in as NAME; ready ...}, then reads commands
 * (see {@link TerminalSession}); live messages appear above the input line.
 *
 * <p>On a real terminal it uses JLine (editing, tab completion of commands, channels and users);
 * when stdin is not a terminal (pipes, tests) or the terminal is dumb, it reads plain lines and
 * prints plain lines. Ends on {@code /quit}, end of input, Ctrl-C, Ctrl-D or SIGTERM.
 *
 * <p>Not thread-safe: one instance runs once.
 */
@Command(
        name = "client",
        mixinStandardHelpOptions = true,
        description = "Interactive chat client: log in, list users and channels, post, send private messages.")
public final class ClientCommand implements Callable<Integer> {
    private static final long NAMES_REFRESH_SECONDS = 10;

    @Option(
            names = "--broker",
            description = "broker ROUTER endpoint, or several separated by commas (default: ${DEFAULT-VALUE})")
    String brokerEndpoint = ClientConfig.BROKER_ENDPOINT_DEFAULT;

    @Option(
            names = "--proxy",
            description = "proxy XPUB endpoint, or several separated by commas (default: ${DEFAULT-VALUE})")
    String proxyEndpoint = ClientConfig.PROXY_ENDPOINT_DEFAULT;

    @Option(names = "--user", description = "user name to log in with (asked for if absent)")
    String user;

    @Option(
            names = "--password",
            description = "password of --user (extension: the first login sets it, later ones need it; a server in"
                    + " secure mode requires one)")
    String password;

    @Option(names = "--log", description = "JSON-lines interaction log file")
    Path logFile;

    @Option(names = "--timeout-ms", description = "request timeout per attempt in ms (default: ${DEFAULT-VALUE})")
    long requestTimeoutMillis = ClientConfig.REQUEST_TIMEOUT_MILLIS_DEFAULT;

    @Option(names = "--retries", description = "retries of a timed-out request (default: ${DEFAULT-VALUE})")
    int requestRetriesMax = ClientConfig.REQUEST_RETRIES_MAX_DEFAULT;

    @Option(names = "--plain", description = "force plain line mode (no JLine)")
    boolean plain;

    @Option(
            names = "--server-public-key",
            paramLabel = "FILE",
            description = "secure mode: the cluster's server.key (from ./synod keys); the links then speak CURVE")
    java.nio.file.Path serverPublicKey;

    private final InputStream in;
    private final PrintStream out;

    /** Reads {@code System.in} and writes {@code System.out}. */
    public ClientCommand() {
        this(System.in, System.out);
    }

    /** Reads {@code in} and writes {@code out} in plain line mode (unless they are the system streams). */
    public ClientCommand(InputStream in, PrintStream out) {
        this.in = in;
        this.out = out;
    }

    @Override
    public Integer call() {
        ClientConfig config;
        try {
            config = ClientConfig.defaults(brokerEndpoint, proxyEndpoint)
                    .withRequestTimeoutMillis(requestTimeoutMillis)
                    .withRequestRetriesMax(requestRetriesMax)
                    .withServerPublicKey(
                            serverPublicKey == null
                                    ? null
                                    : io.synod.messaging.zmtp.Z85Keys.readPublic(serverPublicKey));
        } catch (IllegalArgumentException e) {
            System.err.println("synod client: " + e.getMessage());
            return 2;
        }
        quietLogging();
        NameCache names = new NameCache();
        Console console = openConsole(names);
        try {
            return runSession(config, console, names);
        } finally {
            console.close();
        }
    }

    private int runSession(ClientConfig config, Console console, NameCache names) {
        TerminalSession session = new TerminalSession(console, names);
        session.password(password);
        String process = user == null ? "client" : "client-" + user;
        ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "synod-client-names");
            thread.setDaemon(true);
            return thread;
        });
        try (InteractionLog log = InteractionLog.open(logFile, process);
                SynodClient client = new SynodClient(config, ProcessClock.system(), log, session.listener())) {
            session.attach(client);
            Thread shutdownHook = new Thread(
                    () -> {
                        client.close();
                        console.close();
                    },
                    "synod-client-shutdown");
            Runtime.getRuntime().addShutdownHook(shutdownHook);
            refresher.scheduleWithFixedDelay(
                    session::refreshNames, NAMES_REFRESH_SECONDS, NAMES_REFRESH_SECONDS, TimeUnit.SECONDS);
            session.run(user);
            removeHook(shutdownHook);
        } catch (IllegalArgumentException e) {
            System.err.println("synod client: " + e.getMessage());
            return 2;
        } finally {
            refresher.shutdownNow();
        }
        return 0;
    }

    /**
     * The terminal owns the screen: only warnings may reach stderr, whatever logback.xml the
     * launcher's jar carries (the merged jar may configure INFO for the servers).
     */
    private static void quietLogging() {
        if (LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME) instanceof ch.qos.logback.classic.Logger root) {
            root.setLevel(Level.WARN);
        }
    }

    private Console openConsole(NameCache names) {
        boolean systemStreams = in == System.in && out == System.out;
        if (!plain && systemStreams && System.console() != null) {
            Console jline = JLineConsole.openSystem(names);
            if (jline != null) {
                return jline;
            }
        }
        return new PlainConsole(in, out);
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down: the hook runs anyway
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new ClientCommand()).execute(args));
    }
}
