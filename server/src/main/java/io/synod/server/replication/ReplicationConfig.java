package io.synod.server.replication;

import io.synod.consensus.Membership;
import io.synod.consensus.PaxosConfig;
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
 * <p>The initial members are an ordered list of {@code name=endpoint}; a server's Paxos node id is its
 * 1-based position in that list, so every server must be given the same list (the launcher does).
 *
 * <p>Thread-safety: immutable.
 *
 * @param selfName this server's name; must be one of the members
 * @param members every initial member's name and replication endpoint, in node-id order
 * @param tickIntervalMillis the length of one Paxos tick (the core counts time in ticks)
 * @param pendingRequestsMax writes this server accepted and not yet answered; beyond it a write is refused
 * @param retryIntervalMillis how long an unapplied write waits before it is proposed or forwarded again
 * @param pendingTimeoutMillis how long an accepted write may stay undecided before the client gets an error
 * @param publicationRingMax applied publications kept in memory for republishing after a leader change
 * @param publishedNoteIntervalMillis how often the leader tells its peers how far it has published
 * @param commandSlotStride chat command index = slot * stride + position in the slot's batch (1-based);
 *     must exceed the batch size
 * @param peerLinks the limits of the replication peer links
 * @param frameBytesMax largest peer frame accepted (catch-up replies carry snapshots and many slots)
 */
public record ReplicationConfig(
        String selfName,
        Map<String, String> members,
        long tickIntervalMillis,
        int pendingRequestsMax,
        long retryIntervalMillis,
        long pendingTimeoutMillis,
        int publicationRingMax,
        long publishedNoteIntervalMillis,
        long commandSlotStride,
        PeerLinkConfig peerLinks,
        int frameBytesMax) {

    /** Validates every limit. */
    public ReplicationConfig {
        Objects.requireNonNull(selfName, "selfName");
        Objects.requireNonNull(peerLinks, "peerLinks");
        members = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(members));
        require(!members.isEmpty(), "at least one member is required");
        require(members.containsKey(selfName), "this server '" + selfName + "' is not in the members " + members.keySet());
        require(tickIntervalMillis >= 1 && tickIntervalMillis <= 1_000, "tickIntervalMillis must be in 1..1000");
        require(pendingRequestsMax >= 1, "pendingRequestsMax must be >= 1");
        require(retryIntervalMillis >= 1, "retryIntervalMillis must be >= 1");
        require(pendingTimeoutMillis > retryIntervalMillis, "pendingTimeoutMillis must exceed retryIntervalMillis");
        require(publicationRingMax >= 1, "publicationRingMax must be >= 1");
        require(publishedNoteIntervalMillis >= 1, "publishedNoteIntervalMillis must be >= 1");
        require(frameBytesMax >= Limits.DEFAULT.frameBytesMax(), "frameBytesMax must be >= the client frame limit");
        require(commandSlotStride > paxosDefaults().batchCommandsMax(), "commandSlotStride must exceed the batch size");
    }

    /**
     * The defaults: 10 ms ticks, 4,096 pending writes, retry after 300 ms, give up after 10 s, 65,536 publications
     * kept, a published note every 100 ms, stride 1,024, 64 MiB frames.
     *
     * @param selfName this server
     * @param members {@code name -> endpoint} in node-id order
     */
    public static ReplicationConfig defaults(String selfName, Map<String, String> members) {
        PeerLinkConfig links = new PeerLinkConfig(
                4_096, 2_000, 10_000, 1_024, 100, 1_000, Set.of(ReplicationCodec.PAXOS, ReplicationCodec.PUBLISHED));
        return new ReplicationConfig(selfName, members, 10, 4_096, 300, 10_000, 65_536, 100, 1_024, links, 64 << 20);
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
            require(parts.length == 2 && !parts[0].isEmpty() && parts[1].startsWith("tcp://"),
                    "a member is name=tcp://host:port, got '" + item + "'");
            require(members.put(parts[0], parts[1]) == null, "member '" + parts[0] + "' appears twice");
        }
        return members;
    }

    /** This server's Paxos node id: its 1-based position in {@link #members}. */
    public int nodeId() {
        return nodeIdOf(selfName);
    }

    /** The node id of member {@code name}, or -1. */
    public int nodeIdOf(String name) {
        int id = 1;
        for (String member : members.keySet()) {
            if (member.equals(name)) {
                return id;
            }
            id++;
        }
        return -1;
    }

    /** The name of node {@code nodeId}, or null. */
    public String nameOf(int nodeId) {
        List<String> names = new ArrayList<>(members.keySet());
        return nodeId >= 1 && nodeId <= names.size() ? names.get(nodeId - 1) : null;
    }

    /** This server's replication endpoint (what its ROUTER binds). */
    public String selfEndpoint() {
        return members.get(selfName);
    }

    /** The Paxos core's settings: every initial member a voter, {@link PaxosConfig#defaults} otherwise. */
    public PaxosConfig paxos() {
        List<Integer> voters = new ArrayList<>();
        for (int id = 1; id <= members.size(); id++) {
            voters.add(id);
        }
        return PaxosConfig.defaults(nodeId(), Membership.ofVoters(voters));
    }

    private static PaxosConfig paxosDefaults() {
        return PaxosConfig.defaults(1, Membership.ofVoters(List.of(1)));
    }

    /** The decoding limits of the replication peer links. */
    public Limits peerLimits() {
        Limits d = Limits.DEFAULT;
        return new Limits(frameBytesMax, d.nestingDepthMax(), d.collectionItemsMax(), d.nameCharsMax(),
                d.messageCharsMax(), d.passwordCharsMax(), d.historyPageMax());
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
