package io.synod.server.coordination;

import io.synod.messaging.peer.CoordinationCodec.PeerMember;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A snapshot of the coordination service for {@code /status}, published by its thread after every
 * loop turn (a volatile reference, so readers always see one consistent record).
 *
 * <p>Thread-safety: immutable.
 *
 * @param selfRank this server's rank, 0 while unknown
 * @param coordinator the coordinator's name, empty while unknown (during an election)
 * @param electionRole the bully role ({@code FOLLOWER}, {@code ELECTING}, {@code
 *     AWAITING_ANNOUNCEMENT}, {@code COORDINATOR}; {@code UNRANKED} before the rank is known)
 * @param electionsStarted elections this server started
 * @param members every known server (this one included), by name
 * @param referenceReachable whether the reference answered the last request
 * @param lastRound the last Berkeley round this server knows of: its own as coordinator, or the one
 *     its coordinator's heartbeats report; empty before the first
 * @param peerLinks the peer links' counters
 */
public record CoordinationStatus(
        long selfRank,
        Optional<String> coordinator,
        String electionRole,
        long electionsStarted,
        SortedMap<String, PeerMember> members,
        boolean referenceReachable,
        Optional<RoundSummary> lastRound,
        Map<String, Object> peerLinks) {

    /** Copies the collections. */
    public CoordinationStatus {
        members = new TreeMap<>(members);
        peerLinks = Map.copyOf(peerLinks);
    }

    /**
     * What {@code /status} shows of a Berkeley round.
     *
     * @param roundId the coordinator's round number
     * @param coordinator the coordinator that ran it
     * @param spreadMillis max minus min of the measured, round-trip-compensated offsets
     * @param offsetsMillis the offsets per server (only known on the coordinator; empty elsewhere)
     * @param averageOffsetMillis the average the servers were moved to (coordinator only, else 0)
     */
    public record RoundSummary(
            long roundId,
            String coordinator,
            long spreadMillis,
            Map<String, Long> offsetsMillis,
            long averageOffsetMillis) {
        /** Copies the map. */
        public RoundSummary {
            offsetsMillis = new TreeMap<>(offsetsMillis);
        }
    }

    /** The state before the service started. */
    static CoordinationStatus initial() {
        return new CoordinationStatus(
                0, Optional.empty(), "UNRANKED", 0, new TreeMap<>(), false, Optional.empty(), Map.of());
    }

    /** @return the members in the reference's {@code list} item shape, by rank */
    public List<Map<String, Object>> membersJson() {
        List<PeerMember> byRank = new ArrayList<>(members.values());
        byRank.sort((a, b) -> Long.compare(a.rank(), b.rank()));
        List<Map<String, Object>> json = new ArrayList<>();
        for (PeerMember member : byRank) {
            json.add(member.toMap());
        }
        return json;
    }

    /** @return the last round as a JSON-ready map, or null */
    public Map<String, Object> lastRoundJson() {
        if (lastRound.isEmpty()) {
            return null;
        }
        RoundSummary r = lastRound.get();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("round", r.roundId());
        json.put("coordinator", r.coordinator());
        json.put("spread_ms", r.spreadMillis());
        json.put("offsets_ms", r.offsetsMillis());
        json.put("average_offset_ms", r.averageOffsetMillis());
        return json;
    }
}
