package io.synod.server;

import static io.synod.messaging.zmtp.ZmtpCodec.SocketType.DEALER;
import static io.synod.messaging.zmtp.ZmtpCodec.SocketType.PUB;

import io.synod.core.ChatStateMachine;
import io.synod.core.Result;
import io.synod.messaging.InteractionLog;
import io.synod.messaging.ProcessClock;
import io.synod.messaging.ZmqMessages;
import io.synod.messaging.ZmqOptions;
import io.synod.messaging.zmtp.ZmtpClient;
import io.synod.messaging.zmtp.ZmtpConnection;
import io.synod.protocol.Publication;
import io.synod.server.coordination.CoordinationConfig;
import io.synod.server.coordination.CoordinationService;
import io.synod.server.coordination.ReferenceClient;
import io.synod.server.replication.Completion;
import io.synod.server.replication.ReplicationConfig;
import io.synod.server.replication.ReplicationDriver;
import io.synod.store.RocksDbChatStore;
import io.synod.store.StoreException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One chat server process. Sockets:
 *
 * <ul>
 *   <li>a DEALER connected to each broker's backend ({@link ClusterLinks}): receives {@code [routing..., body]} (see
 *       {@link ZmqMessages#splitRouted}) and replies with the same routing frames, so many requests can be in flight
 *       (the ZeroMQ guide's asynchronous server); while it leads, it says so there ({@link LeaderAnnouncer});
 *   <li>a PUB connected to each proxy's XSUB: after a write is applied, its publications as
 *       {@code [topic, payload]} (after the turn's replies: see {@link #finishTurn});
 *   <li>both are {@link ZmtpClient}s: ZeroMQ's wire protocol spoken by the event loop itself on non-blocking
 *       sockets, in the same selector as the replication links, so a request or a publication wakes no other thread;
 *   <li>the replication endpoint of its {@link ReplicationDriver}: every server is a member of a Paxos group and
 *       orders every write through it, a single server too (a group of one: it decides alone, on the same path and
 *       with the same group commit);
 *   <li>REQ to the reference ({@link ReferenceClient}, a {@link ZmtpClient} too; {@link
 *       ReferenceSchedule}): {@code rank} at startup, then {@code heartbeat} and {@code list}; the server
 *       serves clients whether or not the reference answers. With coordination, the coordination service
 *       drives the same client instead, and {@code /status} shows what it learned;
 *   <li>with coordination ({@link CoordinationService}), its peer ROUTER, its DEALERs to the peers and its
 *       PUB to the proxy, on the same selector: the loop turns it after every turn's replies.
 * </ul>
 *
 * <p>Threads: one event-loop thread owns the sockets, the {@link ChatStateMachine}, the store and the
 * coordination (its cores and the software clock); the admin HTTP threads read the volatile {@link
 * ServerStatus}, the coordination's snapshot and thread-safe metrics and logs.
 * A store failure stops the loop (the state could not be persisted); {@link #awaitTermination}
 * then returns.
 *
 * <p>Call order: {@link #start}, then {@link #close} once from any thread (idempotent).
 */
public final class ChatServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChatServer.class);
    /** How often the rank and reference fields of {@code /status} are refreshed (coordination changes them too). */
    private static final long STATUS_INTERVAL_MILLIS = 50;

    /** Set once more before the loop starts, when the coordination's bound peer endpoint is known. */
    private ServerConfig config;

    private final InteractionLog log;
    private final ProcessClock clock;
    private final RocksDbChatStore store;
    private final ChatStateMachine machine;
    private final ServerMetrics metrics;
    private final ChatService service;
    private final long startedNanos = System.nanoTime();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicBoolean closed = new AtomicBoolean();
    /** The DEALERs to every broker's backend. */
    private ClusterLinks brokerLink;
    /** The PUBs to every proxy's XSUB. */
    private ClusterLinks proxyLink;

    private ReferenceSchedule reference;
    private AdminHttp admin;
    private CoordinationService coordination;
    private ReplicationDriver<Waiting> replication;
    private Thread loopThread;
    private volatile boolean running = true;
    private volatile ServerStatus status;
    private long repliesDropped;
    private long nextStatusNanos = System.nanoTime();
    /** This turn's replies, sent once the turn's applied writes are synced. */
    private final List<Outgoing> outbox = new ArrayList<>();
    /** The publications of the writes applied this turn, sent after the turn's replies. */
    private final List<Publication> turnPublications = new ArrayList<>();

    /** Rate-limit refusals held back before they are sent ({@link RefusalHold}: slows a flood at its source). */
    private final RefusalHold<Outgoing> refusals = new RefusalHold<>();

    /** A reply of this turn and where it goes. */
    private record Outgoing(ZmqMessages.Routed routed, ChatService.Handled handled) {}

    /**
     * Messages ZeroMQ may queue towards the broker (replies) and the proxy (publications), as the broker's and
     * the proxy's own sockets do. At ZeroMQ's default of 1,000 a PUB drops silently: a turn applying a burst of
     * writes (64 clients with 16 requests in flight each) lost publications that the leader then noted as
     * published, and subscribers saw gaps (PublicationBurstTest).
     */
    static final int LINK_QUEUE_MESSAGES_MAX = 100_000;
    /**
     * The broker and proxy links: ZeroMQ's reconnection interval (100 ms), the heartbeats of {@link ZmqOptions},
     * {@link #LINK_QUEUE_MESSAGES_MAX} messages or 256 MiB queued, and 4,096 received requests waiting for the loop
     * before the broker link is no longer read. A request of up to 256 MiB and 100,000 frames is read whole, so
     * that the service refuses it with a clear error (its own limits are far lower); only a larger one (the
     * broker forwards anything) closes the link, which reconnects.
     */
    private static final ZmtpClient.Config LINKS = new ZmtpClient.Config(
            100,
            ZmqOptions.HEARTBEAT_INTERVAL_MILLIS,
            ZmqOptions.HEARTBEAT_TIMEOUT_MILLIS,
            4_096,
            new ZmtpConnection.Limits(256 << 20, 100_000, 256L << 20, LINK_QUEUE_MESSAGES_MAX, 256L << 20, 256 << 10));
    /** What waits for replication, back in its {@link Completion}: a write's answer, or a read behind its barrier. */
    private sealed interface Waiting permits WaitingWrite, WaitingRead {}

    private record WaitingWrite(ZmqMessages.Routed routed, ChatService.Deferred deferred) implements Waiting {}

    private record WaitingRead(ZmqMessages.Routed routed, ChatService.DeferredRead read) implements Waiting {}

    /** Reads waiting for their {@code min_index}, or (a search) for this server's search index. */
    private final ParkedReads parkedReads;

    private ChatServer(ServerConfig config, InteractionLog log, ProcessClock clock, RocksDbChatStore store) {
        this.config = config;
        this.log = log;
        this.clock = clock;
        this.store = store;
        this.machine = new ChatStateMachine(store, config.chat());
        this.metrics = new ServerMetrics(config.name());
        this.service = new ChatService(
                        machine, clock, log, metrics, config.limits(), config.name(), config.rateLimits())
                .secure(config);
        service.search().mode(config.searchIndex()); // kept from follow on: at start-up, or once searched
        this.parkedReads = new ParkedReads(machine, service);
    }

    /**
     * Starts a server alone: a Paxos group of one ({@link ReplicationConfig#alone}) on any free loopback port.
     *
     * @throws StoreException if the data directory cannot be opened (e.g. used by another server)
     * @throws RuntimeException if the admin port cannot be bound; everything opened is closed again
     */
    public static ChatServer start(ServerConfig config) {
        return start(config, null);
    }

    /**
     * As {@link #start(ServerConfig)}, plus the coordination service (bully election, clock
     * synchronisation, peer links) when {@code coordinationConfig} is not null. It binds the peer
     * endpoint first; the address sent to the reference is the one actually bound.
     */
    public static ChatServer start(ServerConfig config, CoordinationConfig coordinationConfig) {
        return start(
                config, coordinationConfig, ReplicationConfig.alone(config.name(), ReplicationConfig.ALONE_ENDPOINT));
    }

    /**
     * Opens the store, connects the sockets, asks the reference for a rank (bounded), starts the admin endpoint and
     * the event loop. The {@link ReplicationDriver} of {@code replicationConfig} (Paxos log in column family {@code
     * paxos} of {@code <data-dir>/state}, its own peer links) is opened here and handed to the event loop, its only
     * user from then on; writes are proposed and answered once applied. A data directory of a single server of an
     * older Synod (a chat state and no Paxos log) is upgraded first ({@link StandaloneUpgrade}).
     */
    public static ChatServer start(
            ServerConfig config, CoordinationConfig coordinationConfig, ReplicationConfig replicationConfig) {
        java.util.Objects.requireNonNull(replicationConfig, "replicationConfig");
        InteractionLog log = InteractionLog.open(config.logFile(), config.name());
        RocksDbChatStore store;
        try {
            store = RocksDbChatStore.open(config.dataDirectory().resolve("state"));
        } catch (RuntimeException e) {
            log.close();
            throw e;
        }
        ProcessClock clock = new ProcessClock(config.clockSkewMillis());
        ChatServer server = new ChatServer(config, log, clock, store);
        try {
            if (java.nio.file.Files.exists(config.dataDirectory().resolve("paxos"))) {
                throw new StoreException(
                        "the data directory " + config.dataDirectory()
                                + " holds a Paxos log in the layout of an older Synod (a separate 'paxos' database);"
                                + " this version keeps it inside 'state'. Start this server on a new data directory"
                                + " (a member of a group catches up from the others) or remove that one.",
                        null);
            }
            StandaloneUpgrade.apply(store, server.machine.appliedIndex(), replicationConfig);
            server.replication = server.service
                    .search()
                    .follow(ReplicationDriver.open(
                            replicationConfig,
                            store,
                            io.synod.store.Checkpoints.open(
                                    config.dataDirectory().resolve("snapshots"), store),
                            server.machine,
                            clock,
                            log,
                            server.turnPublications::addAll)); // sent by finishTurn, after the turn's replies
            if (config.serverKeys() != null) {
                server.replication.secure(config.serverKeys());
            }
            server.connect(coordinationConfig);
            server.admin = AdminHttp.start(config, server::statusJson, server.metrics, server.replication, log);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        server.loopThread = new Thread(server::loop, "server-" + config.name() + "-loop");
        server.loopThread.start();
        return server;
    }

    /** Opens the links on the replication's selector and asks for the rank; with coordination, opens it first. */
    private void connect(CoordinationConfig coordinationConfig) {
        long now = System.nanoTime();
        brokerLink = ClusterLinks.open(DEALER, config.brokerEndpoints(), replication.selector(), LINKS, now);
        proxyLink = ClusterLinks.open(PUB, config.proxyEndpoints(), replication.selector(), LINKS, now);
        brokerLink.links().forEach(link -> link.secure(config.linkSecurity()));
        proxyLink.links().forEach(link -> link.secure(config.linkSecurity()));
        brokerLink.links().forEach(replication::watch);
        proxyLink.links().forEach(replication::watch);
        reference = new ReferenceSchedule(config, replication.selector(), clock, log, metrics);
        replication.watch(reference.client());
        if (coordinationConfig != null) {
            coordination = CoordinationService.open(
                    coordinationConfig, clock, log, replication.selector(), reference.client());
            if (config.serverKeys() != null) {
                coordination.secure(config.serverKeys());
            }
            coordination.watched().forEach(replication::watch);
            config = config.withAdvertisedAddress(coordination.advertisedEndpoint());
        }
        reference.askRankAtStartup(config);
        if (coordination != null) {
            coordination.rankedAtStartup(reference.rank());
        }
        log.event(
                "started",
                clock.lamport().current(),
                clock.nowSeconds(),
                Map.of("rank", reference.rank(), "applied_index", machine.appliedIndex()));
        publishStatus();
    }

    public String name() {
        return config.name();
    }

    /** The admin HTTP port actually bound. */
    public int adminPort() {
        return admin.port();
    }

    /** The rank the reference gave, 0 while unknown. */
    public long rank() {
        ServerStatus s = status;
        return s == null ? 0 : s.rank();
    }

    public ProcessClock clock() {
        return clock;
    }

    /** The interaction log (tests and tools read its recent lines). */
    InteractionLog interactionLog() {
        return log;
    }

    public boolean isRunning() {
        return stopped.getCount() > 0;
    }

    /** Blocks until the event loop has stopped (after {@link #close} or a fatal store error). */
    public void awaitTermination() throws InterruptedException {
        stopped.await();
    }

    // ------------------------------------------------------------------ event loop

    /**
     * One turn: wait for input (the broker link and the replication links), take the waiting requests, let
     * replication do its work (one synced write of the turn's votes: group commit), then send the turn's replies and
     * publications.
     */
    private void loop() {
        try {
            while (running) {
                long nowNanos = System.nanoTime();
                brokerLink.tick(nowNanos);
                proxyLink.tick(nowNanos);
                long untilLinks = Math.min(brokerLink.nanosUntilTick(nowNanos), proxyLink.nanosUntilTick(nowNanos));
                // 0 only when a reference request can be sent now (a due one waiting for an answer waits for it);
                // with coordination, its ticks (every few without input: IdleWake), its links and the reference
                long wait = Math.min(
                        Math.min(
                                config.pollIntervalMillis(),
                                Math.max(
                                        1,
                                        TimeUnit.NANOSECONDS.toMillis(
                                                Math.min(untilLinks, refusals.nanosUntilDue(nowNanos))))),
                        coordination != null ? coordination.waitMillis(nowNanos) : reference.waitMillis(nowNanos));
                replication.awaitInput(wait);
                serveWaitingRequests();
                finishTurn(replication.flush(this::answerBeforeSync)); // synced inside
                brokerLink.announceLeader(replication.leadingBallot(), nowNanos); // brokers of ours send it requests
                brokerLink.flush();
                proxyLink.flush();
                if (coordination != null) {
                    coordination.turn(System.nanoTime()); // it drives the reference client too
                } else if (reference.turn(System.nanoTime())) {
                    publishStatus();
                }
            }
        } catch (StoreException e) {
            LOG.error("{}: the store failed; stopping (the state could not be persisted)", config.name(), e);
        } catch (RuntimeException e) {
            if (running) {
                LOG.error("{}: the event loop failed; stopping", config.name(), e);
            }
        } finally {
            reference.close();
            if (coordination != null) {
                coordination.close(); // its owner, the loop, stops
            }
            proxyLink.flush(); // the last publications, as far as the socket takes them now
            closeLinks();
            stopped.countDown();
        }
    }

    private void closeLinks() {
        if (brokerLink != null) {
            brokerLink.close();
        }
        if (proxyLink != null) {
            proxyLink.close();
        }
    }

    /** Handles the requests waiting on the broker link (at most {@code requestsPerWakeupMax}); replies: the outbox. */
    private void serveWaitingRequests() {
        for (int i = 0; i < config.requestsPerWakeupMax(); i++) {
            List<byte[]> frames = brokerLink.receive();
            if (frames == null) {
                break;
            }
            ZmqMessages.Routed routed = ZmqMessages.splitRouted(frames);
            ChatService.Handled handled = handleIsolated(routed);
            if (coordination != null) {
                coordination.noteMessageExchanged();
            }
            if (handled.deferred() != null) {
                if (!replication.submit(handled.deferred().command(), new WaitingWrite(routed, handled.deferred()))) {
                    outbox.add(new Outgoing(
                            routed,
                            service.complete(
                                    handled.deferred(),
                                    Result.error("too many writes waiting for replication; retry later"),
                                    0)));
                }
                continue;
            }
            if (handled.deferredRead() != null) {
                waitForRead(routed, handled.deferredRead());
                continue;
            }
            Outgoing outgoing = new Outgoing(routed, handled);
            if (!RateLimiter.isRefusal(handled.reply()) || !refusals.hold(outgoing, System.nanoTime())) {
                outbox.add(outgoing);
            }
        }
    }

    /**
     * Handles one request so that nothing in it can stop the loop: the protocol layer answers bad input with
     * {@code erro}, and anything else thrown while handling one request (a bug it exposed) is logged, counted
     * ({@code synod_requests_failed_total}) and answered with {@code erro} too, while the loop goes on serving
     * everyone else. A store failure is not about one request: it still stops the server.
     */
    private ChatService.Handled handleIsolated(ZmqMessages.Routed routed) {
        if (routed.body().size() != 1) {
            return service.reject(
                    "a request is one MessagePack frame, got " + routed.body().size(), routed.peer());
        }
        try {
            return service.handle(routed.body().get(0), routed.peer());
        } catch (StoreException e) {
            throw e;
        } catch (RuntimeException e) {
            metrics.failed();
            LOG.error("{}: a request from {} failed; answered erro and serving on", config.name(), routed.peer(), e);
            return service.reject(
                    "the server could not handle this request (" + e.getClass().getSimpleName()
                            + "); it was not applied",
                    routed.peer());
        }
    }

    /** A read that cannot be answered from the state as it is: parked, or ordered behind a barrier. */
    private void waitForRead(ZmqMessages.Routed routed, ChatService.DeferredRead read) {
        if (read.linearizable()) {
            if (!replication.submitBarrier(new WaitingRead(routed, read))) {
                outbox.add(new Outgoing(routed, service.expireRead(read, 0)));
            }
        } else {
            parkedReads.park(routed, read, System.nanoTime(), (to, refused) -> outbox.add(new Outgoing(to, refused)));
        }
    }

    /**
     * Ends a turn: sends its replies (reads and refusals in arrival order; rate-limit refusals once their hold is
     * over: {@link RefusalHold}), then the answers to the writes it completed, then its publications. A turn that
     * syncs new votes also comes here before its fsync ({@link #answerBeforeSync}), with the writes that may be
     * answered then.
     */
    private void finishTurn(List<Completion<Waiting>> completions) {
        for (Outgoing outgoing : outbox) {
            sendReply(outgoing.routed(), outgoing.handled());
        }
        outbox.clear();
        refusals.releaseDue(System.nanoTime(), held -> sendReply(held.routed(), held.handled()));
        service.logRateLimitSummaries();
        for (Completion<Waiting> completion : completions) {
            switch (completion.waiting()) {
                case WaitingWrite write ->
                    sendReply(
                            write.routed(),
                            service.complete(write.deferred(), completion.result(), completion.index()));
                case WaitingRead read -> // answered now, or (a search) once its index is built
                    parkedReads.park(read.routed(), read.read(), System.nanoTime(), this::sendReply);
            }
        }
        parkedReads.answerDue(System.nanoTime(), this::sendReply);
        // Publications after the replies: both leave this turn, but on two cores the first message sent wins the
        // race of wake-ups that follows (I/O threads, broker or proxy, the client's threads). Sending the
        // publications first delayed every reply (one server, one client with a subscriber: p50 4.9 ms, and
        // 3.9-4.2 ms with this order); no request waits for a delivery.
        if (!turnPublications.isEmpty()) {
            publish(io.synod.server.replication.Deliveries.forMode(turnPublications, config.secure()));
            turnPublications.clear();
        }
        long now = System.nanoTime();
        // the driver's status carries the applied index and digest, and refreshes them itself
        if (now - nextStatusNanos >= 0) {
            nextStatusNanos = now + TimeUnit.MILLISECONDS.toNanos(STATUS_INTERVAL_MILLIS);
            publishStatus();
            service.search().dropIfIdle(now); // on demand: an index no search used for a while is dropped
        }
    }

    /**
     * Sends, in the middle of a turn and before its fsync, the answers and publications of the writes
     * that rest on none of the votes it syncs ({@link ReplicationDriver#flush(java.util.function.Consumer)}).
     */
    private void answerBeforeSync(List<Completion<Waiting>> completions) {
        finishTurn(completions);
        brokerLink.flush();
        proxyLink.flush();
    }

    private void sendReply(ZmqMessages.Routed routed, ChatService.Handled handled) {
        if (!brokerLink.send(routed.reply(handled.replyFrame()))) {
            repliesDropped++;
            LOG.warn(
                    "{}: reply to {} dropped: the broker link takes nothing now ({} so far); the client retries",
                    config.name(),
                    routed.peer(),
                    repliesDropped);
        }
    }

    private void publish(List<Publication> publications) {
        for (Publication p : publications) {
            Map<String, Object> payload = p.toPayload(); // built once for the wire and the log
            proxyLink.send(ZmqMessages.publicationFrames(p.topic(), payload));
            log.sent("publication", p.topic(), p.clock(), clock.nowSeconds(), payload);
        }
        metrics.published(publications.size());
    }

    /**
     * With coordination, the rank, the reachability and the list are what the coordination learnt with the
     * reference client it drives (the server asked only for the startup rank itself): one heartbeat stream per
     * server, not two.
     */
    private void publishStatus() {
        long currentRank = reference.rank();
        boolean reachable = reference.client().isReachable();
        List<Object> list = reference.list();
        if (coordination != null) {
            var c = coordination.status();
            currentRank = c.selfRank() > 0 ? c.selfRank() : reference.rank();
            reachable = c.referenceReachable();
            list = List.copyOf(c.membersJson());
        }
        status = new ServerStatus(currentRank, reachable, list);
    }

    // ------------------------------------------------------------------ admin

    /** The {@code /status} document; called from admin HTTP threads. */
    Map<String, Object> statusJson() {
        ServerStatus s = status;
        Map<String, Object> replicated = replication.statusFields(); // role, leader, ballot, indexes, members...
        Map<String, Object> self = new LinkedHashMap<>();
        self.put("name", config.name());
        self.put("rank", s.rank());
        self.put("address", config.advertisedAddress());
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("name", config.name());
        json.put("rank", s.rank());
        json.put("role", replicated.get("role")); // the first keys a reader looks for, first
        json.put("leader", replicated.get("leader"));
        json.put("coordinator", null);
        json.put("members", List.of(self));
        // the loop owns the clock: with coordination (which adjusts it), its snapshot of the last turn
        json.put("clock_offset_ms", coordination != null ? coordination.clockOffsetMillis() : clock.offsetMillis());
        json.put("clock_skew_ms", clock.skewMillis());
        json.put("lamport", clock.lamport().current());
        json.put("lamport_stamps_out_of_range", clock.lamport().stampsOutOfRange());
        json.put("uptime_ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos));
        json.put("reference_reachable", s.referenceReachable());
        json.put("reference_list", s.referenceList());
        json.put("rate_limits", service.rateLimitStatus()); // the limits, the requests they refused, their buckets
        if (coordination != null) {
            json.putAll(coordination.statusFields()); // coordinator, clock_offset_ms, clock, members, election
        }
        json.put("coordination_members", json.get("members"));
        json.putAll(replicated); // the Paxos members replace the coordination view under "members"
        return json;
    }

    /** Stops the loop, the links, the admin endpoint, the search index and the store; idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        running = false;
        try {
            if (loopThread != null && !stopped.await(5, TimeUnit.SECONDS)) {
                LOG.warn("{}: the event loop did not stop within 5 s", config.name());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (replication != null) { // null if start failed before it was opened
            replication.close(); // the loop, its owner, has stopped
        }
        if (loopThread == null) { // the loop, their owner, never ran
            if (reference != null) {
                reference.close();
            }
            if (coordination != null) {
                coordination.close();
            }
            closeLinks();
        }
        if (admin != null) {
            admin.close();
        }
        service.search().close();
        store.close();
        log.event("stopped", clock.lamport().current(), clock.nowSeconds(), Map.of());
        log.close();
    }
}
