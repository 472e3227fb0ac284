package io.synod.client.terminal;

import io.synod.client.ClientException;
import io.synod.client.ClientReply;
import io.synod.client.Delivery;
import io.synod.client.DeliveryListener;
import io.synod.client.SynodClient;
import io.synod.protocol.Names;
import io.synod.protocol.ProtocolException;
import io.synod.protocol.Publication;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * The chat commands of the terminal client, independent of the console: reads command lines,
 * sends requests through a {@link SynodClient}, prints replies and live deliveries.
 *
 * <p>Commands: {@code /login USER}, {@code /logout}, {@code /users}, {@code /channels}, {@code /create NAME},
 * {@code /join NAME}, {@code /leave NAME}, {@code /switch NAME}, {@code /msg USER TEXT},
 * {@code /dm USER}, {@code /history [CHANNEL]}, the social network's ({@link SocialCommands}: {@code /post},
 * {@code /follow}, {@code /unfollow}, {@code /feed}, {@code /timeline}, {@code /profile}, {@code /notifications},
 * {@code /search}, {@code /conversations}), {@code /help}, {@code /quit}; any other line is
 * posted to the current channel. Names with spaces are typed quoted or, as a command's only
 * argument, bare ({@link CommandArguments}).
 *
 * <p>Thread-safety: {@link #run} runs on one thread; deliveries arrive on the client's delivery
 * thread and only print. Call order: create, pass {@link #listener()} to the client, then
 * {@link #run}.
 */
final class TerminalSession {
    static final List<String> COMMANDS = Stream.of(
                    Stream.of(
                            "/login",
                            "/logout",
                            "/users",
                            "/channels",
                            "/create",
                            "/join",
                            "/leave",
                            "/switch",
                            "/msg",
                            "/dm"),
                    Stream.of("/history"),
                    SocialCommands.COMMANDS.stream(),
                    Stream.of("/help", "/quit"))
            .flatMap(s -> s)
            .toList();

    private static final int SHOWN_HISTORY_MAX = 50;
    private static final int HISTORY_PAGES_MAX = 100;
    private static final int HISTORY_PAGE_SIZE = 500;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");
    private static final String HELP =
            """
            commands:
              /login USER         log in (or switch user; the --password of --user is used for that user)
              /logout             end the session (its token is revoked on every server)
              /users              list users
              /channels           list channels (* joined, > current)
              /create NAME        create a channel and join it
              /join NAME          join a channel (shows its recent messages) and make it current
              /leave NAME         stop receiving a channel
              /switch NAME        make a joined channel the current one
              /msg USER TEXT      send a private message
              /dm USER            show the conversation with USER
              /history [CHANNEL]  show the recent messages of a channel (default: current)
            %s
              /help               this help
              /quit               exit
              anything else       is posted to the current channel
            names with spaces: /msg "Ana Maria" oi, /join 'minha sala' (or /join minha sala)""".formatted(SocialCommands.HELP.indent(2).stripTrailing());

    private final Console console;
    private final NameCache names;
    /** The password of the command line's user ({@code --password}), or null, and that user. */
    private String firstPassword;

    private String firstUser;
    private final AtomicReference<SynodClient> client = new AtomicReference<>();
    private final SocialCommands social;
    private volatile String currentChannel;

    TerminalSession(Console console, NameCache names) {
        this.console = console;
        this.names = names;
        this.social = new SocialCommands(console, this::client);
    }

    void attach(SynodClient synodClient) {
        client.set(synodClient);
    }

    /** Prints deliveries above the input line. */
    DeliveryListener listener() {
        return new DeliveryListener() {
            @Override
            public void onDelivery(Delivery delivery) {
                String line = format(delivery.publication());
                if (delivery.publication() instanceof Publication.Notification
                        || delivery.publication() instanceof Publication.SocialPost) {
                    line = social.onDelivery(delivery, line);
                    if (line == null) {
                        return;
                    }
                }
                console.println(
                        delivery.source() == Delivery.Source.CORRECTION
                                ? "(correction: the message shown as #" + delivery.seq() + " of " + delivery.topic()
                                        + " was not the server's; the server's is) " + line
                                : line);
            }

            @Override
            public void onGapSkipped(String topic, long fromSeq, long toSeq) {
                console.println("(messages " + fromSeq + "-" + toSeq + " of " + topic + " could not be fetched)");
            }
        };
    }

    /** The password the first login (of the command line's user) uses, or null. */
    void password(String given) {
        this.firstPassword = given;
    }

    /** Logs in as {@code user} (asking for a name if null), then reads commands until the end. */
    void run(String user) {
        String name = user;
        while (name == null || name.isBlank()) {
            name = console.readLine("user name: ");
            if (name == null) {
                return;
            }
            name = CommandArguments.unquoteWhole(name);
        }
        String first = name;
        firstUser = name;
        guarded(() -> login(first, firstPassword));
        while (true) {
            String line = console.readLine(prompt());
            if (line == null) {
                return;
            }
            if (!handle(line.strip())) {
                return;
            }
        }
    }

    /** Handles one line; false to quit. Every failure is printed, never thrown. */
    boolean handle(String line) {
        if (line.isEmpty()) {
            return true;
        }
        boolean[] goOn = {true};
        guarded(() -> goOn[0] = line.startsWith("/") ? command(line) : post(line));
        return goOn[0];
    }

    /** Runs {@code action}, printing an operating failure as {@code error: ...} instead of throwing. */
    private void guarded(Runnable action) {
        try {
            action.run();
        } catch (ClientException | ProtocolException | IllegalStateException | IllegalArgumentException e) {
            console.println("error: " + e.getMessage());
        }
    }

    private boolean command(String line) {
        String command = line.split("\\s+", 2)[0];
        if (social.handle(command, line)) {
            return true;
        }
        CommandArguments.Split arguments = CommandArguments.split(line, command.equals("/msg"));
        String first = arguments.first() == null ? null : Names.normalize(arguments.first()); // as servers store it
        String rest = arguments.rest();
        switch (command) {
            case "/quit", "/exit" -> {
                return false;
            }
            case "/help" -> console.println(HELP);
            case "/login" -> login(required(first, "/login USER"), first.equals(firstUser) ? firstPassword : null);
            case "/logout" -> console.println(client().logout().ok() ? "logged out" : "error: logout refused");
            case "/users" -> listUsers();
            case "/channels" -> listChannels();
            case "/create" -> create(required(first, "/create NAME"));
            case "/join" -> join(required(first, "/join NAME"));
            case "/leave" -> leave(required(first, "/leave NAME"));
            case "/switch" -> switchTo(required(first, "/switch NAME"));
            case "/msg" -> sendDirect(required(first, "/msg USER TEXT"), required(rest, "/msg USER TEXT"));
            case "/dm" -> conversation(required(first, "/dm USER"));
            case "/history" -> history(first != null ? first : required(currentChannel, "/history CHANNEL"));
            default -> console.println("unknown command " + command + "; /help lists the commands");
        }
        return true;
    }

    private static String required(String value, String usage) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("usage: " + usage);
        }
        return value;
    }

    private void login(String name, String password) {
        ClientReply.Status reply = client().login(name, password);
        if (!reply.ok()) {
            console.println("error: login refused: " + reply.errorText());
            return;
        }
        console.println("logged in as " + name + "; ready (/help lists the commands)");
        refreshNames();
        social.onLogin();
    }

    private void listUsers() {
        ClientReply.Names reply = client().users();
        if (failed(reply)) {
            return;
        }
        names.setUsers(reply.names());
        console.println("users (" + reply.names().size() + "): " + String.join(", ", reply.names()));
    }

    private void listChannels() {
        ClientReply.Names reply = client().channels();
        if (failed(reply)) {
            return;
        }
        names.setChannels(reply.names());
        Set<String> joined = client().subscribedChannels();
        List<String> shown = new ArrayList<>();
        for (String channel : reply.names()) {
            String mark = channel.equals(currentChannel) ? ">" : joined.contains(channel) ? "*" : " ";
            shown.add(mark + channel);
        }
        console.println("channels (" + shown.size() + "): " + (shown.isEmpty() ? "none" : String.join("  ", shown)));
    }

    private void create(String channel) {
        if (failed(client().createChannel(channel))) {
            return;
        }
        names.addChannel(channel);
        console.println("created #" + channel);
        join(channel);
    }

    private void join(String channel) {
        ClientReply.Names existing = client().channels();
        if (existing.ok() && !existing.names().contains(channel)) {
            console.println("error: no channel #" + channel + " (create it with /create " + channel + ")");
            return;
        }
        if (!client().subscribedChannels().contains(channel)) {
            client().subscribe(channel, true);
        }
        currentChannel = channel;
        console.println("joined #" + channel + "; posting to #" + channel);
    }

    private void leave(String channel) {
        client().unsubscribe(channel);
        if (channel.equals(currentChannel)) {
            currentChannel = client().subscribedChannels().stream().findFirst().orElse(null);
        }
        console.println("left #" + channel + (currentChannel == null ? "" : "; posting to #" + currentChannel));
    }

    private void switchTo(String channel) {
        if (client().subscribedChannels().contains(channel)) {
            currentChannel = channel;
            console.println("posting to #" + channel);
        } else {
            join(channel);
        }
    }

    private boolean post(String text) {
        String channel = currentChannel;
        if (channel == null) {
            console.println("error: no current channel: /join NAME or /create NAME first");
            return true;
        }
        failed(client().publish(channel, text));
        return true;
    }

    private void sendDirect(String user, String text) {
        if (!failed(client().sendMessage(user, text))) {
            console.println("to " + safe(user) + ": " + lines(text));
        }
    }

    private void conversation(String peer) {
        List<Publication> items = fetchAll(afterSeq -> client().privateHistory(peer, afterSeq, HISTORY_PAGE_SIZE));
        if (items == null) {
            return;
        }
        console.println("conversation with " + peer + " (" + items.size() + " shown):");
        items.forEach(item -> console.println("  " + format(item)));
    }

    private void history(String channel) {
        List<Publication> items = fetchAll(afterSeq -> client().history(channel, afterSeq, HISTORY_PAGE_SIZE));
        if (items == null) {
            return;
        }
        console.println("history of #" + channel + " (" + items.size() + " shown):");
        items.forEach(item -> console.println("  " + format(item)));
    }

    /** Pages through a history, keeping the most recent {@link #SHOWN_HISTORY_MAX}; null on error. */
    private List<Publication> fetchAll(java.util.function.LongFunction<ClientReply.HistoryPage> fetch) {
        Deque<Publication> tail = new ArrayDeque<>();
        long afterSeq = 0;
        for (int page = 0; page < HISTORY_PAGES_MAX; page++) {
            ClientReply.HistoryPage reply = fetch.apply(afterSeq);
            if (failed(reply)) {
                return null;
            }
            for (Publication item : reply.messages()) {
                tail.addLast(item);
                if (tail.size() > SHOWN_HISTORY_MAX) {
                    tail.removeFirst();
                }
            }
            if (!reply.more() || reply.nextSeq() <= afterSeq) {
                break;
            }
            afterSeq = reply.nextSeq();
        }
        return new ArrayList<>(tail);
    }

    /** Refreshes the completion lists; failures are ignored (the cluster may be busy). */
    void refreshNames() {
        SynodClient current = client.get();
        if (current == null || current.user().isEmpty()) {
            return;
        }
        try {
            ClientReply.Names users = current.users();
            if (users.ok()) {
                names.setUsers(users.names());
            }
            ClientReply.Names channels = current.channels();
            if (channels.ok()) {
                names.setChannels(channels.names());
            }
        } catch (ClientException e) {
            // completion lists stay as they were
        }
    }

    private boolean failed(ClientReply reply) {
        if (reply.ok()) {
            return false;
        }
        console.println("error: " + TerminalText.safe(reply.errorText()));
        return true;
    }

    private SynodClient client() {
        SynodClient current = client.get();
        if (current == null) {
            throw new IllegalStateException("not connected");
        }
        return current;
    }

    private String prompt() {
        String channel = currentChannel;
        String user = client().user().orElse("?");
        String mark = social.promptMark();
        return channel == null ? user + mark + "> " : user + "@#" + channel + mark + "> ";
    }

    /**
     * One line for a publication: time, where, who, text (its further lines indented under it). Everything that came
     * from the network goes through {@link TerminalText}, so no control character reaches the terminal.
     */
    static String format(Publication publication) {
        return switch (publication) {
            case Publication.ChannelPost post ->
                time(post.timestampSeconds()) + " #" + safe(post.channel()) + " <" + safe(post.user()) + "> "
                        + lines(post.message());
            case Publication.DirectMessage dm ->
                time(dm.timestampSeconds()) + " [dm] " + safe(dm.src()) + " -> " + safe(dm.dst()) + ": "
                        + lines(dm.message());
            case Publication.SocialPost post ->
                time(post.timestampSeconds()) + " [post] " + safe(post.user()) + ": " + lines(post.message());
            case Publication.Notification n -> time(n.timestampSeconds()) + " " + describe(n);
            case Publication.SessionDelivery d -> format(d.delivery());
        };
    }

    /** What a notification says, without its time. */
    private static String describe(Publication.Notification n) {
        String actor = safe(n.actor());
        return switch (n.kind()) {
            case "follower" -> "[follower] " + actor + " follows you";
            case "mention" ->
                "[mention] " + actor + " mentioned you "
                        + (n.channel().isEmpty() ? "in a post" : "in #" + safe(n.channel())) + ": "
                        + lines(n.message());
            default -> "[" + safe(n.kind()) + "] " + actor + ": " + lines(n.message());
        };
    }

    private static String safe(String text) {
        return TerminalText.safe(text);
    }

    private static String lines(String text) {
        return TerminalText.lines(text);
    }

    private static String time(double epochSeconds) {
        if (epochSeconds <= 0) {
            return "--:--:--";
        }
        Instant instant = Instant.ofEpochMilli(Math.round(epochSeconds * 1000));
        return LocalTime.ofInstant(instant, ZoneId.systemDefault()).format(TIME);
    }
}
