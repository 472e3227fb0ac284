package io.synod.server.coordination;

import io.synod.messaging.IdleWake;
import io.synod.messaging.InteractionLog;
import io.synod.messaging.ProcessClock;
import io.synod.messaging.ZmqOptions;
import io.synod.messaging.peer.CoordinationCodec;
import io.synod.messaging.peer.CoordinationCodec.Decoded;
import io.synod.messaging.peer.CoordinationCodec.PeerMember;
import io.synod.messaging.peer.PeerInbound;
import io.synod.messaging.peer.PeerLinks;
import io.synod.messaging.zmtp.SelectorParty;
import io.synod.messaging.zmtp.ZmtpClient;
import io.synod.messaging.zmtp.ZmtpCodec;
import io.synod.messaging.zmtp.ZmtpConnection;
import io.synod.protocol.ProtocolException;
import io.synod.protocol.Services;
import io.synod.server.coordination.CoordinationStatus.RoundSummary;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordination of one server (see the package documentation): the bully election, the clock synchronisation
 * and the membership, run on the server's event loop. The loop calls {@link #turn} every turn (after its wait,
 * which {@link #waitMillis} bounds and which {@linkplain #watched watches} these links) and {@link
 * #noteMessageExchanged} for every chat message it handles.
 *
 * <p>A turn takes the peer messages in and steps the cores with them ({@link CoordinationCores}, which also
 * carries out their output), talks to the reference and applies membership changes ({@link MembershipTracker}),
 * runs the 10 ms ticks due since the last turn, sends the membership view every second, and publishes the
 * snapshot {@code /status} reads. Without input the loop need not wake for every tick: {@link #waitMillis} lets it
 * sleep {@link #TICKS_PER_IDLE_WAKE} ticks ({@link IdleWake}) and the turn then runs the ticks due together.
 *
 * <p>Sockets, all on the loop's selector: the peer links ({@link PeerLinks}: a ROUTER on the advertised endpoint
 * that any REQ or DEALER may reach, a DEALER per peer), a PUB connected to each proxy's XSUB for the statement's
 * {@code servers} announcements (every announcement goes to every proxy; each PUB hears its proxy's subscriptions, so
 * a coordinator publishes its announcement again when someone subscribes to {@code servers}: the ZeroMQ guide's last
 * value cache), and the server's one
 * {@link ReferenceClient}, which this service drives while it runs.
 *
 * <p>Thread-safety: owned by the event loop; only the accessors ({@link #status()}, {@link #coordinator()},
 * {@link #statusFields()}, ...) may be called from other threads: they read a volatile snapshot.
 *
 * <p>Call order: {@link #open}, then turns, then {@link #close} on the loop thread (or after it stopped).
 */
public final class CoordinationService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CoordinationService.class);
    /** Most exchanged chat messages reported to the clock core per turn (it only counts them). */
    static final int NOTED_MESSAGES_PER_TURN_MAX = 1_000;
    /**
     * Without input, the loop sleeps this many ticks and then runs them together (bounded by {@link
     * CoordinationConfig#ticksPerWakeupMax()}): the cores' timers are 10 ticks and more, so they fire up to 4 ticks
     * late when nothing else happens.
     */
    static final int TICKS_PER_IDLE_WAKE = 5;
    /** Messages queued towards each proxy: announcements only, a handful at a time. */
    private static final int PUBLISHER_QUEUE_MESSAGES_MAX = 1_000;

    private static final ZmtpClient.Config PUBLISHER = new ZmtpClient.Config(
            100,
            ZmqOptions.HEARTBEAT_INTERVAL_MILLIS,
            ZmqOptions.HEARTBEAT_TIMEOUT_MILLIS,
            PUBLISHER_QUEUE_MESSAGES_MAX,
            new ZmtpConnection.Limits(64 << 10, 4, 64 << 10, PUBLISHER_QUEUE_MESSAGES_MAX, 16L << 20, 64 << 10));

    /** What {@code /status} reads of the clock and the counters, published every turn by the loop. */
    private record Snapshot(
            CoordinationStatus status, long offsetMillis, long pendingMillis, long adjustments, long peerFailed) {}

    private final CoordinationConfig config;
    private final ProcessClock clock;
    private final InteractionLog log;
    private final PeerLinks links;
    /** One PUB per proxy, in the configuration's order. */
    private final List<ZmtpClient> publishers;

    private final ReferenceClient reference;
    private final MembershipTracker tracker;
    private final long tickNanos;
    private final int idleWakeTicks;
    private long nextTickNanos;
    private long nextMembersNanos;
    /** Before this, a turn without coordination input has nothing to do ({@link #turn} returns at once). */
    private long nextWorkNanos;

    private long messagesExchanged;
    private boolean serversSubscribed;
    /** Peer messages whose handling threw: each was dropped, logged and counted, and the loop went on. */
    private long peerMessagesFailed;

    private volatile Snapshot snapshot;

    /**
     * Secure mode: the announcements to the proxy and the peer links speak CURVE with the cluster's server key;
     * call right after {@link #open}, before the selector turns.
     */
    public void secure(io.synod.messaging.zmtp.CurveCrypto.KeyPair serverKeys) {
        publishers.forEach(p -> p.secure(io.synod.messaging.zmtp.ZmtpSecurity.serverLink(serverKeys)));
        links.secure(serverKeys);
    }

    private CoordinationService(
            CoordinationConfig config,
            ProcessClock clock,
            InteractionLog log,
            Selector selector,
            ReferenceClient reference,
            long nowNanos) {
        this.config = config;
        this.clock = clock;
        this.log = log;
        this.reference = reference;
        this.links = new PeerLinks(
                selector,
                config.peerLinks(),
                config.selfName(),
                config.advertisedEndpoint(),
                clock,
                log,
                config.limits());
        this.publishers = openPublishers(config.proxyEndpoints(), selector, nowNanos);
        byte[] servers = Services.SERVERS_TOPIC.getBytes(StandardCharsets.UTF_8);
        publishers.forEach(p -> p.onSubscribe(topic -> serversSubscribed |= startsWith(servers, topic)));
        this.tracker = new MembershipTracker(
                config,
                clock,
                log,
                links,
                reference,
                rank -> new CoordinationCores(config, clock, log, links, publishers, rank),
                nowNanos);
        this.tickNanos = TimeUnit.MILLISECONDS.toNanos(config.tickIntervalMillis());
        this.idleWakeTicks = Math.min(TICKS_PER_IDLE_WAKE, config.ticksPerWakeupMax());
        this.nextTickNanos = nowNanos + tickNanos;
        this.nextMembersNanos = nowNanos;
        publishStatus();
    }

    /**
     * Binds the peer ROUTER and connects the PUB, on the loop's selector.
     *
     * @param reference the server's reference client (its keys on the same selector), driven by this service
     * @throws java.io.UncheckedIOException if the advertised endpoint cannot be bound
     */
    public static CoordinationService open(
            CoordinationConfig config,
            ProcessClock clock,
            InteractionLog log,
            Selector selector,
            ReferenceClient reference) {
        return new CoordinationService(config, clock, log, selector, reference, System.nanoTime());
    }

    /** The rank the server got at startup (its blocking {@code rank}), if any: the service then need not ask. */
    public void rankedAtStartup(long rank) {
        tracker.startupRank(rank, System.nanoTime());
        publishStatus();
    }

    /** @return whether {@code topic} (a subscription) covers {@code servers}: it is a prefix of it */
    private static boolean startsWith(byte[] servers, byte[] topic) {
        return topic.length <= servers.length
                && java.util.Arrays.equals(servers, 0, topic.length, topic, 0, topic.length);
    }

    /** @return what the loop's wait should watch: input there ends the wait */
    public List<SelectorParty> watched() {
        return List.of(links);
    }

    /** @return the endpoint peers must connect to (the bound one, with the actual port) */
    public String advertisedEndpoint() {
        return links.boundEndpoint();
    }

    // ------------------------------------------------------------------ the loop's calls

    /**
     * How long the loop may wait for input before the next turn has coordination work: the ticks (every {@link
     * #TICKS_PER_IDLE_WAKE} without input), the reference's next request or deadline, the links' reconnections and
     * PINGs.
     */
    public long waitMillis(long nowNanos) {
        long wait = IdleWake.waitMillis(nextTickNanos, tickNanos, idleWakeTicks, nowNanos);
        long links = Math.min(
                Math.min(this.links.nanosUntilTick(nowNanos), publishersNanosUntilTick(nowNanos)),
                tracker.nanosUntilReferenceDue(nowNanos));
        if (links != Long.MAX_VALUE) {
            wait = Math.min(wait, Math.max(1, TimeUnit.NANOSECONDS.toMillis(links)));
        }
        return wait;
    }

    /** The PUBs connect and reconnect by themselves; one that cannot be made closes those made before it. */
    private static List<ZmtpClient> openPublishers(List<String> endpoints, Selector selector, long nowNanos) {
        List<ZmtpClient> opened = new java.util.ArrayList<>(endpoints.size());
        try {
            for (String endpoint : endpoints) {
                opened.add(new ZmtpClient(ZmtpCodec.SocketType.PUB, endpoint, selector, PUBLISHER, nowNanos));
            }
        } catch (RuntimeException e) {
            opened.forEach(ZmtpClient::close);
            throw e;
        }
        return List.copyOf(opened);
    }

    private long publishersNanosUntilTick(long nowNanos) {
        long soonest = Long.MAX_VALUE;
        for (ZmtpClient p : publishers) {
            soonest = Math.min(soonest, p.nanosUntilTick(nowNanos));
        }
        return soonest;
    }

    /** Counts one chat message handled (the statement's "every 10 messages" rule); the loop's thread. */
    public void noteMessageExchanged() {
        messagesExchanged++;
    }

    /**
     * One turn of coordination work (see the class documentation). The server's loop turns once per request
     * batch under load; a turn without coordination input before the next tick or link deadline returns at once,
     * so the chat path pays for coordination at most once per tick.
     */
    public void turn(long nowNanos) {
        if (nowNanos - nextWorkNanos < 0 && !serversSubscribed && !links.hasReceived() && !reference.hasReceived()) {
            return;
        }
        links.tick(nowNanos);
        publishers.forEach(p -> p.tick(nowNanos));
        for (PeerInbound message : links.receive()) {
            onPeerMessageIsolated(message, nowNanos);
        }
        try {
            tracker.serviceReference(nowNanos);
        } catch (RuntimeException e) { // a foreign or broken reference must not stop this loop either
            peerMessagesFailed++;
            LOG.warn("{}: the reference's reply failed and was dropped", config.selfName(), e);
        }
        tracker.applyMembership(nowNanos);
        CoordinationCores cores = tracker.cores();
        long noted = Math.min(messagesExchanged, NOTED_MESSAGES_PER_TURN_MAX);
        messagesExchanged = 0;
        if (cores != null && noted > 0) {
            cores.noteMessagesExchanged(noted);
        }
        for (int ticks = 0; nowNanos - nextTickNanos >= 0 && ticks < config.ticksPerWakeupMax(); ticks++) {
            if (cores != null) {
                cores.tick();
            }
            nextTickNanos += tickNanos;
        }
        if (nowNanos - nextTickNanos >= 0) {
            nextTickNanos = nowNanos + tickNanos; // stalled: skip the ticks we could not run in time
        }
        if (nowNanos - nextMembersNanos >= 0) {
            tracker.sendMembers();
            nextMembersNanos = nowNanos + TimeUnit.MILLISECONDS.toNanos(config.membersIntervalMillis());
        }
        if (serversSubscribed) {
            serversSubscribed = false;
            if (cores != null) {
                cores.onServersSubscribed();
            }
        }
        publishers.forEach(ZmtpClient::flush);
        publishStatus();
        long untilLinks = Math.min(
                Math.min(links.nanosUntilTick(nowNanos), publishersNanosUntilTick(nowNanos)),
                tracker.nanosUntilReferenceDue(nowNanos));
        nextWorkNanos = nowNanos + Math.min(Math.max(0, nextTickNanos - nowNanos), untilLinks);
    }

    /**
     * Anyone can connect to the peer endpoint (the course protocol authenticates nobody), so no one message may
     * stop elections and clock sync for the whole server: one whose handling throws is dropped, logged and counted
     * ({@code /status} {@code election.peer_messages_failed}).
     */
    private void onPeerMessageIsolated(PeerInbound message, long nowNanos) {
        try {
            onPeerMessage(message, nowNanos);
        } catch (RuntimeException e) {
            peerMessagesFailed++;
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

    private void onPeerMessage(PeerInbound message, long nowNanos) {
        CoordinationCores cores = tracker.cores();
        Optional<Decoded> decoded;
        try {
            decoded = CoordinationCodec.decode(
                    message.envelope(),
                    cores == null ? -1L : cores.lastClockRequestId(message.source()),
                    config.limits());
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
            case Decoded.Members members -> tracker.gossip(members.members(), nowNanos);
            case Decoded.Election e -> {
                if (cores != null) {
                    cores.onElectionMessage(message, e.message());
                }
            }
            case Decoded.Berkeley b -> {
                if (cores != null) {
                    cores.onBerkeleyMessage(message, b.message());
                }
            }
        }
    }

    private void publishStatus() {
        CoordinationCores cores = tracker.cores();
        CoordinationStatus status = new CoordinationStatus(
                tracker.selfRank(),
                cores == null ? Optional.empty() : cores.election().coordinator(),
                cores == null ? "UNRANKED" : cores.election().role().name(),
                cores == null ? 0 : cores.election().electionsStartedCount(),
                tracker.appliedMembers(),
                reference.isReachable(),
                cores == null ? Optional.empty() : cores.lastRound(),
                links.statsMap());
        snapshot = new Snapshot(
                status,
                clock.offsetMillis(),
                clock.pendingAdjustmentMillis(),
                clock.softwareClock().adjustmentCount(),
                peerMessagesFailed);
    }

    private void event(String kind, Map<String, Object> data) {
        log.event(kind, clock.lamport().current(), clock.nowSeconds(), data);
    }

    // ------------------------------------------------------------------ any thread

    /** @return the latest snapshot */
    public CoordinationStatus status() {
        return snapshot.status();
    }

    /** @return the coordinator's name; empty while unknown */
    public Optional<String> coordinator() {
        return status().coordinator();
    }

    /** @return the bully role, or {@code UNRANKED} before the rank is known */
    public String role() {
        return status().electionRole();
    }

    /** @return the correction applied to this process's clock so far, as of the last turn */
    public long clockOffsetMillis() {
        return snapshot.offsetMillis();
    }

    /** @return the correction still being slewed in, as of the last turn */
    public long pendingAdjustmentMillis() {
        return snapshot.pendingMillis();
    }

    /** @return the last Berkeley round known here */
    public Optional<RoundSummary> lastRound() {
        return status().lastRound();
    }

    /** @return every known server, this one included */
    public SortedMap<String, PeerMember> members() {
        return status().members();
    }

    /**
     * The fields this service contributes to {@code /status}: {@code coordinator}, {@code clock_offset_ms}, {@code
     * clock} (now, skew, offset, pending, last round), {@code members} and {@code election} (role, elections
     * started, reference reachable, peer counters). {@code now_ms} is the underlying clock now plus the skew and
     * the offset of the last turn (the clock itself belongs to the loop).
     */
    public Map<String, Object> statusFields() {
        Snapshot snap = snapshot;
        CoordinationStatus s = snap.status();
        Map<String, Object> clockJson = new LinkedHashMap<>();
        clockJson.put("now_ms", clock.timeSource().underlyingMillis() + clock.skewMillis() + snap.offsetMillis());
        clockJson.put("skew_ms", clock.skewMillis());
        clockJson.put("offset_ms", snap.offsetMillis());
        clockJson.put("pending_ms", snap.pendingMillis());
        clockJson.put("adjustments", snap.adjustments());
        clockJson.put("last_round", s.lastRoundJson());
        Map<String, Object> electionJson = new LinkedHashMap<>();
        electionJson.put("role", s.electionRole());
        electionJson.put("rank", s.selfRank());
        electionJson.put("elections_started", s.electionsStarted());
        electionJson.put("reference_reachable", s.referenceReachable());
        electionJson.put("peer_links", s.peerLinks());
        electionJson.put("peer_messages_failed", snap.peerFailed());
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("coordinator", s.coordinator().orElse(null));
        fields.put("clock_offset_ms", snap.offsetMillis());
        fields.put("clock", clockJson);
        fields.put("members", s.membersJson());
        fields.put("election", electionJson);
        return fields;
    }

    /** Closes the peer links and the PUBs (not the reference client: the server's). Idempotent. */
    @Override
    public void close() {
        links.close();
        publishers.forEach(ZmtpClient::close);
    }
}
