package io.synod.client.bot;

import io.synod.client.ClientException;
import io.synod.client.ClientReply;
import io.synod.client.SynodClient;
import java.io.PrintStream;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The statement's bot (part 2): logs in, prints a {@code ready} line, then forever (or for
 * {@link BotSettings#roundsMax()} rounds): picks a random existing channel (creating
 * {@link BotSettings#defaultChannel()} if there is none) and posts
 * {@link BotSettings#messagesPerRound()} messages to it at the configured rate; then (an extension,
 * for social activity in a demo) publishes {@link BotSettings#postsPerRound()} posts, one in
 * {@link #MENTION_ONE_IN} mentioning a user it follows, and follows
 * {@link BotSettings#followsPerRound()} users it does not follow yet, up to
 * {@link BotSettings#followingMax()}, at the same rate. What it does goes to {@code log} (stderr in
 * production); failures are logged and the loop goes on.
 *
 * <p>Not thread-safe: {@link #run()} runs on one thread; {@link #stop()} may be called from any
 * thread (a shutdown hook) and ends the loop at the next message.
 */
final class Bot {
    /** One post in this many mentions a followed user (a mention notification for them). */
    static final int MENTION_ONE_IN = 4;

    private static final List<String> PHRASES = List.of(
            "hello everyone",
            "how is it going?",
            "anyone around?",
            "nice weather today",
            "what's new?",
            "I agree",
            "good point",
            "let's meet later",
            "see you soon",
            "that's interesting");

    private final SynodClient client;
    private final BotSettings settings;
    /** The login's password, or null: kept out of {@link BotSettings} so that no record's toString shows it. */
    private final String password;

    private final RandomGenerator random;
    private final PrintStream out;
    private final PrintStream log;
    private volatile boolean running = true;
    /** The users this bot follows, as far as it knows (its own follows, and the first page it read at login). */
    private final java.util.Set<String> followed = new java.util.LinkedHashSet<>();

    Bot(
            SynodClient client,
            BotSettings settings,
            String password,
            RandomGenerator random,
            PrintStream out,
            PrintStream log) {
        this.client = client;
        this.settings = settings;
        this.password = password;
        this.random = random;
        this.out = out;
        this.log = log;
    }

    void stop() {
        running = false;
    }

    /** Runs the bot; returns the number of messages the servers accepted. */
    long run() throws InterruptedException {
        if (!login()) {
            return 0;
        }
        learnFollowed();
        out.println("bot " + settings.name() + " ready");
        out.flush();
        long accepted = 0;
        for (long round = 1; running && (settings.roundsMax() == 0 || round <= settings.roundsMax()); round++) {
            accepted += round(round);
            social(round);
        }
        log.println("bot " + settings.name() + ": stopped after " + accepted + " accepted messages");
        return accepted;
    }

    private boolean login() throws InterruptedException {
        while (running) {
            try {
                ClientReply.Status reply = client.login(settings.name(), password);
                if (reply.ok() && password != null && !(reply.envelope().data().get("token") instanceof String)) {
                    // a retried login whose first attempt was applied: the token was in the lost reply
                    log.println("bot " + settings.name() + ": logged in without a session token, logging in again");
                    continue;
                }
                if (reply.ok()) {
                    log.println("bot " + settings.name() + ": logged in");
                    return true;
                }
                log.println("bot " + settings.name() + ": login refused: " + masked(reply.errorText()));
            } catch (ClientException e) {
                log.println("bot " + settings.name() + ": login failed: " + masked(e.getMessage()));
            }
            Thread.sleep(settings.loginRetryMillis());
        }
        return false;
    }

    private long round(long round) throws InterruptedException {
        String channel;
        try {
            channel = pickChannel();
        } catch (ClientException e) {
            log.println("bot " + settings.name() + ": round " + round + ": " + e.getMessage());
            Thread.sleep(settings.pauseMillis());
            return 0;
        }
        log.println("bot " + settings.name() + ": round " + round + ": posting " + settings.messagesPerRound()
                + " messages to #" + channel);
        long accepted = 0;
        for (int i = 1; running && i <= settings.messagesPerRound(); i++) {
            String text =
                    PHRASES.get(random.nextInt(PHRASES.size())) + " (" + settings.name() + " #" + round + "." + i + ")";
            try {
                ClientReply.Status reply = client.publish(channel, text);
                if (reply.ok()) {
                    accepted++;
                } else {
                    log.println("bot " + settings.name() + ": publish refused: " + reply.errorText());
                }
            } catch (ClientException e) {
                log.println("bot " + settings.name() + ": publish failed: " + e.getMessage());
            }
            Thread.sleep(settings.pauseMillis());
        }
        return accepted;
    }

    /** Reads whom the bot already follows (a bot that restarts under its name goes on from there). */
    private void learnFollowed() {
        if (settings.followsPerRound() == 0) {
            return;
        }
        try {
            ClientReply.SocialPage following =
                    client.social().following(settings.name(), null, io.synod.protocol.Social.PAGE_ITEMS_MAX);
            if (following.ok()) {
                followed.addAll(following.names("users"));
            }
        } catch (ClientException e) {
            log.println("bot " + settings.name() + ": following: " + masked(e.getMessage()));
        }
    }

    /** A round's posts and follows; failures (a server without the social services) are logged. */
    private void social(long round) throws InterruptedException {
        for (int i = 1; running && i <= settings.postsPerRound(); i++) {
            String text = PHRASES.get(random.nextInt(PHRASES.size())) + " (" + settings.name() + " post #" + round + "."
                    + i + ")";
            List<String> mentionable = followed.stream()
                    .filter(u -> u.codePoints().noneMatch(Character::isWhitespace))
                    .toList(); // a name with a space cannot be mentioned
            if (!mentionable.isEmpty() && random.nextInt(MENTION_ONE_IN) == 0) {
                text = "@" + mentionable.get(random.nextInt(mentionable.size())) + " " + text;
            }
            try {
                ClientReply.SocialPage reply = client.social().post(text, null);
                if (!reply.ok()) {
                    log.println("bot " + settings.name() + ": post refused: " + reply.errorText());
                }
            } catch (ClientException e) {
                log.println("bot " + settings.name() + ": post failed: " + e.getMessage());
            }
            Thread.sleep(settings.pauseMillis());
        }
        for (int i = 1; running && i <= settings.followsPerRound() && followed.size() < settings.followingMax(); i++) {
            if (!followOne()) {
                break;
            }
            Thread.sleep(settings.pauseMillis());
        }
    }

    /** Follows a random user the bot does not follow yet; false if there is none (or the servers refuse). */
    private boolean followOne() {
        try {
            ClientReply.Names users = client.users();
            if (!users.ok()) {
                return false;
            }
            List<String> candidates = users.names().stream()
                    .filter(u -> !u.equals(settings.name()) && !followed.contains(u))
                    .toList();
            if (candidates.isEmpty()) {
                return false;
            }
            String target = candidates.get(random.nextInt(candidates.size()));
            ClientReply.SocialPage reply = client.social().follow(target);
            if (!reply.ok()) {
                log.println("bot " + settings.name() + ": follow refused: " + reply.errorText());
                return false;
            }
            followed.add(target);
            log.println("bot " + settings.name() + ": follows " + target);
            return true;
        } catch (ClientException | IllegalArgumentException e) {
            log.println("bot " + settings.name() + ": follow failed: " + e.getMessage());
            return false;
        }
    }

    /** A random existing channel; creates the default channel if there is none. */
    private String pickChannel() {
        ClientReply.Names channels = client.channels();
        if (channels.ok() && !channels.names().isEmpty()) {
            return channels.names().get(random.nextInt(channels.names().size()));
        }
        ClientReply.Status created = client.createChannel(settings.defaultChannel());
        log.println("bot " + settings.name() + ": no channel yet, created #" + settings.defaultChannel()
                + (created.ok() ? "" : " (" + created.errorText() + ")"));
        return settings.defaultChannel();
    }

    /** Texts printed before the ready line must not contain "ready" (launchers wait for that word). */
    private static String masked(String text) {
        return text == null ? "" : text.replaceAll("(?i)ready", "r-eady");
    }
}
