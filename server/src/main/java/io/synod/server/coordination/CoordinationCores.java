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
import io.synod.messaging.InteractionLog;
import io.synod.messaging.ProcessClock;
import io.synod.messaging.ZmqMessages;
import io.synod.messaging.peer.CoordinationCodec;
import io.synod.messaging.peer.PeerInbound;
import io.synod.messaging.peer.PeerLinks;
import io.synod.messaging.zmtp.ZmtpClient;
import io.synod.protocol.Envelope;
import io.synod.protocol.Services;
import io.synod.server.coordination.CoordinationStatus.RoundSummary;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two pure cores of a server's coordination, the bully election and the Berkeley clock synchronisation, and
 * what their output becomes: every step and tick is followed by draining both cores' {@code ready()} here, which
 * sends their messages over the peer links (a reply on the connection its request came from), publishes
 * announcements on topic {@code servers} (and sends them to every peer), passes coordinator changes to the clock
 * core and logs everything notable (elections, announcements, coordinator changes, Berkeley rounds, clock
 * corrections).
 *
 * <p>Thread-safety: not thread-safe; owned by the server's event loop, like the links it sends on.
 */
final class CoordinationCores {
    private static final Logger LOG = LoggerFactory.getLogger(CoordinationCores.class);
    /** Remembered requests awaiting an answer on their connection; cleared beyond this (foreign REQs). */
    static final int PENDING_REQUESTS_MAX = 1_024;

    private final CoordinationConfig config;
    private final ProcessClock clock;
    private final InteractionLog log;
    private final PeerLinks links;
    /** The PUB to each proxy: an announcement goes to every one. */
    private final List<ZmtpClient> publishers;

    private final BullyElection election;
    private final BerkeleySync sync;
    private final Map<String, PeerInbound> pendingRequestsBySource = new HashMap<>();
    private final Map<String, Long> lastClockRequestIdByPeer = new HashMap<>();
    private Optional<RoundSummary> lastRound = Optional.empty();
    private BullyElection.Role loggedRole;
    private long loggedElectionsStarted;

    /** Creates both cores for a server of rank {@code selfRank}; {@link #start} starts the election. */
    CoordinationCores(
            CoordinationConfig config,
            ProcessClock clock,
            InteractionLog log,
            PeerLinks links,
            List<ZmtpClient> publishers,
            long selfRank) {
        this.config = config;
        this.clock = clock;
        this.log = log;
        this.links = links;
        this.publishers = publishers;
        this.election = new BullyElection(config.election(), config.selfName(), Math.toIntExact(selfRank));
        this.sync = new BerkeleySync(config.berkeley(), config.selfName(), clock.softwareClock());
    }

    void start() {
        election.start();
        drainReady();
    }

    BullyElection election() {
        return election;
    }

    boolean isCoordinator() {
        return sync.isCoordinator();
    }

    Optional<RoundSummary> lastRound() {
        return lastRound;
    }

    /** The id of the last {@code clock} request sent to {@code peer}, to match its reply; -1 if none. */
    long lastClockRequestId(String peer) {
        return lastClockRequestIdByPeer.getOrDefault(peer, -1L);
    }

    /** The servers to elect among and synchronise, by rank. */
    void setMembers(Map<String, Integer> ranks) {
        election.setMembers(ranks);
        sync.setServers(ranks.keySet());
        drainReady();
    }

    void tick() {
        election.tick();
        sync.tick(underlying());
        drainReady();
    }

    /** Counts {@code count} chat messages handled here (the statement's "every 10 messages" rule). */
    void noteMessagesExchanged(long count) {
        for (long i = 0; i < count; i++) {
            sync.noteMessageExchanged(underlying());
        }
        drainReady();
    }

    void onElectionMessage(PeerInbound message, ElectionMessage electionMessage) {
        switch (electionMessage) {
            case CoordinatorAnnouncement announcement -> election.step(announcement.coordinator(), announcement);
            case CoordinatorHeartbeat heartbeat -> {
                election.step(message.source(), heartbeat);
                noteRoundFromHeartbeat(message);
            }
            case ElectionRequest request -> {
                rememberRequest(message);
                election.step(message.source(), request);
            }
            case ElectionOk ok -> election.step(message.source(), ok);
        }
        drainReady();
    }

    void onBerkeleyMessage(PeerInbound message, BerkeleyMessage berkeleyMessage) {
        if (berkeleyMessage instanceof ClockRequest || berkeleyMessage instanceof TimeRequest) {
            rememberRequest(message);
        }
        sync.step(message.source(), berkeleyMessage, underlying());
        drainReady();
    }

    /** A new subscription covering {@code servers}: the coordinator publishes its announcement again. */
    void onServersSubscribed() {
        if (sync.isCoordinator()) {
            publishAnnouncement(config.selfName());
        }
    }

    private long underlying() {
        return clock.timeSource().underlyingMillis();
    }

    private void rememberRequest(PeerInbound message) {
        if (!message.arrivedOnAcceptedLink()) {
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
            data.put("method", correction.method().name().toLowerCase(Locale.ROOT));
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
        for (String peer : Set.copyOf(links.peers().keySet())) {
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
        List<byte[]> frames = ZmqMessages.publicationFrames(Services.SERVERS_TOPIC, payload);
        for (ZmtpClient publisher : publishers) {
            publisher.send(frames);
            publisher.flush();
        }
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

    private void event(String kind, Map<String, Object> data) {
        log.event(kind, clock.lamport().current(), clock.nowSeconds(), data);
    }
}
