package io.synod.server;

import io.synod.core.ChatCommand;
import io.synod.core.ChatStateMachine;
import io.synod.core.Command;
import io.synod.core.Fingerprint;
import io.synod.core.HistoryResult;
import io.synod.core.Result;
import io.synod.messaging.InteractionLog;
import io.synod.messaging.ProcessClock;
import io.synod.protocol.Envelope;
import io.synod.protocol.Fields;
import io.synod.protocol.Limits;
import io.synod.protocol.ProtocolException;
import io.synod.protocol.Replies;
import io.synod.protocol.Request;
import io.synod.protocol.RequestMeta;
import io.synod.protocol.Requests;
import io.synod.protocol.Services;
import io.synod.protocol.SessionTopics;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns one request frame into one reply frame, with no socket in sight: decode and validate ({@link
 * Requests#parse}), merge the Lamport clock, turn a write into a {@link Deferred} command for replication (every
 * server, a single one included, orders its writes through its Paxos group; {@link #complete} builds the reply once
 * the command is applied), answer reads from the applied state (or defer them, {@link DeferredRead}), and stamp the
 * reply with the synchronised time and a Lamport tick.
 *
 * <p>Bad input of any kind (not MessagePack, invalid UTF-8, frame over the limit, unknown service,
 * missing or mistyped field, empty or oversized name) gets an {@code erro} reply that says what is
 * wrong; nothing is stored. A request whose service cannot be read is answered with service
 * {@code erro}.
 *
 * <p>Lamport events per request: receive ({@code observe}), then for a write one local event whose
 * value becomes the command's (and its publications') {@code clock}, then the reply's send tick.
 *
 * <p>Thread-safety: not thread-safe; owned by the event loop.
 */
final class ChatService {
    private static final Logger LOG = LoggerFactory.getLogger(ChatService.class);

    /**
     * One handled request: the reply (once stamped, final), or the write or read that must wait before it can be
     * answered. Publications leave with the apply (the replication driver hands them to the server).
     */
    record Handled(Envelope reply, Deferred deferred, DeferredRead deferredRead) {
        Handled(Envelope reply) {
            this(reply, null, null);
        }

        byte[] replyFrame() {
            return reply.encode();
        }
    }

    /**
     * A write handed to replication: the reply is built by {@link #complete} once the command is decided and applied
     * here.
     */
    record Deferred(Command command, String service, Map<String, Object> echo, String peer, String token) {
        /** Hides the token. */
        @Override
        public String toString() {
            return "Deferred[" + service + ", " + command.index() + ", " + peer + "]";
        }
    }

    /**
     * A read that must wait: for this server to have applied command index {@code
     * minIndex} (monotonic reads: the client passes the highest {@code index} it has seen), or, if {@code
     * linearizable}, for a read barrier ordered through the log. Answered by {@link #answerRead} or {@link
     * #expireRead}.
     */
    record DeferredRead(Request request, long minIndex, boolean linearizable, Map<String, Object> echo, String peer) {}

    /** Broker connections remembered for server-given ids; the least recently used is forgotten beyond this. */
    static final int SERVER_ID_PEERS_MAX = 65_536;

    /**
     * The ids this server gives one broker connection's writes that carry none: client id {@code
     * ~<server>/<epoch>/<connection>}, request ids 1, 2, 3... A connection number is never given twice in a run.
     */
    private static final class ServerIds {
        final long connection;
        long lastRequestId;

        ServerIds(long connection) {
            this.connection = connection;
        }
    }

    private final String serverIdPrefix;
    /** The last connection number given in this run (numbers are never reused, whatever the LRU forgets). */
    private long lastConnection;
    /** Per broker connection (routing id): the ids given to its writes without ids. */
    private final Map<String, ServerIds> serverIds;
    /** The peer of the request being handled (single-threaded). */
    private String currentPeer = "?";

    private final ChatStateMachine machine;
    /** The search index over this server's applied state: the owner rebuilds it and feeds it what is applied. */
    private final SearchService search;

    private final ProcessClock clock;
    private final InteractionLog log;
    private final ServerMetrics metrics;
    private final Limits limits;
    /** Refuses requests over the {@link RateLimits} before they are parsed. */
    private final RateLimiter rateLimiter;
    /** Secure mode (docs/security.md): logins need a password, writes and private reads a session token. */
    private boolean secure;

    private Accounts accounts = new Accounts();

    /**
     * A service for server {@code serverName}. A write that carries no {@code client_id}/{@code request_id} (a plain
     * statement client) gets ids from this server, so its retries inside the server (re-proposed across a leader
     * change, re-forwarded) are exactly-once too and it is answered instead of being dropped: client id {@code
     * ~<server>/<epoch>/<connection>}, where the epoch is drawn at random once per run ({@link #newEpoch}) and the
     * connection number counts up per broker connection first seen (or seen again after the LRU forgot it), and request
     * ids 1, 2, 3... per connection number. No pair is ever given twice: not after an LRU eviction (a new number), nor
     * after a broker restart reuses routing ids (the number's count goes on), nor in another run (another epoch),
     * whatever the wall clock does.
     */
    ChatService(
            ChatStateMachine machine,
            ProcessClock clock,
            InteractionLog log,
            ServerMetrics metrics,
            Limits limits,
            String serverName,
            RateLimits rateLimits) {
        this(
                machine,
                clock,
                log,
                metrics,
                limits,
                SERVER_ID_PEERS_MAX,
                serverName,
                newEpoch(),
                new RateLimiter(rateLimits, System::nanoTime));
    }

    /**
     * With {@code serverIdPeersMax} broker connections remembered for server-given ids (tests use few) and a given
     * epoch (tests; a server draws a new one every run).
     */
    ChatService(
            ChatStateMachine machine,
            ProcessClock clock,
            InteractionLog log,
            ServerMetrics metrics,
            Limits limits,
            int serverIdPeersMax,
            String serverName,
            long epoch) {
        this(
                machine,
                clock,
                log,
                metrics,
                limits,
                serverIdPeersMax,
                serverName,
                epoch,
                new RateLimiter(RateLimits.OFF, System::nanoTime));
    }

    /** As above, with a given rate limiter (tests drive its clock). */
    ChatService(
            ChatStateMachine machine,
            ProcessClock clock,
            InteractionLog log,
            ServerMetrics metrics,
            Limits limits,
            int serverIdPeersMax,
            String serverName,
            long epoch,
            RateLimiter rateLimiter) {
        this.serverIdPrefix =
                RequestMeta.SERVER_CLIENT_ID_PREFIX + serverName + "/" + Long.toUnsignedString(epoch, 36) + "/";
        this.serverIds = new LinkedHashMap<>(1_024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, ServerIds> eldest) {
                return size() > serverIdPeersMax;
            }
        };
        this.machine = machine;
        this.search = new SearchService(machine);
        this.clock = clock;
        this.log = log;
        this.metrics = metrics;
        this.limits = limits;
        this.rateLimiter = rateLimiter;
    }

    /** Takes the mode of {@code config} ({@link ServerConfig#secure}), with the default password hashing. */
    ChatService secure(ServerConfig config) {
        return secure(config.secure(), new Accounts());
    }

    /** Sets secure mode ({@code on}) or compat mode, and the password hashing and tokens to use; before any request. */
    ChatService secure(boolean on, Accounts withAccounts) {
        this.secure = on;
        this.accounts = withAccounts;
        return this;
    }

    /** Handles one request body received from {@code peer} (a routing identity, for the log). */
    Handled handle(byte[] body, String peer) {
        currentPeer = peer;
        Envelope request;
        try {
            request = Envelope.decode(body, limits);
        } catch (ProtocolException e) {
            long observed = clock.observe(0);
            log.received(Services.ERROR, peer, observed, clock.nowSeconds(), Map.of("bytes", body.length));
            metrics.request(Services.ERROR);
            return reply(new Handled(Replies.error(Services.ERROR, e.getMessage())), Map.of(), peer);
        }
        Object sentClock = request.data().get("clock");
        long observed = clock.observe(sentClock instanceof Long l ? l : 0);
        metrics.request(request.service());
        RateLimiter.Refusal refusal = rateLimiter.check(request, peer);
        if (refusal != null) { // refused before parsing: nothing ordered or stored; logged as a count per second
            metrics.rateLimited(refusal.limit());
            return reply(new Handled(refusal.reply(request.service())), echoed(request), peer);
        }
        log.received(request.service(), peer, observed, clock.nowSeconds(), request.data());
        Handled handled;
        try {
            Request parsed = Requests.parse(request, limits);
            if (parsed.meta().timestampReplaced()) { // informational: served with the server's time, noted here
                log.event("timestamp-replaced", observed, clock.nowSeconds(), Map.of("service", request.service()));
            }
            DeferredRead wait =
                    Services.READS.contains(parsed.service()) ? readConsistency(parsed, request, peer) : null;
            if (wait != null) {
                return new Handled(null, null, wait);
            }
            handled = dispatch(parsed);
        } catch (ProtocolException e) {
            handled = new Handled(Replies.error(request.service(), e.getMessage()));
        }
        if (handled.deferred() != null) {
            Deferred d = handled.deferred();
            return new Handled(null, new Deferred(d.command(), d.service(), echoed(request), peer, d.token()), null);
        }
        return reply(handled, echoed(request), peer);
    }

    /**
     * 64 random bits: unique per run with no stored counter, so also on a new data directory under a reused name,
     * or on a copied one (two runs share an epoch with probability 2^-64 per pair).
     */
    static long newEpoch() {
        return new SecureRandom().nextLong();
    }

    /**
     * The search index this service answers {@code search} from; empty until its owner {@linkplain
     * SearchService#rebuild rebuilds} it from the store and {@linkplain SearchService#applied feeds} it every apply.
     */
    SearchService search() {
        return search;
    }

    /** The {@code rate_limits} object of {@code /status} (any thread). */
    Map<String, Object> rateLimitStatus() {
        return rateLimiter.statusFields();
    }

    /** Logs the refusals' due summaries ({@link RateLimiter#dueSummaries}); the owner calls it every turn. */
    void logRateLimitSummaries() {
        rateLimiter.logDueSummaries(log, clock);
    }

    /**
     * The reply to a deferred write, now that replication applied it with {@code result} at {@code index}; a login
     * that opened a session returns its {@code token} and {@code expires} (extension).
     */
    Handled complete(Deferred deferred, Result result, long index) {
        Envelope reply = resultReply(deferred.service(), result, index);
        if (deferred.token() != null
                && result.isOk()
                && !result.replayed()
                && deferred.command().operation() instanceof ChatCommand.Login login) {
            Map<String, Object> data = new LinkedHashMap<>(reply.data());
            data.put("token", deferred.token());
            data.put("expires", (double) login.expiresAtSeconds());
            if (secure) { // private messages and notifications go to the session's topics (docs/security.md)
                data.put("delivery", SessionTopics.delivery(login.session()));
            }
            reply = new Envelope(reply.service(), data);
        }
        return reply(new Handled(reply), deferred.echo(), deferred.peer());
    }

    /** The answer to a waiting read, now that the state it waited for is applied here. */
    Handled answerRead(DeferredRead read) {
        return reply(dispatch(read.request()), read.echo(), read.peer());
    }

    /** The {@code erro} answer to a read whose {@code min_index} this server did not reach in time. */
    Handled expireRead(DeferredRead read, long waitedMillis) {
        String text = "this server has applied up to index " + machine.appliedIndex() + ", below min_index "
                + read.minIndex() + ", after waiting " + waitedMillis + " ms; retry (another server may be ahead)";
        return reply(new Handled(Replies.error(read.request().service(), text)), read.echo(), read.peer());
    }

    /**
     * The extension fields {@code min_index} (integer >= 0) and {@code linearizable} (boolean) of a read: null
     * when it can be answered now, else what it waits for.
     *
     * @throws ProtocolException if a field has the wrong type
     */
    private DeferredRead readConsistency(Request request, Envelope envelope, String peer) {
        long minIndex = new Fields(envelope.data()).optionalWireInteger("min_index", 0);
        Object flag = envelope.data().get("linearizable");
        if (flag != null && !(flag instanceof Boolean)) {
            throw new ProtocolException("field 'linearizable' must be a boolean, got " + Fields.typeName(flag));
        }
        boolean linearizable = Boolean.TRUE.equals(flag);
        if (!linearizable && minIndex <= machine.appliedIndex() && search.answerableNow(request)) {
            return null; // a search waits while its index is rebuilt (the first one here may start that: on demand)
        }
        return new DeferredRead(request, minIndex, linearizable, echoed(envelope), peer);
    }

    /** An {@code erro} reply for a message that is not one request frame (e.g. several body frames). */
    Handled reject(String text, String peer) {
        long observed = clock.observe(0);
        log.received(Services.ERROR, peer, observed, clock.nowSeconds(), Map.of("error", text));
        metrics.request(Services.ERROR);
        return reply(new Handled(Replies.error(Services.ERROR, text)), Map.of(), peer);
    }

    private Handled dispatch(Request request) {
        if (secure) {
            Accounts.checkPrivateRead(request, machine.accounts(), clock.nowSeconds());
        }
        return switch (request) {
            case Request.Login r -> login(r);
            case Request.Logout r -> write(r, new ChatCommand.Logout(r.user(), Accounts.sessionOf(requireToken(r))));
            case Request.CreateChannel r -> write(r, new ChatCommand.CreateChannel(r.channel()));
            case Request.Publish r -> write(r, new ChatCommand.Publish(r.user(), r.channel(), r.message()));
            case Request.SendMessage r -> write(r, new ChatCommand.SendMessage(r.src(), r.dst(), r.message()));
            case Request.Users r -> read(Replies.users(machine.users()));
            case Request.Channels r -> read(Replies.channels(machine.channels()));
            case Request.History r ->
                read(history(r.service(), machine.channelHistory(r.channel(), r.afterSeq(), r.limit())));
            case Request.PrivateHistory r ->
                read(history(r.service(), machine.privateHistory(r.user(), r.peer(), r.afterSeq(), r.limit())));
            case Request.Post r -> write(r, SocialService.command(r));
            case Request.Follow r -> write(r, SocialService.command(r));
            case Request.Unfollow r -> write(r, SocialService.command(r));
            case Request.NotificationsRead r -> write(r, SocialService.command(r));
            case Request.ConversationRead r -> write(r, SocialService.command(r));
            case Request.SocialRead r -> read(SocialService.read(r, machine.social()));
            case Request.Search r -> read(search.read(r));
            case Request.ClockRequest r -> read(Replies.clock(clock.nowSeconds()));
            case Request.ElectionRequest r -> read(Replies.election());
            case Request.Rank r -> notHere(r);
            case Request.ListServers r -> notHere(r);
            case Request.Heartbeat r -> notHere(r);
        };
    }

    /**
     * A statement login as before; a login with a password (or any login in secure mode) checks or sets the password
     * here, before proposing (slow: {@link Accounts}), and opens a session whose token the reply returns.
     */
    private Handled login(Request.Login request) {
        if (request.password() == null && !secure && machine.accounts().passwordHash(request.user()) == null) {
            return write(request, new ChatCommand.Login(request.user()));
        }
        Accounts.Login login = accounts.login(request, machine.accounts(), secure, clock.nowSeconds());
        Handled handled = write(request, login.command());
        Deferred d = handled.deferred();
        return d == null
                ? handled
                : new Handled(null, new Deferred(d.command(), d.service(), d.echo(), d.peer(), login.token()), null);
    }

    private static String requireToken(Request request) {
        if (request.meta().token() == null) {
            throw new ProtocolException("missing field 'token': the session to log out");
        }
        return request.meta().token();
    }

    private Handled write(Request request, ChatCommand operation) {
        long commandClock = clock.lamport().tick();
        String clientId = request.meta().clientId();
        long requestId = request.meta().requestId();
        Fingerprint fingerprint = null;
        if (clientId == null) { // a send without ids: its retry is recognised by what it sent (Fingerprint.of)
            fingerprint = Fingerprint.of(
                    operation, request.meta().clock(), request.meta().timestampSeconds());
            Result earlier = machine.appliedSend(operation, fingerprint);
            if (earlier != null) { // the client's retry of a send applied here: answered now, not ordered again
                metrics.replayed();
                return new Handled(resultReply(request.service(), earlier, machine.appliedIndex()));
            }
        }
        if (clientId == null) {
            ServerIds ids = serverIds.computeIfAbsent(currentPeer, peer -> new ServerIds(++lastConnection));
            clientId = serverIdPrefix + ids.connection;
            requestId = ++ids.lastRequestId;
        }
        Command command = new Command(
                machine.appliedIndex() + 1,
                clock.nowSeconds(),
                commandClock,
                clientId,
                requestId,
                operation,
                fingerprint,
                secure && !(operation instanceof ChatCommand.Login) ? Accounts.writeSession(request) : null);
        Result applied = machine.appliedResult(clientId, requestId);
        if (applied != null) { // a retry of a write this server has applied: answered now, not ordered again
            metrics.replayed();
            // index: this server's applied index, at or after the original write's (a valid min_index for the client)
            return new Handled(resultReply(request.service(), applied, machine.appliedIndex()));
        }
        return new Handled(null, new Deferred(command, request.service(), Map.of(), null, null), null);
    }

    /**
     * The reply to a write; a success carries (extension) {@code index}, where the write is in the applied state
     * (for a retry: at or after it), which the client passes back as {@code min_index} on reads.
     */
    private static Envelope resultReply(String service, Result result, long index) {
        if (!result.isOk()) {
            return Replies.error(service, result.errorText());
        }
        Envelope success = Replies.success(service);
        Map<String, Object> data = new LinkedHashMap<>(success.data());
        data.put("index", index);
        if (Services.POST.equals(service) && !result.replayed()) {
            data.put("id", index + "-0"); // the post id (SocialRules.postId), for reply_to
        }
        return new Envelope(service, data);
    }

    private static Handled read(Envelope reply) {
        return new Handled(reply);
    }

    private static Envelope history(String service, HistoryResult result) {
        return switch (result) {
            case HistoryResult.Page page -> Replies.history(service, page.messages(), page.nextSeq(), page.more());
            case HistoryResult.Rejected rejected -> Replies.error(service, rejected.errorText());
        };
    }

    private static Handled notHere(Request request) {
        return read(Replies.error(
                request.service(),
                "service '" + request.service() + "' is answered by the reference, not by a chat server"));
    }

    /** Extension: the request's {@code client_id} and {@code request_id}, echoed so clients match replies. */
    private static Map<String, Object> echoed(Envelope request) {
        Map<String, Object> echo = new LinkedHashMap<>();
        if (request.data().get("client_id") instanceof String clientId) {
            echo.put("client_id", clientId);
        }
        if (request.data().get("request_id") instanceof Long requestId) {
            echo.put("request_id", requestId);
        }
        return echo;
    }

    /** Adds the echoed ids, stamps the reply (time, Lamport send tick), logs it (not a refusal) and encodes it. */
    private Handled reply(Handled handled, Map<String, Object> echo, String peer) {
        Envelope reply = handled.reply();
        if (Replies.ERRO.equals(reply.data().get("status"))) {
            metrics.error(reply.service());
            LOG.debug("erro to {}: {}", peer, reply.data().get("description"));
        }
        if (!echo.isEmpty()) {
            Map<String, Object> data = new LinkedHashMap<>(reply.data());
            data.putAll(echo);
            reply = new Envelope(reply.service(), data);
        }
        double now = clock.nowSeconds();
        Envelope stamped = reply.stamped(now, clock.tickForSend());
        if (!RateLimiter.isRefusal(stamped)) { // refusals are summarised: RateLimiter#dueSummaries
            log.sent(stamped.service(), peer, (Long) stamped.data().get("clock"), now, stamped.data());
        }
        return new Handled(stamped);
    }
}
