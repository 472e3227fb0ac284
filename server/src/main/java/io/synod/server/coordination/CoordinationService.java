package io.synod.server.coordination;

import io.synod.clock.BerkeleyMessage;
import io.synod.clock.BerkeleyMessage.ClockReply;
import io.synod.clock.BerkeleyMessage.ClockRequest;
import io.synod.clock.BerkeleyMessage.TimeReply;
import io.synod.clock.BerkeleyMessage.TimeRequest;
import io.synod.clock.BerkeleyReady;
import io.synod.clock.BerkeleyRoundReport;
import io.synod.clock.BerkeleySync;
import io.synod.clock.BullyElection;
import io.synod.clock.ClockCorrection;
import io.synod.clock.CoordinatorChange;
import io.synod.clock.ElectionMessage;
import io.synod.clock.ElectionMessage.CoordinatorAnnouncement;
import io.synod.clock.ElectionMessage.CoordinatorHeartbeat;
import io.synod.clock.ElectionMessage.ElectionOk;
import io.synod.clock.ElectionMessage.ElectionRequest;
import io.synod.clock.ElectionReady;
import io.synod.clock.Outbound;
import io.synod.messaging.IdleWake;
import io.synod.messaging.InteractionLog;
import io.synod.messaging.ProcessClock;
import io.synod.messaging.ZmqMessages;
import io.synod.messaging.peer.CoordinationCodec;
import io.synod.messaging.peer.CoordinationCodec.Decoded;
import io.synod.messaging.peer.CoordinationCodec.PeerMember;
import io.synod.messaging.peer.PeerInbound;
import io.synod.messaging.peer.PeerLinks;
import io.synod.protocol.Envelope;
import io.synod.protocol.ProtocolException;
import io.synod.protocol.Request;
import io.synod.protocol.RequestMeta;
import io.synod.protocol.Services;
import io.synod.server.coordination.CoordinationStatus.RoundSummary;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * The coordination service of one server (see the package documentation): the bully election and
 * clock synchronisation over peer links, on its own thread.
 *
 * <p>Thread: one thread ({@code coordination-<name>}) owns every socket and both cores. Each loop
 * turn it waits for peer messages (up to {@link #TICKS_PER_IDLE_WAKE} 10 ms ticks), steps the cores with what
 * arrived, talks to the reference, ticks the cores, sends its membership view every second, and after every
 * step and tick drains the cores' {@code ready()}: sends their messages over the peer links,
 * publishes announcements on topic {@code servers} (and sends them to every peer; a coordinator
 * publishes its announcement again when a new subscription to {@code servers} arrives), passes
 * coordinator changes to the clock core and logs everything notable (elections, announcements,
 * coordinator changes, Berkeley rounds, clock corrections, membership changes).
 *
 * <p>Reference traffic on its own REQ: {@code rank} until the rank is known, then every {@code
 * referenceListIntervalMillis} a {@code heartbeat} (with the advertised peer address, so the
 * reference lists this server while its coordination is alive) followed by a {@code list}. Before
 * its rank is known (from {@code rank}, or a peer's membership list while the reference is away),
 * the service only learns membership; the election starts once the rank arrives.
 *
 * <p>Thread-safety: the accessors ({@link #status()}, {@link #coordinator()}, ...) and {@link
 * #noteMessageExchanged()} are safe from any thread; they read a volatile snapshot or the
 * thread-safe software clock.
 *
 * <p>Call order: {@link #start}, then {@link #close} once (idempotent).
 */
public final class CoordinationService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CoordinationService.class);
    /** Most exchanged chat messages reported to the clock core per loop turn (it only counts them). */
    static final int NOTED_MESSAGES_PER_TURN_MAX = 1_000;
    /** Remembered requests awaiting an answer on their connection; cleared beyond this (foreign REQs). */
    static final int PENDING_REQUESTS_MAX = 1_024;
    /** Subscription messages read from the XPUB per loop turn. */
    static final int SUBSCRIPTIONS_PER_TURN_MAX = 64;
    /**
     * Without input, the loop sleeps this many ticks and then runs them together (bounded by {@link
     * CoordinationConfig#ticksPerWakeupMax()}): the cores' timers are 10 ticks and more, so they fire up to
     * 4 ticks late when nothing else happens.
     */
    static final int TICKS_PER_IDLE_WAKE = 5;

    private final CoordinationConfig config;
    private final ProcessClock clock;
    private final InteractionLog log;
    private final ZContext context;
    private final PeerLinks links;
    private final ZMQ.Socket publisher;
    private final ReferenceLink reference;
    private final MembershipView membership;
    private final AtomicLong messagesExchanged = new AtomicLong();
    /** Peer messages whose handling threw: each was dropped, logged and counted, and the loop went on. */
    private final AtomicLong peerMessagesFailed = new AtomicLong();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean running = true;
    private volatile CoordinationStatus status = CoordinationStatus.initial();
    private Thread thread;

    // Owned by the coordination thread.
    private BullyElection election;
    private BerkeleySync sync;
    private long selfRank;
    private SortedMap<String, PeerMember> appliedMembers = new TreeMap<>();
    private final Map<String, PeerInbound> pendingRequestsBySource = new HashMap<>();
    private final Map<String, Long> lastClockRequestIdByPeer = new HashMap<>();
    private Optional<RoundSummary> lastRound = Optional.empty();
    private BullyElection.Role loggedRole;
    private long loggedElectionsStarted;
    private long nextReferenceNanos;
    private boolean listNext;
    private long coresStartDeadlineNanos;
    private long nextMembersNanos;

    private CoordinationService(CoordinationConfig config, ProcessClock clock, InteractionLog log, ZContext context) {
        this.config = config;
        this.clock = clock;
        this.log = log;
        this.context = context;
        this.links = new PeerLinks(
                context,
                config.peerLinks(),
                config.selfName(),
                config.advertisedEndpoint(),
                clock,
                log,
                config.limits());
        // An XPUB, not a PUB: it also receives the subscriptions the proxy forwards, so a coordinator
        // can publish its announcement again when someone (or the proxy, on connecting) subscribes
        // to 'servers' (the ZeroMQ guide's last value cache). A PUB would drop an announcement made
        // before the proxy's subscriptions reached it.
        this.publisher = context.createSocket(SocketType.XPUB);
        publisher.setLinger(0);
        publisher.connect(config.proxyEndpoint());
        this.reference = new ReferenceLink(
                context,
                config.referenceEndpoint(),
                config.referenceTimeoutMillis(),
                clock,
                log,
                config.limits(),
                java.util.Set.of(Services.RANK));
        this.membership =
                new MembershipView(config.selfName(), config.referenceFreshMillis(), config.gossipMemberAgeMaxMillis());
    }

    /**
     * Binds the peer ROUTER, connects the XPUB and the reference REQ, and starts the thread.
     *
     * @param config the configuration
     * @param clock the process clock (its software clock is corrected here)
     * @param log the process's interaction log
     * @return the running service
     * @throws org.zeromq.ZMQException if the advertised endpoint cannot be bound
     */
    public static CoordinationService start(CoordinationConfig config, ProcessClock clock, InteractionLog log) {
        ZContext context = new ZContext();
        CoordinationService service;
        try {
            service = new CoordinationService(config, clock, log, context);
        } catch (RuntimeException e) {
            context.close();
            throw e;
        }
        service.thread = new Thread(service::run, "coordination-" + config.selfName());
        service.thread.start();
        return service;
    }

    // ------------------------------------------------------------------ thread-safe accessors

    /** @return the endpoint peers must connect to (the bound one, with the actual port) */
    public String advertisedEndpoint() {
        return links.boundEndpoint();
    }

    /** @return the latest snapshot */
    public CoordinationStatus status() {
        return status;
    }

    /** @return the coordinator's name; empty while unknown */
    public Optional<String> coordinator() {
        return status.coordinator();
    }

    /** @return the bully role, or {@code UNRANKED} before the rank is known */
    public String role() {
        return status.electionRole();
    }

    /** @return the correction applied to this process's clock so far */
    public long clockOffsetMillis() {
        return clock.offsetMillis();
    }

    /** @return the correction still being slewed in */
    public long pendingAdjustmentMillis() {
        return clock.pendingAdjustmentMillis();
    }

    /** @return the last Berkeley round known here */
    public Optional<RoundSummary> lastRound() {
        return status.lastRound();
    }

    /** @return every known server, this one included */
    public SortedMap<String, PeerMember> members() {
        return status.members();
    }

    /** Counts one chat message handled (the statement's "every 10 messages" rule); any thread. */
    public void noteMessageExchanged() {
        messagesExchanged.incrementAndGet();
    }

    /**
     * The fields this service contributes to {@code /status}: {@code coordinator},
     * {@code clock_offset_ms}, {@code clock} (now, skew, offset, pending, last round), {@code
     * members} and {@code election} (role, elections started, reference reachable, peer counters).
     */
    public Map<String, Object> statusFields() {
        CoordinationStatus s = status;
        Map<String, Object> clockJson = new LinkedHashMap<>();
        clockJson.put("now_ms", clock.nowMillis());
        clockJson.put("skew_ms", clock.skewMillis());
        clockJson.put("offset_ms", clock.offsetMillis());
        clockJson.put("pending_ms", clock.pendingAdjustmentMillis());
        clockJson.put("adjustments", clock.softwareClock().adjustmentCount());
        clockJson.put("last_round", s.lastRoundJson());
        Map<String, Object> electionJson = new LinkedHashMap<>();
        electionJson.put("role", s.electionRole());
        electionJson.put("rank", s.selfRank());
        electionJson.put("elections_started", s.electionsStarted());
        electionJson.put("reference_reachable", s.referenceReachable());
        electionJson.put("peer_links", s.peerLinks());
        electionJson.put("peer_messages_failed", peerMessagesFailed.get());
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("coordinator", s.coordinator().orElse(null));
        fields.put("clock_offset_ms", clock.offsetMillis());
        fields.put("clock", clockJson);
        fields.put("members", s.membersJson());
        fields.put("election", electionJson);
        return fields;
    }

    // ------------------------------------------------------------------ the loop

    private void run() {
        try {
            loop();
        } catch (RuntimeException e) {
            if (running) {
                LOG.error("{}: the coordination loop failed; elections and clock sync stop", config.selfName(), e);
                event("coordination-failed", Map.of("error", String.valueOf(e)));
            }
        } finally {
            links.close();
            publisher.close();
            reference.close();
            context.close();
            stopped.countDown();
        }
    }

    private void loop() {
        long tickNanos = TimeUnit.MILLISECONDS.toNanos(config.tickIntervalMillis());
        int idleWakeTicks = Math.min(TICKS_PER_IDLE_WAKE, config.ticksPerWakeupMax());
        long nextTickNanos = System.nanoTime() + tickNanos;
        nextReferenceNanos = System.nanoTime();
        nextMembersNanos = System.nanoTime();
        while (running) {
            // without input, wake every few ticks and run the ticks due since (a wake-up per 10 ms tick cost the
            // idle thread 2% of a core here, docs/performance.md)
            long waitMillis = IdleWake.waitMillis(nextTickNanos, tickNanos, idleWakeTicks, System.nanoTime());
            for (PeerInbound message : links.poll(waitMillis)) {
                onPeerMessageIsolated(message);
            }
            long now = System.nanoTime();
            serviceReference(now);
            applyMembership(now);
            noteMessages();
            for (int ticks = 0; now - nextTickNanos >= 0 && ticks < config.ticksPerWakeupMax(); ticks++) {
                tick();
                nextTickNanos += tickNanos;
            }
            if (now - nextTickNanos >= 0) {
                nextTickNanos = now + tickNanos; // stalled: skip the ticks we could not run in time
            }
            if (now - nextMembersNanos >= 0) {
                sendMembers();
                nextMembersNanos = now + TimeUnit.MILLISECONDS.toNanos(config.membersIntervalMillis());
            }
            onSubscriptions();
            publishStatus();
        }
    }

    /** A new subscription covering {@code servers}: the coordinator publishes its announcement again. */
    private void onSubscriptions() {
        boolean subscribed = false;
        for (int i = 0; i < SUBSCRIPTIONS_PER_TURN_MAX; i++) {
            byte[] frame = publisher.recv(ZMQ.DONTWAIT);
            if (frame == null) {
                break;
            }
            String topic = new String(frame, 1, Math.max(0, frame.length - 1), StandardCharsets.UTF_8);
            subscribed |= frame.length > 0 && frame[0] == 1 && Services.SERVERS_TOPIC.startsWith(topic);
        }
        if (subscribed && election != null && sync.isCoordinator()) {
            publishAnnouncement(config.selfName());
        }
    }

    private long underlying() {
        return clock.timeSource().underlyingMillis();
    }

    private static long monotonicMillis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    private void tick() {
        if (election == null) {
            return;
        }
        election.tick();
        sync.tick(underlying());
        drainReady();
    }

    private void noteMessages() {
        long count = Math.min(messagesExchanged.getAndSet(0), NOTED_MESSAGES_PER_TURN_MAX);
        if (sync == null) {
            return;
        }
        for (long i = 0; i < count; i++) {
            sync.noteMessageExchanged(underlying());
        }
        drainReady();
    }

    // ------------------------------------------------------------------ peer messages in

    /**
     * Anyone can connect to the peer endpoint (the course protocol authenticates nobody), so no one
     * message may stop elections and clock sync for the whole server: one whose handling throws is
     * dropped, logged and counted ({@code /status} {@code election.peer_messages_failed}).
     */
    private void onPeerMessageIsolated(PeerInbound message) {
        try {
            onPeerMessage(message);
        } catch (RuntimeException e) {
            peerMessagesFailed.incrementAndGet();
            LOG.warn(
                    "{}: a '{}' message from {} failed and was dropped",
                    config.selfName(),
                    message.envelope().service(),
                    message.source(),
                    e);
            event(
                    "peer-message-failed",
                    Map.of(
                            "peer", message.source(),
                            "service", message.envelope().service(),
                            "error", String.valueOf(e)));
        }
    }

    private void onPeerMessage(PeerInbound message) {
        Optional<Decoded> decoded;
        try {
            decoded = CoordinationCodec.decode(
                    message.envelope(), lastClockRequestIdByPeer.getOrDefault(message.source(), -1L), config.limits());
        } catch (ProtocolException e) {
            event(
                    "peer-message-invalid",
                    Map.of(
                            "peer",
                            message.source(),
                            "service",
                            message.envelope().service(),
                            "error",
                            String.valueOf(e.getMessage())));
            return;
        }
        if (decoded.isEmpty()) {
            return; // a service of another component (replication) or unknown
        }
        switch (decoded.get()) {
            case Decoded.Members members -> membership.gossip(members.members(), monotonicMillis(System.nanoTime()));
            case Decoded.Election e -> {
                if (election != null) {
                    onElectionMessage(message, e.message());
                }
            }
            case Decoded.Berkeley b -> {
                if (sync != null) {
                    rememberRequest(message, b.message() instanceof ClockRequest || b.message() instanceof TimeRequest);
                    sync.step(message.source(), b.message(), underlying());
                }
            }
        }
        drainReady();
    }

    private void onElectionMessage(PeerInbound message, ElectionMessage electionMessage) {
        switch (electionMessage) {
            case CoordinatorAnnouncement announcement -> election.step(announcement.coordinator(), announcement);
            case CoordinatorHeartbeat heartbeat -> {
                election.step(message.source(), heartbeat);
                noteRoundFromHeartbeat(message);
            }
            case ElectionRequest request -> {
                rememberRequest(message, true);
                election.step(message.source(), request);
            }
            case ElectionOk ok -> election.step(message.source(), ok);
        }
    }

    private void rememberRequest(PeerInbound message, boolean isRequest) {
        if (!isRequest || !message.arrivedOnAcceptedLink()) {
            return;
        }
        if (pendingRequestsBySource.size() >= PENDING_REQUESTS_MAX) {
            pendingRequestsBySource.clear();
        }
        pendingRequestsBySource.put(message.source(), message);
    }

    /** A follower learns the spread of its coordinator's last round from the heartbeat's extension fields. */
    private void noteRoundFromHeartbeat(PeerInbound message) {
        Map<String, Object> data = message.envelope().data();
        if (sync.isCoordinator() || !election.coordinator().equals(Optional.of(message.source()))) {
            return;
        }
        if (data.get("round") instanceof Long round
                && data.get("spread_ms") instanceof Long spread
                && (lastRound.isEmpty()
                        || lastRound.get().roundId() != round
                        || !lastRound.get().coordinator().equals(message.source()))) {
            lastRound = Optional.of(new RoundSummary(round, message.source(), spread, Map.of(), 0));
        }
    }

    // ------------------------------------------------------------------ the cores' output

    private void drainReady() {
        if (election == null) {
            return;
        }
        while (election.hasReady() || sync.hasReady()) {
            if (election.hasReady()) {
                handle(election.ready());
            }
            if (sync.hasReady()) {
                handle(sync.ready());
            }
        }
        logElectionProgress();
    }

    private void handle(ElectionReady ready) {
        for (Outbound<ElectionMessage> out : ready.messagesToSend()) {
            route(out.target(), encodeElection(out.message()), out.message() instanceof ElectionOk);
        }
        for (CoordinatorAnnouncement announcement : ready.announcementsToPublish()) {
            announce(announcement);
        }
        for (CoordinatorChange change : ready.coordinatorChanges()) {
            sync.coordinatorChanged(change.currentCoordinator());
            LOG.info(
                    "{}: coordinator {} -> {}",
                    config.selfName(),
                    change.previousCoordinator().orElse("none"),
                    change.currentCoordinator().orElse("none (electing)"));
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("previous", change.previousCoordinator().orElse(null));
            data.put("coordinator", change.currentCoordinator().orElse(null));
            event("coordinator-changed", data);
        }
    }

    private void handle(BerkeleyReady ready) {
        for (Outbound<BerkeleyMessage> out : ready.messagesToSend()) {
            if (out.message() instanceof ClockRequest request) {
                lastClockRequestIdByPeer.put(out.target(), request.requestId());
            }
            boolean isReply = out.message() instanceof ClockReply || out.message() instanceof TimeReply;
            route(out.target(), CoordinationCodec.encode(out.message()), isReply);
        }
        for (BerkeleyRoundReport report : ready.roundReports()) {
            lastRound = Optional.of(new RoundSummary(
                    report.roundId(),
                    report.coordinator(),
                    report.spreadMillis(),
                    report.offsetsMillis(),
                    report.averageOffsetMillis()));
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("round", report.roundId());
            data.put("offsets_ms", report.offsetsMillis());
            data.put("round_trips_ms", report.roundTripsMillis());
            data.put("excluded", List.copyOf(report.excludedFromAverage()));
            data.put("silent", List.copyOf(report.silentServers()));
            data.put("average_offset_ms", report.averageOffsetMillis());
            data.put("spread_ms", report.spreadMillis());
            event("clock-round", data);
        }
        for (ClockCorrection correction : ready.corrections()) {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("method", correction.method().name().toLowerCase(java.util.Locale.ROOT));
            data.put("source", correction.source());
            data.put("delta_ms", correction.deltaMillis());
            data.put("round_trip_ms", correction.roundTripMillis());
            data.put("offset_ms", clock.offsetMillis());
            data.put("pending_ms", clock.pendingAdjustmentMillis());
            event("clock-correction", data);
        }
    }

    private Envelope encodeElection(ElectionMessage message) {
        Envelope envelope = CoordinationCodec.encode(message, config.selfName());
        if (message instanceof CoordinatorHeartbeat
                && lastRound.isPresent()
                && lastRound.get().coordinator().equals(config.selfName())) {
            Map<String, Object> data = new LinkedHashMap<>(envelope.data());
            data.put("round", lastRound.get().roundId());
            data.put("spread_ms", lastRound.get().spreadMillis());
            return new Envelope(envelope.service(), data);
        }
        return envelope;
    }

    /** A reply goes back on the connection its request came from; anything else over our DEALER. */
    private void route(String target, Envelope envelope, boolean isReply) {
        PeerInbound request = isReply ? pendingRequestsBySource.remove(target) : null;
        if (request != null) {
            links.reply(request, envelope);
        } else {
            links.send(target, envelope);
        }
    }

    private void announce(CoordinatorAnnouncement announcement) {
        publishAnnouncement(announcement.coordinator());
        Envelope direct = CoordinationCodec.encode(announcement, config.selfName());
        for (String peer : links.peers().keySet()) {
            links.send(peer, direct);
        }
    }

    /** Publishes {@code {"service":"election","data":{"coordinator","timestamp","clock"}}} on topic servers. */
    private void publishAnnouncement(String coordinator) {
        long lamport = clock.tickForSend();
        double now = clock.nowSeconds();
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("coordinator", coordinator);
        data.put("timestamp", now);
        data.put("clock", lamport);
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("service", Services.ELECTION);
        payload.put("data", data);
        ZmqMessages.sendPublication(publisher, Services.SERVERS_TOPIC, payload);
        log.sent(Services.ELECTION, Services.SERVERS_TOPIC, lamport, now, data);
        LOG.info("{}: announced coordinator {} on topic servers", config.selfName(), coordinator);
    }

    private void logElectionProgress() {
        if (election.electionsStartedCount() > loggedElectionsStarted) {
            loggedElectionsStarted = election.electionsStartedCount();
            event("election-started", Map.of("elections_started", loggedElectionsStarted));
        }
        if (election.role() != loggedRole) {
            loggedRole = election.role();
            event("election-role", Map.of("role", loggedRole.name()));
        }
    }

    // ------------------------------------------------------------------ reference and membership

    private void serviceReference(long nowNanos) {
        Envelope reply = reference.poll(nowNanos);
        if (reply != null) {
            try {
                onReferenceReply(reply, nowNanos);
            } catch (RuntimeException e) { // a foreign or broken reference must not stop this loop either
                peerMessagesFailed.incrementAndGet();
                LOG.warn("{}: the reference's '{}' reply failed and was dropped", config.selfName(), reply.service(), e);
            }
        }
        if (!reference.isIdle() || nowNanos - nextReferenceNanos < 0) {
            return;
        }
        Envelope request;
        if (selfRank == 0) {
            request = new Request.Rank(RequestMeta.NONE, config.selfName(), links.boundEndpoint()).toEnvelope();
        } else if (listNext) {
            request = new Request.ListServers(RequestMeta.NONE).toEnvelope();
        } else {
            request = new Request.Heartbeat(RequestMeta.NONE, config.selfName(), links.boundEndpoint()).toEnvelope();
        }
        listNext = false;
        reference.send(request, nowNanos);
        nextReferenceNanos = nowNanos + TimeUnit.MILLISECONDS.toNanos(config.referenceListIntervalMillis());
    }

    private void onReferenceReply(Envelope reply, long nowNanos) {
        switch (reply.service()) {
            case Services.RANK, Services.HEARTBEAT -> {
                if (reply.data().get("rank") instanceof Long rank && rank > 0 && selfRank == 0) {
                    becomeRanked(rank, nowNanos);
                }
                listNext = true; // ask for the list at once
                nextReferenceNanos = nowNanos;
            }
            case Services.LIST -> {
                try {
                    membership.referenceList(
                            CoordinationCodec.decodeMembers(reply.data().get("list"), config.limits()),
                            monotonicMillis(nowNanos));
                } catch (ProtocolException e) {
                    LOG.warn("{}: the reference sent an invalid list: {}", config.selfName(), e.getMessage());
                }
            }
            default -> {
                // error replies carry nothing to keep
            }
        }
    }

    private void becomeRanked(long rank, long nowNanos) {
        selfRank = rank;
        membership.setSelf(rank, links.boundEndpoint());
        coresStartDeadlineNanos = nowNanos + TimeUnit.MILLISECONDS.toNanos(config.referenceTimeoutMillis());
        event("rank", Map.of("rank", rank));
    }

    /**
     * Starts the election once the rank is known and the membership too (a fresh {@code list}, or
     * after the reference timeout): electing alone first would announce a coordinator that the
     * others bully away a moment later.
     */
    private boolean maybeStartCores(long nowNanos) {
        if (election != null || selfRank == 0) {
            return false;
        }
        if (!membership.referenceFresh(monotonicMillis(nowNanos)) && nowNanos - coresStartDeadlineNanos < 0) {
            return false;
        }
        election = new BullyElection(config.election(), config.selfName(), Math.toIntExact(selfRank));
        sync = new BerkeleySync(config.berkeley(), config.selfName(), clock.softwareClock());
        appliedMembers = new TreeMap<>();
        applyMembership(nowNanos);
        election.start();
        drainReady();
        return true;
    }

    private void applyMembership(long nowNanos) {
        long nowMillis = monotonicMillis(nowNanos);
        if (selfRank == 0) {
            long learnt = membership.rankOf(config.selfName(), nowMillis);
            if (learnt > 0) {
                becomeRanked(learnt, nowNanos); // from a peer's list while the reference is away
            }
        }
        if (maybeStartCores(nowNanos)) {
            return; // it applied the membership
        }
        SortedMap<String, PeerMember> members = membership.members(nowMillis);
        if (members.equals(appliedMembers)) {
            return;
        }
        Map<String, String> addresses = new HashMap<>();
        Map<String, Integer> ranks = new HashMap<>();
        for (PeerMember member : members.values()) {
            addresses.put(member.name(), member.address());
            ranks.put(member.name(), Math.toIntExact(member.rank()));
        }
        links.setPeers(addresses);
        logMembershipChange(members, membership.referenceFresh(nowMillis));
        appliedMembers = members;
        if (election != null) {
            election.setMembers(ranks);
            sync.setServers(ranks.keySet());
            drainReady();
        }
    }

    private void logMembershipChange(SortedMap<String, PeerMember> members, boolean referenceFresh) {
        List<String> joined = new ArrayList<>();
        List<String> left = new ArrayList<>();
        members.forEach((name, member) -> {
            if (!member.equals(appliedMembers.get(name))) {
                joined.add(name);
            }
        });
        appliedMembers.keySet().forEach(name -> {
            if (!members.containsKey(name)) {
                left.add(name);
            }
        });
        List<Object> list = new ArrayList<>();
        members.values().forEach(m -> list.add(m.toMap()));
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("joined_or_changed", joined);
        data.put("left", left);
        data.put("members", list);
        data.put("source", referenceFresh ? "reference" : "reference+peers");
        event("membership", data);
    }

    private void sendMembers() {
        if (selfRank == 0 || appliedMembers.isEmpty()) {
            return;
        }
        Envelope envelope = CoordinationCodec.encodeMembers(List.copyOf(appliedMembers.values()));
        for (String peer : links.peers().keySet()) {
            links.send(peer, envelope);
        }
    }

    private void publishStatus() {
        status = new CoordinationStatus(
                selfRank,
                election == null ? Optional.empty() : election.coordinator(),
                election == null ? "UNRANKED" : election.role().name(),
                election == null ? 0 : election.electionsStartedCount(),
                appliedMembers,
                reference.isReachable(),
                lastRound,
                links.statsMap());
    }

    private void event(String kind, Map<String, Object> data) {
        log.event(kind, clock.lamport().current(), clock.nowSeconds(), data);
    }

    /** Stops the thread and closes its sockets; waits at most 5 s. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        running = false;
        try {
            if (!stopped.await(5, TimeUnit.SECONDS)) {
                LOG.warn("{}: the coordination thread did not stop within 5 s", config.selfName());
            }
            thread.join(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
