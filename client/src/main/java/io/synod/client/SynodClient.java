package io.synod.client;

import io.synod.messaging.InteractionLog;
import io.synod.messaging.ProcessClock;
import io.synod.protocol.Envelope;
import io.synod.protocol.Names;
import io.synod.protocol.Services;
import io.synod.protocol.SessionTopics;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * A client of a Synod (or any CC7261) cluster: requests through the broker, publications from
 * the proxy.
 *
 * <p><b>Requests.</b> The typed methods ({@link #login}, {@link #users}, {@link #createChannel},
 * {@link #channels}, {@link #publish}, {@link #sendMessage}, {@link #history},
 * {@link #privateHistory}, and the social network's in {@link #social()}) block until the reply and return a {@link ClientReply}: a server error
 * is a reply with {@code ok() == false}. A request with no reply after
 * {@code 1 + requestRetriesMax} attempts of {@code requestTimeoutMillis} throws
 * {@link ClientException.RequestTimeout}, naming the broker endpoint. Every send is stamped with
 * the Lamport clock ({@link ProcessClock#tickForSend()}) and the synchronised timestamp, plus the
 * extension fields {@code client_id} and {@code request_id}; a retry reuses the request id, so a
 * Synod server applies a retried write once (X2). {@link #requestAsync} and the {@code ...Async}
 * methods return futures instead, for many requests in flight.
 *
 * <p><b>Subscriptions.</b> A successful {@link #login} subscribes to the user's own topic (S10) and to
 * its notification topic (extension); {@link #subscribe} adds channels, {@link SynodSocial#subscribePosts}
 * authors' posts. Each publication reaches the {@link DeliveryListener} once,
 * in sequence order per topic, with gaps filled from history (X3; see {@link TopicSequencer}).
 *
 * <p><b>Thread-safety.</b> Thread-safe. One internal I/O thread owns the ZeroMQ sockets; every
 * public method hands its work to that thread. Futures are completed on the I/O thread: attach
 * blocking continuations with the {@code ...Async} variants of {@link CompletableFuture}. The
 * listener runs on a separate delivery thread and may call the blocking methods.
 *
 * <p><b>Call order.</b> Construct (the sockets connect in the background), {@link #login}, then
 * anything; {@link #close()} once. {@link #publish} and {@link #sendMessage} need a login.
 */
public final class SynodClient implements AutoCloseable {
    private static final long CLOSE_WAIT_MILLIS = 5_000;
    private static final long TASK_WAIT_MILLIS = 10_000;

    private final ClientConfig config;
    private final ProcessClock clock;
    private final String clientId;
    private final Deliverer deliverer;
    private final ClientLoop loop;
    private final Thread ioThread;
    private final SynodSocial social = new SynodSocial(this);
    private volatile String user;

    /**
     * Starts a client. {@code log} receives every request, reply and publication;
     * {@code listener} may be null (requests only).
     */
    public SynodClient(ClientConfig config, ProcessClock clock, InteractionLog log, DeliveryListener listener) {
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.clientId = "c-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);
        this.deliverer = new Deliverer(listener);
        this.loop = new ClientLoop(config, clock, Objects.requireNonNull(log, "log"), clientId, deliverer);
        this.ioThread = new Thread(loop, "synod-client-io");
        ioThread.setDaemon(true);
        ioThread.start();
    }

    /** A client with its own clock and an in-memory interaction log. */
    public static SynodClient connect(ClientConfig config, DeliveryListener listener) {
        return new SynodClient(config, ProcessClock.system(), InteractionLog.inMemory("client"), listener);
    }

    public ClientConfig config() {
        return config;
    }

    public ProcessClock clock() {
        return clock;
    }

    /** The {@code client_id} sent with every request. */
    public String clientId() {
        return clientId;
    }

    /** The user of the last successful login. */
    public Optional<String> user() {
        return Optional.ofNullable(user);
    }

    // ---- requests ----

    /** The social network's calls (posts, follows, feed, notifications, conversations, search). */
    public SynodSocial social() {
        return social;
    }

    /** {@code login}; on success also subscribes to the user's own topic and notification topic. */
    public ClientReply.Status login(String given) {
        return login(given, null);
    }

    /**
     * {@code login} with a {@code password} (extension; null: none): the first one sets the user's password, later
     * logins need it. The session token the reply returns is sent with every later request (a server in secure mode
     * requires it: docs/security.md) until {@link #logout}.
     */
    public ClientReply.Status login(String given, String password) {
        String name = checkName("user", given);
        CompletableFuture<ClientReply.Status> result = new CompletableFuture<>();
        Map<String, Object> fields =
                password == null ? Map.of("user", name) : Map.of("user", name, "password", password);
        loop.execute(() -> loop.submit(Services.LOGIN, fields, (reply, failure) -> {
            if (failure != null) {
                result.completeExceptionally(failure);
                return;
            }
            ClientReply.Status status = ReplyParser.status(reply);
            if (status.ok()) {
                user = name;
                loop.session = reply.data().get("token") instanceof String token ? Map.of("token", token) : Map.of();
                if (reply.data().get("delivery") instanceof String delivery) { // secure mode: the session's topics
                    loop.subscriptions().subscribeInbox(name, SessionTopics.messagesTopic(delivery));
                    loop.subscriptions().subscribeNotifications(name, SessionTopics.notificationsTopic(delivery));
                } else {
                    loop.subscriptions().subscribeInbox(name);
                    loop.subscriptions().subscribeNotifications(name);
                }
            }
            result.complete(status);
        }));
        return await(result);
    }

    /** Extension {@code logout}: revokes this client's session on every server; later requests carry no token. */
    public ClientReply.Status logout() {
        String me = requireUser();
        ClientReply.Status status =
                await(requestAsync(Services.LOGOUT, Map.of("user", me)).thenApply(ReplyParser::status));
        if (status.ok()) {
            loop.session = Map.of();
        }
        return status;
    }

    public ClientReply.Names users() {
        return await(requestAsync(Services.USERS, Map.of()).thenApply(r -> ReplyParser.names(r, "users", "users")));
    }

    /** {@code channel}: creates a channel (an error if it exists). */
    public ClientReply.Status createChannel(String given) {
        String channel = checkName("channel", given);
        return await(requestAsync(Services.CHANNEL, Map.of("channel", channel)).thenApply(ReplyParser::status));
    }

    public ClientReply.Names channels() {
        return await(
                requestAsync(Services.CHANNELS, Map.of()).thenApply(r -> ReplyParser.names(r, "channels", "users")));
    }

    /** {@code publish} as the logged-in user. */
    public ClientReply.Status publish(String channel, String message) {
        return await(publishAsync(channel, message));
    }

    public CompletableFuture<ClientReply.Status> publishAsync(String channel, String message) {
        String me = requireUser();
        return requestAsync(Services.PUBLISH, Map.of("user", me, "channel", channel, "message", message))
                .thenApply(ReplyParser::status);
    }

    /** {@code message}: a private message from the logged-in user to {@code dst}. */
    public ClientReply.Status sendMessage(String dst, String message) {
        return await(sendMessageAsync(dst, message));
    }

    public CompletableFuture<ClientReply.Status> sendMessageAsync(String dst, String message) {
        String me = requireUser();
        return requestAsync(Services.MESSAGE, Map.of("src", me, "dst", dst, "message", message))
                .thenApply(ReplyParser::status);
    }

    /** Extension {@code history}: messages of {@code channel} with {@code seq > afterSeq}. */
    public ClientReply.HistoryPage history(String channel, long afterSeq, int limit) {
        Map<String, Object> fields = Map.of("channel", channel, "after_seq", afterSeq, "limit", limit);
        return await(requestAsync(Services.HISTORY, fields)
                .thenApply(r -> ReplyParser.historyPage(r, channel, config.limits())));
    }

    /**
     * Extension {@code private_history} of the logged-in user: the conversation with {@code peer},
     * or with a null peer every private message to or from the user.
     */
    public ClientReply.HistoryPage privateHistory(String peer, long afterSeq, int limit) {
        String me = requireUser();
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("user", me);
        if (peer != null) {
            fields.put("peer", peer);
        }
        fields.put("after_seq", afterSeq);
        fields.put("limit", limit);
        return await(requestAsync(Services.PRIVATE_HISTORY, fields)
                .thenApply(r -> ReplyParser.historyPage(r, me, config.limits())));
    }

    /**
     * Sends any request; {@code fields} are the service's own fields ({@code timestamp},
     * {@code clock}, {@code client_id} and {@code request_id} are added). The future completes on
     * the I/O thread with the reply, or with a {@link ClientException}.
     */
    public CompletableFuture<Envelope> requestAsync(String service, Map<String, Object> fields) {
        CompletableFuture<Envelope> result = new CompletableFuture<>();
        Map<String, Object> copy = Map.copyOf(fields);
        try {
            loop.execute(() -> loop.submit(service, copy, (reply, failure) -> {
                if (failure != null) {
                    result.completeExceptionally(failure);
                } else {
                    result.complete(reply);
                }
            }));
        } catch (ClientException e) {
            result.completeExceptionally(e);
        }
        return result;
    }

    // ---- subscriptions ----

    /**
     * Listens to {@code channel}; with {@code replayHistory}, first fetches its history and
     * delivers the most recent {@link ClientConfig#joinHistoryDeliverMax()} messages. Returns once
     * the subscription is in place (the history arrives later, before newer live messages).
     */
    public void subscribe(String given, boolean replayHistory) {
        String channel = checkName("channel", given);
        call(subscriptions -> {
            subscriptions.subscribeChannel(channel, replayHistory);
            return null;
        });
    }

    /**
     * Listens to {@code channel} and delivers every message with {@code seq > afterSeq} first
     * (from history, all of them), then the live ones: resuming where a previous session stopped.
     */
    public void subscribeFrom(String given, long afterSeq) {
        String channel = checkName("channel", given);
        if (afterSeq < 0) {
            throw new IllegalArgumentException("afterSeq must not be negative");
        }
        call(subscriptions -> {
            subscriptions.subscribeChannelFrom(channel, afterSeq);
            return null;
        });
    }

    public void unsubscribe(String given) {
        String channel = Names.normalize(given);
        call(subscriptions -> {
            subscriptions.unsubscribeChannel(channel);
            return null;
        });
    }

    /** The channels subscribed to, sorted. */
    public Set<String> subscribedChannels() {
        return call(Subscriptions::channels);
    }

    /** Stops the I/O thread (failing pending requests with {@link ClientException.Closed}) and the deliveries. */
    @Override
    public void close() {
        loop.stop();
        if (Thread.currentThread() != ioThread) {
            try {
                ioThread.join(CLOSE_WAIT_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        deliverer.close();
    }

    // ---- helpers ----

    <T> T call(Function<Subscriptions, T> action) {
        CompletableFuture<T> result = new CompletableFuture<>();
        loop.execute(() -> result.complete(action.apply(loop.subscriptions())));
        return await(result);
    }

    /** Waits for a future that the I/O thread completes; bounded by the request retry budget. */
    <T> T await(CompletableFuture<T> future) {
        if (loop.onLoopThread()) {
            throw new IllegalStateException("blocking client calls are not allowed on the client's I/O thread");
        }
        long waitMillis = config.requestTimeoutMillis() * (2L + config.requestRetriesMax()) + TASK_WAIT_MILLIS;
        try {
            return future.get(waitMillis, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw loop.running()
                    ? new IllegalStateException("the client's I/O thread did not answer")
                    : new ClientException.Closed();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClientException.Closed();
        }
    }

    String requireUser() {
        String me = user;
        if (me == null) {
            throw new IllegalStateException("log in first");
        }
        return me;
    }

    /**
     * The name as the servers store it (NFC, see {@link Names}): the topic a subscription must use,
     * since servers publish on the stored name.
     */
    String checkName(String field, String name) {
        return Names.check(
                field, Objects.requireNonNull(name, field), config.limits().nameCharsMax());
    }
}
