package io.synod.core;

import io.synod.protocol.Publication;
import io.synod.protocol.RequestMeta;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;

/**
 * The chat state machine (design notes 1.2): {@link #apply(Command)} turns one decided command into
 * a {@link Result} (the reply outcome and the publications to send), and the queries answer reads
 * from the applied state. Applying the same commands in the same order to the same state gives the
 * same state, the same results and the same {@link #stateDigest() digest}: nothing here reads a
 * clock, a random source or anything but the {@link ChatStore}.
 *
 * <p>Rules:
 *
 * <ul>
 *   <li>login: refused if it does not name the user's password ({@link AccountRules}), else recorded (time, clock);
 *   <li>channel: an error if the channel exists;
 *   <li>publish: an error if the channel does not exist or the user never logged in (decision: a
 *       post needs an author who exists, as a private message needs a recipient who exists);
 *   <li>message: an error if {@code dst} never logged in, or if {@code src} never logged in;
 *   <li>exactly-once: for a command with a client id and a request id, the results of the client's
 *       last {@link ClientWindow#REQUESTS_MAX} request ids are kept in the state ({@link ClientWindow}),
 *       so a client may have that many writes in flight and they may be decided in any order; the same
 *       request id again returns the original result with {@link Result#replayed()} set and applies
 *       nothing; a request id below the window is an error that applies nothing. The windows of client ids
 *       that servers give writes sent without ids ({@code ~...}) are kept for the {@code serverClientsMax} of them
 *       that wrote last ({@link ChatConfig}); the others are forgotten, so the state does not grow with every
 *       broker connection that ever wrote;
 *   <li>a client's own retry of a write sent without ids: a command carrying a {@link Fingerprint} that matches one
 *       of the last {@link RetryWindow#SENDS_MAX} remembered for its owner (the author; the channel for {@code
 *       channel}) returns the original outcome as a replay and applies nothing; the outcome of a new one is
 *       remembered if its owner exists afterwards.
 * </ul>
 *
 * <p>Effects: a channel post is published on the channel with a gap-free per-channel {@code seq}; a
 * private message on {@code dst} with a gap-free per-recipient {@code seq} (the recipient's inbox
 * sequence) and a per-conversation {@code conversation_seq}. The message id is
 * {@code <log index>-<n>}, unique in the cluster because log indexes are. The social network's commands,
 * mentions and the notifications of private messages follow {@link SocialRules}; its reads are {@link #social()}.
 *
 * <p>Every command, including an error or a replay, moves the applied index and the digest: a SHA-256 chain over
 * (previous digest, index, encoded command, outcome) stored in the state, so snapshots carry it.
 *
 * <p>Thread-safety: not thread-safe; owned by one thread (the server's event loop or the
 * simulator). Call order: construct over a store (empty or reopened), then {@code apply} commands
 * with increasing indexes; queries at any time from the same thread.
 */
public final class ChatStateMachine {
    private static final int DIGEST_BYTES = 32;

    private final ChatStore store;
    private final ChatConfig config;
    /** The digest chain's hasher, reused: a new one per command was a fifth of {@link #nextDigest}'s time. */
    private final MessageDigest sha = sha256();

    public ChatStateMachine(ChatStore store, ChatConfig config) {
        ChatInvariants.require(store != null && config != null, "store and config are required");
        this.store = store;
        this.config = config;
    }

    /** Makes every command applied so far durable (the store's group commit). */
    public void sync() {
        store.sync();
    }

    /** The index of the last applied command; 0 when nothing was applied. */
    public long appliedIndex() {
        return store.appliedIndex();
    }

    /**
     * Applies one command and stores its effects and the new applied index in one atomic batch, durable after the
     * next {@link #sync()}: the owner must sync before anything that depends on the result leaves the process.
     */
    public Result apply(Command command) {
        return applyAll(List.of(command)).get(0);
    }

    /**
     * Applies commands in order and stores all their effects and the last one's index in one atomic batch (one
     * store write for a turn's commands instead of one each), durable after the next {@link #sync()}. Each command
     * sees the effects of the ones before it, and the results and the state are exactly those of calling {@link
     * #apply} for each in turn: only the number of store writes differs.
     *
     * @param commands at least one, with strictly increasing indexes above the applied index
     * @return one result per command, in order
     */
    public List<Result> applyAll(List<Command> commands) {
        return applyAll(commands, results -> {});
    }

    /**
     * {@link #applyAll(List)}, calling {@code beforeStoreWrite} with the results (one per command, in order) once
     * they are known and before the store writes the batch: what it hands the store to write with the next batch
     * (a replicated follower's outbox) is then in the same atomic write, so a crash keeps both or neither.
     */
    public List<Result> applyAll(List<Command> commands, Consumer<List<Result>> beforeStoreWrite) {
        ChatInvariants.require(!commands.isEmpty(), "applyAll needs at least one command");
        long previous = store.appliedIndex();
        for (Command command : commands) {
            ChatInvariants.require(
                    command.index() > previous, "command index ", command.index(), " must be above ", previous);
            previous = command.index();
        }
        Transaction tx = new Transaction(store, new StoreBatch(previous));
        byte[] digest = tx.get(Keys.digest());
        List<Result> results = new ArrayList<>(commands.size());
        for (Command command : commands) {
            Result result = deduplicateOrExecute(tx, command);
            digest = nextDigest(digest, command, result);
            results.add(result);
        }
        tx.batch().put(Keys.digest(), digest);
        beforeStoreWrite.accept(Collections.unmodifiableList(results));
        store.write(tx.batch());
        ChatInvariants.check(store.appliedIndex() == previous, "the store took the applied index");
        return results;
    }

    private Result deduplicateOrExecute(Transaction tx, Command command) {
        byte[] clientKey = null;
        ClientWindow window = null;
        long requestId = command.requestId();
        if (command.isIdempotent()) {
            clientKey = Keys.client(command.clientId());
            window = ClientWindow.read(tx.get(clientKey));
            switch (window.seen(requestId)) {
                case OK -> {
                    return Result.ok(List.of()).asReplay();
                }
                case FAILED -> {
                    return Result.error(window.errorText(requestId)).asReplay();
                }
                case TOO_OLD -> {
                    return Result.error("request_id " + requestId + " of client '" + command.clientId()
                            + "' is older than its last " + ClientWindow.REQUESTS_MAX + " requests (highest "
                            + window.highest()
                            + "); it cannot be told apart from an applied one, so nothing was applied");
                }
                case NEW -> {
                    // a retry by fingerprint, or applied below
                }
            }
        }
        Result result = retriedSend(tx, command);
        if (result == null) {
            result = SessionDeliveries.withSessionCopies(tx, command, execute(tx, command));
            rememberSend(tx, command, result);
        }
        if (window != null) {
            tx.batch()
                    .put(
                            clientKey,
                            window.with(requestId, result.isOk(), result.errorText())
                                    .encode());
            if (command.clientId().startsWith(RequestMeta.SERVER_CLIENT_ID_PREFIX)) {
                touchServerClient(tx, command.clientId(), command.index());
            }
        }
        return result;
    }

    /** The original outcome if {@code command} is a send without ids seen before (its retry), else null. */
    private static Result retriedSend(Transaction tx, Command command) {
        if (command.fingerprint() == null) {
            return null;
        }
        return replay(RetryWindow.read(tx.get(retriesKey(command.operation()))).find(command.fingerprint()));
    }

    private static Result replay(RetryWindow.Send send) {
        if (send == null) {
            return null;
        }
        return (send.errorText() == null ? Result.ok(List.of()) : Result.error(send.errorText())).asReplay();
    }

    /**
     * Remembers the outcome of a send without ids under its owner, if the owner exists now: names that were never
     * created (a post by an unknown user) get no window, so refused writes cannot grow the state. Such a send
     * applied nothing, and its retry is answered by applying it again.
     */
    private static void rememberSend(Transaction tx, Command command, Result result) {
        if (command.fingerprint() == null) {
            return;
        }
        ChatCommand operation = command.operation();
        byte[] ownerKey = operation instanceof ChatCommand.CreateChannel c
                ? Keys.channel(c.channel())
                : Keys.user(AccountRules.ownerName(operation));
        if (tx.get(ownerKey) == null) {
            return;
        }
        byte[] key = retriesKey(operation);
        tx.batch()
                .put(
                        key,
                        RetryWindow.read(tx.get(key))
                                .with(command.fingerprint(), result.errorText())
                                .encode());
    }

    private static byte[] retriesKey(ChatCommand operation) {
        return operation instanceof ChatCommand.CreateChannel c
                ? Keys.retries(Keys.CHANNEL, c.channel())
                : Keys.retries(Keys.USER, AccountRules.ownerName(operation));
    }

    /**
     * Moves a server-given client id to the newest end of the recency order; if it is new there and the order then
     * holds more than {@code serverClientsMax}, forgets the one whose last write is the oldest (its window too). A
     * server never gives a client id again once it stopped using it, so a forgotten window is only missed by a
     * duplicate of one of its writes still in flight after that many other such clients wrote.
     */
    private void touchServerClient(Transaction tx, String clientId, long index) {
        byte[] useKey = Keys.serverClientUse(clientId);
        byte[] previous = tx.get(useKey);
        byte[] countKey = Keys.serverClientCount();
        long count = countOf(tx.get(countKey));
        if (previous != null) {
            tx.batch().delete(Keys.serverClientByUse(Values.longAt(Values.decode(previous, 1), 0), clientId));
        } else {
            count++;
        }
        tx.batch().put(Keys.serverClientByUse(index, clientId), Values.encode());
        tx.batch().put(useKey, Values.encode(index));
        if (count > config.serverClientsMax()) {
            byte[] oldest = tx.firstKey(Keys.tagOnly(Keys.SERVER_CLIENT_BY_USE));
            ChatInvariants.check(oldest != null, "the recency order holds every counted client");
            String evicted = Keys.clientIdOfUse(oldest);
            ChatInvariants.check(!evicted.equals(clientId), "the client just used is the newest");
            tx.batch().delete(oldest);
            tx.batch().delete(Keys.serverClientUse(evicted));
            tx.batch().delete(Keys.client(evicted));
            count--;
        }
        tx.batch().put(countKey, Values.encode(count));
    }

    private static long countOf(byte[] stored) {
        return stored == null ? 0 : Values.longAt(Values.decode(stored, 1), 0);
    }

    private Result execute(Transaction tx, Command command) {
        Result refused = AccountRules.refusal(tx, command);
        return refused != null
                ? refused
                : switch (command.operation()) {
                    case ChatCommand.Login login -> login(tx, command, login);
                    case ChatCommand.Logout logout -> AccountRules.logout(tx, logout);
                    case ChatCommand.CreateChannel create -> createChannel(tx, command, create);
                    case ChatCommand.Publish publish -> publish(tx, command, publish);
                    case ChatCommand.SendMessage message -> sendMessage(tx, command, message);
                    case ChatCommand.SocialCommand social -> SocialRules.execute(tx, command, social);
                };
    }

    private Result login(Transaction tx, Command command, ChatCommand.Login login) {
        Result refused = AccountRules.login(tx, login, command.timestampSeconds());
        if (refused != null) {
            return refused;
        }
        UserRecord user = UserRecord.read(tx.get(Keys.user(login.user())));
        long loginNumber = user.loginCount() + 1;
        tx.batch()
                .put(
                        Keys.login(login.user(), loginNumber),
                        Values.encode(command.timestampSeconds(), command.clock(), command.index()));
        tx.batch().put(Keys.user(login.user()), new UserRecord(loginNumber, user.inboxSeq()).encode());
        return Result.ok(List.of());
    }

    private Result createChannel(Transaction tx, Command command, ChatCommand.CreateChannel create) {
        byte[] key = Keys.channel(create.channel());
        if (tx.get(key) != null) {
            return Result.error("channel '" + create.channel() + "' already exists");
        }
        tx.batch().put(key, Values.encode(0L, command.timestampSeconds(), command.clock(), command.index()));
        return Result.ok(List.of());
    }

    private Result publish(Transaction tx, Command command, ChatCommand.Publish publish) {
        byte[] channelKey = Keys.channel(publish.channel());
        byte[] channel = tx.get(channelKey);
        if (channel == null) {
            return Result.error("channel '" + publish.channel() + "' does not exist");
        }
        if (tx.get(Keys.user(publish.user())) == null) {
            return Result.error("user '" + publish.user() + "' has never logged in");
        }
        List<Object> c = Values.decode(channel, 4);
        long seq = Values.longAt(c, 0) + 1;
        Publication.ChannelPost post = new Publication.ChannelPost(
                publish.channel(),
                publish.user(),
                publish.message(),
                command.timestampSeconds(),
                command.clock(),
                seq,
                messageId(command, 0),
                command.index());
        c.set(0, seq);
        tx.batch().put(channelKey, Values.encode(c.toArray()));
        tx.batch().put(Keys.post(publish.channel(), seq), Values.post(post));
        return Result.ok(SocialRules.withMentions(
                tx, command, post, publish.user(), publish.message(), post.id(), post.channel()));
    }

    private Result sendMessage(Transaction tx, Command command, ChatCommand.SendMessage send) {
        byte[] dstKey = Keys.user(send.dst());
        byte[] dstValue = tx.get(dstKey);
        if (dstValue == null) {
            return Result.error("user '" + send.dst() + "' does not exist");
        }
        if (tx.get(Keys.user(send.src())) == null) {
            return Result.error("user '" + send.src() + "' has never logged in");
        }
        UserRecord dst = UserRecord.read(dstValue);
        long inboxSeq = dst.inboxSeq() + 1;
        byte[] conversationKey = Keys.conversation(send.src(), send.dst());
        byte[] conversation = tx.get(conversationKey);
        long conversationSeq = (conversation == null ? 0 : Values.longAt(Values.decode(conversation, 1), 0)) + 1;
        Publication.DirectMessage message = new Publication.DirectMessage(
                send.src(),
                send.dst(),
                send.message(),
                command.timestampSeconds(),
                command.clock(),
                inboxSeq,
                messageId(command, 0),
                command.index(),
                conversationSeq);
        byte[] stored = Values.direct(message);
        tx.batch().put(dstKey, new UserRecord(dst.loginCount(), inboxSeq).encode());
        tx.batch().put(Keys.inbox(send.dst(), inboxSeq), stored);
        tx.batch().put(conversationKey, Values.encode(conversationSeq));
        tx.batch().put(Keys.conversationMessage(send.src(), send.dst(), conversationSeq), stored);
        return Result.ok(SocialRules.onPrivateMessage(tx, command, message));
    }

    private static String messageId(Command command, int ordinal) {
        return command.index() + "-" + ordinal;
    }

    // ---------------------------------------------------------------- queries

    /** Stored password hashes and live sessions (the server checks logins and private reads against them). */
    public AccountReads accounts() {
        return new AccountReads(store);
    }

    /** The social network's reads (posts, follows, feed, notifications, conversations) over this state. */
    public SocialReads social() {
        return new SocialReads(store);
    }

    /** Every user who ever logged in, in key (code point) order, at most {@code namesListMax}. */
    public List<String> users() {
        return names(Keys.USER);
    }

    /** Every channel, in key (code point) order, at most {@code namesListMax}. */
    public List<String> channels() {
        return names(Keys.CHANNEL);
    }

    private List<String> names(byte tag) {
        byte[] prefix = Keys.tagOnly(tag);
        List<String> names = new ArrayList<>();
        for (StoreEntry e : store.scan(prefix, Keys.prefixEnd(prefix), config.namesListMax())) {
            names.add(Keys.nameOf(e.key()));
        }
        return names;
    }

    /** Whether {@code user} ever logged in. */
    public boolean userExists(String user) {
        return store.get(Keys.user(ChatInvariants.requireKeyName("user", user))) != null;
    }

    /** Whether {@code channel} exists. */
    public boolean channelExists(String channel) {
        return store.get(Keys.channel(ChatInvariants.requireKeyName("channel", channel))) != null;
    }

    /** The logins of {@code user} numbered above {@code afterNumber}, oldest first. */
    public List<LoginRecord> loginHistory(String user, long afterNumber, int limit) {
        byte[] prefix = Keys.prefix(Keys.LOGIN, ChatInvariants.requireKeyName("user", user));
        List<LoginRecord> logins = new ArrayList<>();
        for (StoreEntry e : scanAfter(prefix, afterNumber, clampLimit(limit))) {
            List<Object> v = Values.decode(e.value(), 3);
            logins.add(new LoginRecord(
                    user, Keys.seqOf(e.key()), Values.doubleAt(v, 0), Values.longAt(v, 1), Values.longAt(v, 2)));
        }
        return logins;
    }

    /**
     * The result of request {@code requestId} of {@code clientId} if it was applied (as a replay: no
     * publications), or null if it was not, or is unknown (below the client's window). Lets a server answer a
     * retried write from the applied state instead of ordering it again.
     */
    public Result appliedResult(String clientId, long requestId) {
        if (clientId == null || requestId <= 0) {
            return null;
        }
        ClientWindow window = ClientWindow.read(store.get(Keys.client(clientId)));
        return switch (window.seen(requestId)) {
            case OK -> Result.ok(List.of()).asReplay();
            case FAILED -> Result.error(window.errorText(requestId)).asReplay();
            case NEW, TOO_OLD -> null;
        };
    }

    /**
     * The outcome of an earlier send without ids that {@code fingerprint} recognises ({@link RetryWindow}), as a
     * replay, or null if this state holds none. Lets a server answer the client's own retry from the applied state.
     */
    public Result appliedSend(ChatCommand operation, Fingerprint fingerprint) {
        if (fingerprint == null) {
            return null;
        }
        return replay(RetryWindow.read(store.get(retriesKey(operation))).find(fingerprint));
    }

    /** How many server-given client ids have an exactly-once window now (at most {@code serverClientsMax}). */
    public long serverClientCount() {
        return countOf(store.get(Keys.serverClientCount()));
    }

    /** The posts of {@code channel} with {@code seq > afterSeq}, at most {@code limit}. */
    public HistoryResult channelHistory(String channel, long afterSeq, int limit) {
        if (!channelExists(channel)) {
            return new HistoryResult.Rejected("channel '" + channel + "' does not exist");
        }
        return page(Keys.prefix(Keys.POST, channel), afterSeq, limit, false);
    }

    /**
     * Private messages. With {@code peer == null}: the inbox of {@code user} (every message it
     * received, the stream of its topic) by inbox {@code seq}. With a peer: the conversation of
     * the two users, both directions, by {@code conversation_seq}.
     */
    public HistoryResult privateHistory(String user, String peer, long afterSeq, int limit) {
        if (!userExists(user)) {
            return new HistoryResult.Rejected("user '" + user + "' does not exist");
        }
        if (peer == null) {
            return page(Keys.prefix(Keys.INBOX, user), afterSeq, limit, true);
        }
        if (!userExists(peer)) {
            return new HistoryResult.Rejected("user '" + peer + "' does not exist");
        }
        return page(Keys.conversationPrefix(user, peer), afterSeq, limit, true);
    }

    private HistoryResult page(byte[] prefix, long afterSeq, int limit, boolean direct) {
        ChatInvariants.require(afterSeq >= 0, "afterSeq must not be negative");
        int pageMax = clampLimit(limit);
        List<StoreEntry> entries = scanAfter(prefix, afterSeq, pageMax + 1);
        boolean more = entries.size() > pageMax;
        List<Publication> messages = new ArrayList<>(Math.min(entries.size(), pageMax));
        long nextSeq = afterSeq;
        for (StoreEntry e : entries.subList(0, Math.min(entries.size(), pageMax))) {
            messages.add(direct ? Values.direct(e.value()) : Values.post(e.value()));
            nextSeq = Keys.seqOf(e.key());
        }
        return new HistoryResult.Page(messages, nextSeq, more);
    }

    private List<StoreEntry> scanAfter(byte[] prefix, long afterSeq, int limit) {
        long from = afterSeq == Long.MAX_VALUE ? afterSeq : afterSeq + 1;
        return store.scan(Keys.withSeq(prefix, from), Keys.prefixEnd(prefix), limit);
    }

    private int clampLimit(int limit) {
        ChatInvariants.require(limit > 0, "limit must be positive, was " + limit);
        return Math.min(limit, config.historyPageMax());
    }

    // ---------------------------------------------------------------- digest and snapshots

    /** The digest of the applied state (32 bytes; all zero before the first command). */
    public byte[] stateDigest() {
        byte[] digest = store.get(Keys.digest());
        return digest == null ? new byte[DIGEST_BYTES] : digest.clone();
    }

    /** {@link #stateDigest()} in lowercase hexadecimal, for {@code /status}. */
    public String stateDigestHex() {
        return HexFormat.of().formatHex(stateDigest());
    }

    /** The whole state and its applied index as bytes; see {@link ChatSnapshots}. */
    public byte[] exportSnapshot() {
        return ChatSnapshots.export(store, config.snapshotScanPageEntries());
    }

    /** Replaces the whole state with a snapshot made by {@link #exportSnapshot()}. */
    public void importSnapshot(byte[] snapshot) {
        ChatSnapshots.Decoded decoded = ChatSnapshots.decode(snapshot);
        store.replaceAll(decoded.entries(), decoded.appliedIndex());
    }

    private byte[] nextDigest(byte[] previous, Command command, Result result) {
        sha.reset(); // digest() resets it, unless an earlier call threw midway
        sha.update(previous == null ? new byte[DIGEST_BYTES] : previous);
        sha.update(ByteBuffer.allocate(Long.BYTES).putLong(command.index()).array());
        sha.update(ChatCommands.encode(command));
        sha.update((byte) (result.isOk() ? 1 : 0));
        if (result.errorText() != null) {
            sha.update(result.errorText().getBytes(StandardCharsets.UTF_8));
        }
        return sha.digest();
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** The stored user: how many logins, and the last inbox sequence. */
    private record UserRecord(long loginCount, long inboxSeq) {
        static UserRecord read(byte[] value) {
            if (value == null) {
                return new UserRecord(0, 0);
            }
            List<Object> v = Values.decode(value, 2);
            return new UserRecord(Values.longAt(v, 0), Values.longAt(v, 1));
        }

        byte[] encode() {
            return Values.encode(loginCount, inboxSeq);
        }
    }
}
