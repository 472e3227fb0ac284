package io.synod.server.replication;

import io.synod.consensus.Membership;
import io.synod.consensus.PaxosConfig;
import io.synod.messaging.admin.AdminGate;
import io.synod.messaging.peer.PeerLinkConfig;
import io.synod.protocol.Limits;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Everything a {@link ReplicationDriver} needs, validated at construction.
 *
 * <p>The initial members are a list of {@code name=endpoint}: the genesis membership, identical on every server of a
 * cluster (the launcher passes the same list to all). A server's Paxos node id is the number its name ends with
 * ({@code server-3} is node 3), so ids are stable and unique as long as names are. A server started later with
 * {@code joining} is not in the list: it asks the leader to add it as a learner (docs/decisions/0004).
 *
 * <p>A server started without a list is a group of one ({@link #alone}): its only voter, so it decides alone, with the
 * same write path and group commit as any member of a larger group. Its name need not end with a number: a server
 * alone whose name ends with none (or with 0, or with more than nine digits) is node 1 ({@link #nodeId()}); no peer
 * ever needs to tell it apart from another.
 *
 * <p>Thread-safety: immutable.
 *
 * @param selfName this server's name; one of the members unless {@code joining}
 * @param selfEndpoint this server's replication endpoint (what its ROUTER binds and what peers connect to)
 * @param joining true for a server that is not in the genesis membership and asks to be added
 * @param members the genesis: every initial member's name and replication endpoint
 * @param tickIntervalMillis the length of one Paxos tick (the core counts time in ticks)
 * @param pendingRequestsMax writes this server accepted and not yet answered; beyond it a write is refused
 * @param retryIntervalMillis how long an unapplied write waits before it is proposed or forwarded again
 * @param pendingTimeoutMillis how long an accepted write is tracked; after it, it is forgotten unanswered
 * @param publicationRingMax applied publications kept in memory for republishing after a leader change
 * @param publishedNoteIntervalMillis how often the leader tells its peers how far it has published
 * @param membershipIntervalMillis how often a server sends its address book to its peers and a joining server
 *     asks to be added
 * @param commandSlotStride chat command index = slot * stride + position in the slot's batch (1-based);
 *     must exceed the batch size
 * @param peerLinks the limits of the replication peer links
 * @param frameBytesMax largest peer frame accepted (catch-up replies carry many slots)
 * @param snapshotIntervalSlots applied slots after which a snapshot (a RocksDB checkpoint) is taken and the log
 *     truncated behind it
 * @param snapshotChunkBytes bytes of a checkpoint file per {@code snapshot_chunk} message
 * @param adminGate who may ask for an operator's change ({@code remove}): the admin key in secure mode
 */
public record ReplicationConfig(
        String selfName,
        String selfEndpoint,
        boolean joining,
        Map<String, String> members,
        long tickIntervalMillis,
        int pendingRequestsMax,
        long retryIntervalMillis,
        long pendingTimeoutMillis,
        int publicationRingMax,
        long publishedNoteIntervalMillis,
        long membershipIntervalMillis,
        long commandSlotStride,
        PeerLinkConfig peerLinks,
        int frameBytesMax,
        int snapshotIntervalSlots,
        int snapshotChunkBytes,
        AdminGate adminGate) {

    /** Validates every limit. */
    public ReplicationConfig {
        Objects.requireNonNull(selfName, "selfName");
        Objects.requireNonNull(peerLinks, "peerLinks");
        Objects.requireNonNull(adminGate, "adminGate");
        members = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(members));
        require(!members.isEmpty(), "at least one member is required");
        Objects.requireNonNull(selfEndpoint, "selfEndpoint");
        require(
                joining != members.containsKey(selfName),
                joining
                        ? "a joining server must not be in the initial members " + members.keySet()
                        : "this server '" + selfName + "' is not in the initial members " + members.keySet()
                                + " (use --join to add it to a running cluster)");
        boolean alone = !joining && members.size() == 1; // its name need not carry an id: see idOf
        require(
                nodeIdOf(selfName) >= 1 || alone,
                "a server in a group of several has a name that ends with its node id >= 1, e.g. server-4");
        java.util.Set<Integer> ids = new java.util.HashSet<>();
        for (String name : members.keySet()) {
            int id = nodeIdOf(name);
            require((id >= 1 || alone) && ids.add(id), "member names must end with distinct ids >= 1");
        }
        require(!joining || !ids.contains(nodeIdOf(selfName)), "node id of '" + selfName + "' is already taken");
        require(tickIntervalMillis >= 1 && tickIntervalMillis <= 1_000, "tickIntervalMillis must be in 1..1000");
        require(pendingRequestsMax >= 1, "pendingRequestsMax must be >= 1");
        require(retryIntervalMillis >= 1, "retryIntervalMillis must be >= 1");
        require(pendingTimeoutMillis > retryIntervalMillis, "pendingTimeoutMillis must exceed retryIntervalMillis");
        require(publicationRingMax >= 1, "publicationRingMax must be >= 1");
        require(publishedNoteIntervalMillis >= 1, "publishedNoteIntervalMillis must be >= 1");
        require(membershipIntervalMillis >= 1, "membershipIntervalMillis must be >= 1");
        require(frameBytesMax >= Limits.DEFAULT.frameBytesMax(), "frameBytesMax must be >= the client frame limit");
        require(commandSlotStride > paxosDefaults().batchCommandsMax(), "commandSlotStride must exceed the batch size");
        require(snapshotIntervalSlots >= 1, "snapshotIntervalSlots must be >= 1");
        require(
                snapshotChunkBytes >= 1 && snapshotChunkBytes <= frameBytesMax / 2,
                "snapshotChunkBytes must be in 1..frameBytesMax/2");
    }

    /**
     * The defaults: 10 ms ticks, 4,096 pending writes, retry after 300 ms, give up after 10 s, 65,536 publications
     * kept, a published note every 100 ms, address book and join requests every 500 ms, stride 1,024, 64 MiB frames,
     * a snapshot every 10,000 slots, sent in 1 MiB chunks.
     *
     * @param selfName this server
     * @param members {@code name -> endpoint} in node-id order
     */
    public static ReplicationConfig defaults(String selfName, Map<String, String> members) {
        return defaults(selfName, members.get(selfName), false, members);
    }

    /** Where a group of one listens when no endpoint is given: any free loopback port, since no peer connects. */
    public static final String ALONE_ENDPOINT = "tcp://127.0.0.1:0";

    /**
     * The defaults for a group of one: {@code selfName} is the genesis' only member and voter, listening on {@code
     * selfEndpoint} (a server that others may join later needs a known one; {@link #ALONE_ENDPOINT} otherwise).
     */
    public static ReplicationConfig alone(String selfName, String selfEndpoint) {
        return defaults(selfName, selfEndpoint, false, Map.of(selfName, selfEndpoint));
    }

    /**
     * The defaults for a member of the genesis ({@code joining} false) or a server joining it.
     *
     * @param selfEndpoint this server's replication endpoint
     */
    public static ReplicationConfig defaults(
            String selfName, String selfEndpoint, boolean joining, Map<String, String> members) {
        PeerLinkConfig links = new PeerLinkConfig(
                4_096,
                2_000,
                10_000,
                1_024,
                100,
                1_000,
                Set.of(
                        ReplicationCodec.PAXOS,
                        ReplicationCodec.PUBLISHED,
                        ReplicationCodec.MEMBERS,
                        ReplicationCodec.SNAPSHOT_GET,
                        ReplicationCodec.SNAPSHOT_CHUNK));
        return new ReplicationConfig(
                selfName,
                selfEndpoint,
                joining,
                members,
                10,
                4_096,
                300,
                10_000,
                65_536,
                100,
                500,
                1_024,
                links,
                64 << 20,
                SNAPSHOT_INTERVAL_SLOTS_DEFAULT,
                1 << 20,
                AdminGate.OPEN);
    }

    /** Applied slots between snapshots by default. */
    public static final int SNAPSHOT_INTERVAL_SLOTS_DEFAULT = 10_000;

    /** A copy that takes a snapshot every {@code slots} applied slots. */
    public ReplicationConfig withSnapshotIntervalSlots(int slots) {
        return withSnapshots(slots, snapshotChunkBytes);
    }

    /** A copy that takes a snapshot every {@code slots} applied slots and sends it in {@code chunkBytes} chunks. */
    public ReplicationConfig withSnapshots(int slots, int chunkBytes) {
        return new ReplicationConfig(
                selfName,
                selfEndpoint,
                joining,
                members,
                tickIntervalMillis,
                pendingRequestsMax,
                retryIntervalMillis,
                pendingTimeoutMillis,
                publicationRingMax,
                publishedNoteIntervalMillis,
                membershipIntervalMillis,
                commandSlotStride,
                peerLinks,
                frameBytesMax,
                slots,
                chunkBytes,
                adminGate);
    }

    /** A copy whose operator requests pass {@code gate} ({@code synod admin}; docs/security.md). */
    public ReplicationConfig withAdminGate(AdminGate gate) {
        return new ReplicationConfig(
                selfName,
                selfEndpoint,
                joining,
                members,
                tickIntervalMillis,
                pendingRequestsMax,
                retryIntervalMillis,
                pendingTimeoutMillis,
                publicationRingMax,
                publishedNoteIntervalMillis,
                membershipIntervalMillis,
                commandSlotStride,
                peerLinks,
                frameBytesMax,
                snapshotIntervalSlots,
                snapshotChunkBytes,
                gate);
    }

    /**
     * Parses {@code name=endpoint,name=endpoint,...} (the {@code --initial-members} option).
     *
     * @throws IllegalArgumentException if an item is malformed or a name repeats
     */
    public static Map<String, String> parseMembers(String text) {
        Map<String, String> members = new LinkedHashMap<>();
        for (String item : text.split(",")) {
            String[] parts = item.trim().split("=", 2);
            require(
                    parts.length == 2 && !parts[0].isEmpty() && parts[1].startsWith("tcp://"),
                    "a member is name=tcp://host:port, got '" + item + "'");
            require(members.put(parts[0], parts[1]) == null, "member '" + parts[0] + "' appears twice");
        }
        return members;
    }

    /** This server's Paxos node id: the number its name ends with; 1 for a group of one whose name ends with none. */
    public int nodeId() {
        return idOf(selfName);
    }

    /**
     * The node id of {@code name} as this server counts: {@link #nodeIdOf}, except that this server's own name,
     * alone in its group and ending with no id, stands for node 1.
     */
    public int idOf(String name) {
        int id = nodeIdOf(name);
        return id < 1 && name.equals(selfName) ? 1 : id;
    }

    /** The node id a server name stands for (the digits it ends with), or -1 if it ends with none. */
    public static int nodeIdOf(String name) {
        int start = name.length();
        while (start > 0 && Character.isDigit(name.charAt(start - 1))) {
            start--;
        }
        if (start == name.length() || name.length() - start > 9) {
            return -1;
        }
        return Integer.parseInt(name.substring(start));
    }

    /** Shortest election timeout of a real server, in ticks (500 ms at 10 ms ticks). */
    static final int ELECTION_TIMEOUT_TICKS_MIN = 50;
    /** Longest election timeout of a real server, in ticks (1 s at 10 ms ticks). */
    static final int ELECTION_TIMEOUT_TICKS_MAX = 100;
    /**
     * The leader's heartbeat interval, in ticks (100 ms at 10 ms ticks, as etcd's default): five heartbeats per
     * shortest timeout. Each heartbeat and its reply wake both servers' threads, which costs an idle cluster CPU
     * on a small machine (a wake-up is a tenth of a millisecond of CPU or more here); 50 ms doubled that.
     */
    static final int HEARTBEAT_INTERVAL_TICKS = 10;

    /**
     * The Paxos core's settings: the initial members are the genesis voters; {@link PaxosConfig#defaults} else,
     * except the election timing. A real server shares its cores with other processes, the JIT and the garbage
     * collector: pauses of a few hundred milliseconds happen on a loaded machine (seen at load 16 on 2 cores:
     * the simulator's 150-300 ms timeouts made leadership move every few seconds). 0.5-1 s, as etcd's default,
     * keeps a leader through such pauses at the cost of a slower failover.
     */
    public PaxosConfig paxos() {
        List<Integer> voters = new ArrayList<>();
        for (String name : members.keySet()) {
            voters.add(idOf(name));
        }
        PaxosConfig d = PaxosConfig.defaults(nodeId(), Membership.ofVoters(voters));
        return new PaxosConfig(
                d.nodeId(),
                d.genesis(),
                ELECTION_TIMEOUT_TICKS_MIN,
                ELECTION_TIMEOUT_TICKS_MAX,
                HEARTBEAT_INTERVAL_TICKS,
                d.acceptRetryTicks(),
                d.inflightSlotsMax(),
                d.batchCommandsMax(),
                d.proposalQueueCommandsMax(),
                d.catchUpSlotsMax(),
                d.catchUpRetryTicks(),
                snapshotIntervalSlots,
                d.learnerLagSlotsMax());
    }

    private static PaxosConfig paxosDefaults() {
        return PaxosConfig.defaults(1, Membership.ofVoters(List.of(1)));
    }

    /** The decoding limits of the replication peer links. */
    public Limits peerLimits() {
        Limits d = Limits.DEFAULT;
        return new Limits(
                frameBytesMax,
                d.nestingDepthMax(),
                d.collectionItemsMax(),
                d.nameCharsMax(),
                d.messageCharsMax(),
                d.passwordCharsMax(),
                d.historyPageMax());
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
