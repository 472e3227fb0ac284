package io.synod.clock;

import io.synod.clock.ElectionMessage.CoordinatorAnnouncement;
import io.synod.clock.ElectionMessage.CoordinatorHeartbeat;
import io.synod.clock.ElectionMessage.ElectionOk;
import io.synod.clock.ElectionMessage.ElectionRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The bully election of one server (Garcia-Molina 1982, "Elections in a Distributed Computing
 * System", IEEE Trans. Computers C-31(1), section IV-A "The Bully Algorithm"), as the course slides
 * teach it: the coordinator is the highest-ranked server that answers.
 *
 * <p>Priority: servers are ordered by rank (from the reference), higher wins; equal ranks, which a
 * correct reference never hands out, are ordered by name so that every server agrees.
 *
 * <p>Behaviour:
 *
 * <ul>
 *   <li>An election starts on {@link #start()}, when the coordinator is silent for {@code
 *       coordinatorTimeoutTicks}, when the coordinator leaves the membership, when a server that
 *       outranks the coordinator joins, and when a lower-ranked server claims to be coordinator.
 *   <li>Starting: send {@link ElectionRequest} to every higher-ranked known server (role {@link
 *       Role#ELECTING}); with none, win at once. An {@link ElectionOk} from a higher server means it
 *       takes over: wait {@code announcementTimeoutTicks} for its announcement ({@link
 *       Role#AWAITING_ANNOUNCEMENT}), then restart. No {@code OK} within {@code answerTimeoutTicks}:
 *       win.
 *   <li>Winning: publish a {@link CoordinatorAnnouncement} and send a {@link CoordinatorHeartbeat}
 *       to every known server every {@code heartbeatIntervalTicks}.
 *   <li>Receiving a request from a lower server: answer {@code OK}; a follower then starts its own
 *       election (the bully step). A coordinator only re-asserts itself (announcement plus
 *       heartbeat) instead of electing again: any higher live server would already have bullied it.
 *   <li>Receiving an announcement or heartbeat from a server above this one: adopt it as
 *       coordinator. From a server below this one: bully it (a coordinator re-asserts itself, a
 *       follower starts an election).
 * </ul>
 *
 * <p>Messages from servers that are not in the membership are ignored, so every server must learn
 * membership (reference {@code list} plus dissemination) before the election settles. Safety of
 * the replicated log never depends on this election; it only chooses who runs Berkeley rounds.
 *
 * <p>Thread-safety: <b>not thread-safe</b>; owned by one thread. Performs no I/O.
 *
 * <p>Call order: construct, {@link #setMembers}, {@link #start()}; then any interleaving of {@link
 * #tick()}, {@link #step}, membership calls; after each, drain {@link #ready()} and do what it says.
 */
public final class BullyElection {

    /** Where a server is in the election. */
    public enum Role {
        /** Knows a coordinator (or is waiting to hear one) and watches its heartbeats. */
        FOLLOWER,
        /** Sent requests to the higher-ranked servers; waiting for an {@code OK}. */
        ELECTING,
        /** Got an {@code OK}; waiting for the winner's announcement. */
        AWAITING_ANNOUNCEMENT,
        /** This server is the coordinator. */
        COORDINATOR
    }

    private final BullyElectionConfig config;
    private final String selfName;
    private final int selfRank;
    private final TreeMap<String, Integer> ranksByName = new TreeMap<>();
    private Role role = Role.FOLLOWER;
    private Optional<String> coordinator = Optional.empty();
    private int roleTicks;
    private long electionsStartedCount;
    private long ignoredMessageCount;
    private final List<Outbound<ElectionMessage>> messagesToSend = new ArrayList<>();
    private final List<CoordinatorAnnouncement> announcementsToPublish = new ArrayList<>();
    private final List<CoordinatorChange> coordinatorChanges = new ArrayList<>();

    /**
     * Creates a follower that knows no coordinator and no other server.
     *
     * @param config the timeouts
     * @param selfName this server's name
     * @param selfRank this server's rank from the reference
     */
    public BullyElection(BullyElectionConfig config, String selfName, int selfRank) {
        this.config = Objects.requireNonNull(config, "config");
        this.selfName = Objects.requireNonNull(selfName, "selfName");
        ClockInvariants.require(!selfName.isEmpty(), "selfName must not be empty");
        this.selfRank = selfRank;
    }

    /** Starts an election (on start-up). */
    public void start() {
        startElection();
    }

    /** Advances the election's timers by one tick. */
    public void tick() {
        roleTicks++;
        switch (role) {
            case FOLLOWER -> {
                if (roleTicks >= config.coordinatorTimeoutTicks()) {
                    startElection();
                }
            }
            case ELECTING -> {
                if (roleTicks >= config.answerTimeoutTicks()) {
                    becomeCoordinator();
                }
            }
            case AWAITING_ANNOUNCEMENT -> {
                if (roleTicks >= config.announcementTimeoutTicks()) {
                    startElection();
                }
            }
            case COORDINATOR -> {
                if (roleTicks >= config.heartbeatIntervalTicks()) {
                    sendHeartbeats();
                    roleTicks = 0;
                }
            }
        }
    }

    /**
     * Handles a message from a peer server.
     *
     * @param source the sender's name (for an announcement received on topic {@code servers}, the
     *     announced coordinator)
     * @param message the message
     */
    public void step(String source, ElectionMessage message) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(message, "message");
        if (source.equals(selfName) || !ranksByName.containsKey(source)) {
            ignoredMessageCount++;
            return;
        }
        switch (message) {
            case ElectionRequest request -> onElectionRequest(source);
            case ElectionOk ok -> onElectionOk(source);
            case CoordinatorAnnouncement announcement -> onCoordinatorClaim(announcement.coordinator());
            case CoordinatorHeartbeat heartbeat -> onCoordinatorClaim(source);
        }
    }

    /**
     * Replaces the membership (for example with the reference's {@code list}); entries for this
     * server are ignored. Equivalent to the matching {@link #memberLeft} and {@link #memberJoined}
     * calls.
     *
     * @param ranksByServerName every known server's rank
     */
    public void setMembers(Map<String, Integer> ranksByServerName) {
        for (String name : List.copyOf(ranksByName.keySet())) {
            if (!ranksByServerName.containsKey(name)) {
                memberLeft(name);
            }
        }
        for (Map.Entry<String, Integer> entry : new TreeMap<>(ranksByServerName).entrySet()) {
            memberJoined(entry.getKey(), entry.getValue());
        }
    }

    /**
     * A server joined (or changed rank). If it outranks the known coordinator, an election starts;
     * while no coordinator is known, the running election or the coordinator timeout covers it.
     *
     * @param name its name
     * @param rank its rank
     */
    public void memberJoined(String name, int rank) {
        Objects.requireNonNull(name, "name");
        if (name.equals(selfName)) {
            return;
        }
        Integer previousRank = ranksByName.put(name, rank);
        if (previousRank != null && previousRank == rank) {
            return;
        }
        if (!outranksSelf(name)) {
            return;
        }
        switch (role) {
            case ELECTING -> messagesToSend.add(new Outbound<>(name, new ElectionRequest()));
            case AWAITING_ANNOUNCEMENT -> {}
            case FOLLOWER, COORDINATOR -> {
                if (outranksCoordinator(name)) {
                    startElection();
                }
            }
        }
    }

    /**
     * A server left the membership. If it was the coordinator, or the server whose announcement
     * this one awaits may be gone, an election starts.
     *
     * @param name its name
     */
    public void memberLeft(String name) {
        Objects.requireNonNull(name, "name");
        if (ranksByName.remove(name) == null) {
            return;
        }
        boolean coordinatorLeft = coordinator.isPresent() && coordinator.get().equals(name);
        if (coordinatorLeft || role == Role.AWAITING_ANNOUNCEMENT) {
            startElection();
        }
    }

    /** @return true if {@link #ready()} has something to do */
    public boolean hasReady() {
        return !messagesToSend.isEmpty() || !announcementsToPublish.isEmpty() || !coordinatorChanges.isEmpty();
    }

    /**
     * Hands over everything the adapter must do and forgets it.
     *
     * @return the messages, announcements and coordinator changes since the last call
     */
    public ElectionReady ready() {
        ElectionReady ready = new ElectionReady(messagesToSend, announcementsToPublish, coordinatorChanges);
        messagesToSend.clear();
        announcementsToPublish.clear();
        coordinatorChanges.clear();
        return ready;
    }

    /** @return the coordinator's name, empty while unknown (during an election) */
    public Optional<String> coordinator() {
        return coordinator;
    }

    /** @return this server's role */
    public Role role() {
        return role;
    }

    /** @return this server's name */
    public String selfName() {
        return selfName;
    }

    /** @return this server's rank */
    public int selfRank() {
        return selfRank;
    }

    /** @return the other known servers and their ranks, by name */
    public SortedMap<String, Integer> members() {
        return new TreeMap<>(ranksByName);
    }

    /** @return how many elections this server has started */
    public long electionsStartedCount() {
        return electionsStartedCount;
    }

    /** @return how many messages were ignored because their source was unknown or this server */
    public long ignoredMessageCount() {
        return ignoredMessageCount;
    }

    private void onElectionRequest(String source) {
        if (!outranksSelf(source)) {
            messagesToSend.add(new Outbound<>(source, new ElectionOk()));
            switch (role) {
                case FOLLOWER -> startElection();
                case COORDINATOR -> reassertCoordinator(source);
                case ELECTING, AWAITING_ANNOUNCEMENT -> {}
            }
        } else {
            // A higher server only asks higher servers: its view of the ranks differs from ours.
            ignoredMessageCount++;
        }
    }

    private void onElectionOk(String source) {
        if (role == Role.ELECTING && outranksSelf(source)) {
            role = Role.AWAITING_ANNOUNCEMENT;
            roleTicks = 0;
        }
    }

    private void onCoordinatorClaim(String claimant) {
        if (claimant.equals(selfName) || !ranksByName.containsKey(claimant)) {
            ignoredMessageCount++;
            return;
        }
        if (outranksSelf(claimant)) {
            role = Role.FOLLOWER;
            roleTicks = 0;
            setCoordinator(Optional.of(claimant));
            return;
        }
        switch (role) {
            case COORDINATOR -> reassertCoordinator(claimant);
            case FOLLOWER -> startElection();
            case ELECTING, AWAITING_ANNOUNCEMENT -> {}
        }
    }

    private void startElection() {
        electionsStartedCount++;
        List<String> higherServers = new ArrayList<>();
        for (String name : ranksByName.keySet()) {
            if (outranksSelf(name)) {
                higherServers.add(name);
            }
        }
        if (higherServers.isEmpty()) {
            becomeCoordinator();
            return;
        }
        role = Role.ELECTING;
        roleTicks = 0;
        setCoordinator(Optional.empty());
        for (String name : higherServers) {
            messagesToSend.add(new Outbound<>(name, new ElectionRequest()));
        }
    }

    private void becomeCoordinator() {
        role = Role.COORDINATOR;
        roleTicks = 0;
        setCoordinator(Optional.of(selfName));
        announcementsToPublish.add(new CoordinatorAnnouncement(selfName));
        sendHeartbeats();
    }

    private void reassertCoordinator(String lowerServer) {
        ClockInvariants.check(role == Role.COORDINATOR, "only a coordinator re-asserts itself");
        announcementsToPublish.add(new CoordinatorAnnouncement(selfName));
        messagesToSend.add(new Outbound<>(lowerServer, new CoordinatorHeartbeat()));
    }

    private void sendHeartbeats() {
        for (String name : ranksByName.keySet()) {
            messagesToSend.add(new Outbound<>(name, new CoordinatorHeartbeat()));
        }
    }

    private void setCoordinator(Optional<String> newCoordinator) {
        if (!newCoordinator.equals(coordinator)) {
            coordinatorChanges.add(new CoordinatorChange(coordinator, newCoordinator));
            coordinator = newCoordinator;
        }
        ClockInvariants.check(
                coordinator.isEmpty() || coordinator.get().equals(selfName) == (role == Role.COORDINATOR),
                "a server names itself coordinator exactly when its role is COORDINATOR");
    }

    private boolean outranksSelf(String name) {
        return outranks(name, ranksByName.get(name), selfName, selfRank);
    }

    /** True if a coordinator is known and {@code name} outranks it (or its rank is no longer known). */
    private boolean outranksCoordinator(String name) {
        if (coordinator.isEmpty()) {
            return false;
        }
        String current = coordinator.get();
        Integer currentRank = current.equals(selfName) ? Integer.valueOf(selfRank) : ranksByName.get(current);
        return currentRank == null || outranks(name, ranksByName.get(name), current, currentRank);
    }

    /** Total order on servers: rank first, then name, so that equal ranks still have one winner. */
    static boolean outranks(String name, int rank, String otherName, int otherRank) {
        return rank != otherRank ? rank > otherRank : name.compareTo(otherName) > 0;
    }
}
