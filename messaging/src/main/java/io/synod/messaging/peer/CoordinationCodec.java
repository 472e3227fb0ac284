package io.synod.messaging.peer;

import io.synod.clock.BerkeleyMessage;
import io.synod.clock.BerkeleyMessage.ClockReply;
import io.synod.clock.BerkeleyMessage.ClockRequest;
import io.synod.clock.BerkeleyMessage.TimeAdjustment;
import io.synod.clock.BerkeleyMessage.TimeReply;
import io.synod.clock.BerkeleyMessage.TimeRequest;
import io.synod.clock.ElectionMessage;
import io.synod.clock.ElectionMessage.CoordinatorAnnouncement;
import io.synod.clock.ElectionMessage.CoordinatorHeartbeat;
import io.synod.clock.ElectionMessage.ElectionOk;
import io.synod.clock.ElectionMessage.ElectionRequest;
import io.synod.protocol.Envelope;
import io.synod.protocol.Fields;
import io.synod.protocol.Limits;
import io.synod.protocol.ProtocolException;
import io.synod.protocol.Services;
import io.synod.protocol.Timestamps;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The coordination messages of the peer links as envelopes (docs/protocol.md section 6). The
 * {@code timestamp} and {@code clock} fields are added by {@link PeerLinks} when it sends.
 *
 * <table>
 *   <caption>Services</caption>
 *   <tr><th>message</th><th>service</th><th>data (besides timestamp, clock)</th></tr>
 *   <tr><td>election request (statement)</td><td>{@code election}</td><td>none</td></tr>
 *   <tr><td>election answer (statement)</td><td>{@code election}</td><td>{@code election: "OK"}</td></tr>
 *   <tr><td>announcement (statement's {@code servers} publication, also sent on peer links)</td>
 *       <td>{@code election}</td><td>{@code coordinator}</td></tr>
 *   <tr><td>clock request (statement)</td><td>{@code clock}</td><td>ext: {@code request_id}</td></tr>
 *   <tr><td>clock reply (statement)</td><td>{@code clock}</td><td>{@code time}; ext: {@code request_id}</td></tr>
 *   <tr><td>coordinator heartbeat (extension)</td><td>{@code coordinator_heartbeat}</td>
 *       <td>{@code coordinator}</td></tr>
 *   <tr><td>Berkeley poll, reply, adjustment (extension)</td><td>{@code berkeley}</td>
 *       <td>{@code kind: "poll"|"reply"|"adjustment"}, {@code round}, and the fields of the
 *       message in milliseconds</td></tr>
 *   <tr><td>membership (extension)</td><td>{@code members}</td>
 *       <td>{@code members: [{"name","rank","address"}]}</td></tr>
 * </table>
 *
 * <p>Thread-safety: stateless.
 */
public final class CoordinationCodec {
    /** Extension service: the coordinator's liveness heartbeat. */
    public static final String COORDINATOR_HEARTBEAT = "coordinator_heartbeat";
    /** Extension service: Berkeley rounds (poll, reply, adjustment). */
    public static final String BERKELEY = "berkeley";
    /** Extension service: a server's view of the membership (dissemination, requirement P3). */
    public static final String MEMBERS = "members";

    private CoordinationCodec() {}

    /** A decoded coordination message. Thread-safety: immutable records. */
    public sealed interface Decoded {
        /** An election message; an announcement's source is its {@code coordinator}. */
        record Election(ElectionMessage message) implements Decoded {}

        /** A clock synchronisation message. */
        record Berkeley(BerkeleyMessage message) implements Decoded {}

        /** A peer's membership list. */
        record Members(List<PeerMember> members) implements Decoded {
            /** Copies the list. */
            public Members {
                members = List.copyOf(members);
            }
        }
    }

    /**
     * One server as the reference's {@code list} describes it.
     *
     * @param name the server's name
     * @param rank its rank (higher wins elections)
     * @param address its advertised peer endpoint, or null if unknown
     */
    public record PeerMember(String name, long rank, String address) {
        /** Rejects a null name. */
        public PeerMember {
            Objects.requireNonNull(name, "name");
        }

        /** @return the reference's {@code list} item shape {@code {"name","rank","address"}} */
        public Map<String, Object> toMap() {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("name", name);
            map.put("rank", rank);
            if (address != null) {
                map.put("address", address);
            }
            return map;
        }
    }

    /** Encodes an election message ({@code self} is this server's name, for heartbeats). */
    public static Envelope encode(ElectionMessage message, String self) {
        return switch (message) {
            case ElectionRequest request -> new Envelope(Services.ELECTION, Map.of());
            case ElectionOk ok -> new Envelope(Services.ELECTION, Map.of("election", "OK"));
            case CoordinatorAnnouncement a -> new Envelope(Services.ELECTION, Map.of("coordinator", a.coordinator()));
            case CoordinatorHeartbeat heartbeat -> new Envelope(COORDINATOR_HEARTBEAT, Map.of("coordinator", self));
        };
    }

    /** Encodes a clock synchronisation message. */
    public static Envelope encode(BerkeleyMessage message) {
        Map<String, Object> data = new LinkedHashMap<>();
        return switch (message) {
            case ClockRequest r -> new Envelope(Services.CLOCK, Map.of("request_id", r.requestId()));
            case ClockReply r -> {
                data.put("time", Timestamps.fromEpochMillis(r.timeMillis()));
                data.put("request_id", r.requestId());
                yield new Envelope(Services.CLOCK, data);
            }
            case TimeRequest r -> {
                data.put("kind", "poll");
                data.put("round", r.roundId());
                data.put("coordinator_send_ms", r.coordinatorSendMillis());
                yield new Envelope(BERKELEY, data);
            }
            case TimeReply r -> {
                data.put("kind", "reply");
                data.put("round", r.roundId());
                data.put("coordinator_send_ms", r.coordinatorSendMillis());
                data.put("follower_clock_ms", r.followerClockMillis());
                data.put("adjustment_count", r.followerAdjustmentCount());
                yield new Envelope(BERKELEY, data);
            }
            case TimeAdjustment r -> {
                data.put("kind", "adjustment");
                data.put("round", r.roundId());
                data.put("delta_ms", r.deltaMillis());
                data.put("adjustment_count", r.followerAdjustmentCount());
                yield new Envelope(BERKELEY, data);
            }
        };
    }

    /** Encodes a membership list. */
    public static Envelope encodeMembers(List<PeerMember> members) {
        List<Object> items = new ArrayList<>(members.size());
        for (PeerMember member : members) {
            items.add(member.toMap());
        }
        return new Envelope(MEMBERS, Map.of("members", items));
    }

    /**
     * Decodes a coordination message.
     *
     * @param envelope the received envelope
     * @param clockRequestIdIfAbsent the request id to assume for a {@code clock} reply without
     *     {@code request_id} (a foreign server's): the one we last sent to that peer
     * @param limits name limits
     * @return the message, or empty for a service this codec does not know (e.g. replication's)
     * @throws ProtocolException if a known service has missing or mistyped fields
     */
    public static Optional<Decoded> decode(Envelope envelope, long clockRequestIdIfAbsent, Limits limits) {
        Fields f = envelope.fields();
        return switch (envelope.service()) {
            case Services.ELECTION -> Optional.of(new Decoded.Election(decodeElection(f, limits)));
            case COORDINATOR_HEARTBEAT -> Optional.of(new Decoded.Election(new CoordinatorHeartbeat()));
            case Services.CLOCK ->
                Optional.of(new Decoded.Berkeley(
                        f.has("time")
                                ? new ClockReply(
                                        f.optionalLong("request_id", clockRequestIdIfAbsent),
                                        Timestamps.toEpochMillis(Timestamps.toEpochSeconds(
                                                "time", f.asMap().get("time"))))
                                : new ClockRequest(f.optionalLong("request_id", 0))));
            case BERKELEY -> Optional.of(new Decoded.Berkeley(decodeBerkeley(f, limits)));
            case MEMBERS ->
                Optional.of(new Decoded.Members(decodeMembers(f.asMap().get("members"), limits)));
            default -> Optional.empty();
        };
    }

    private static ElectionMessage decodeElection(Fields f, Limits limits) {
        if (f.has("coordinator")) {
            return new CoordinatorAnnouncement(f.requireName("coordinator", limits.nameCharsMax()));
        }
        if (f.has("election")) {
            return new ElectionOk();
        }
        return new ElectionRequest();
    }

    private static BerkeleyMessage decodeBerkeley(Fields f, Limits limits) {
        String kind = f.requireText("kind", limits.nameCharsMax());
        long round = f.requireLong("round");
        return switch (kind) {
            case "poll" -> new TimeRequest(round, f.requireLong("coordinator_send_ms"));
            case "reply" ->
                new TimeReply(
                        round,
                        f.requireLong("coordinator_send_ms"),
                        f.requireLong("follower_clock_ms"),
                        f.requireLong("adjustment_count"));
            case "adjustment" ->
                new TimeAdjustment(round, f.requireLong("delta_ms"), f.requireLong("adjustment_count"));
            default -> throw new ProtocolException("field 'kind' must be poll, reply or adjustment, was " + kind);
        };
    }

    /**
     * Decodes a list in the reference's {@code list} shape; items without a valid name or rank are
     * skipped (a foreign reference may send less).
     *
     * @param value the {@code list} or {@code members} field
     * @param limits name limits
     * @return the members
     */
    public static List<PeerMember> decodeMembers(Object value, Limits limits) {
        if (!(value instanceof List<?> items)) {
            throw new ProtocolException("field 'members' must be a list");
        }
        List<PeerMember> members = new ArrayList<>(items.size());
        for (Object item : items) {
            if (item instanceof Map<?, ?> map
                    && map.get("name") instanceof String name
                    && !name.isEmpty()
                    && name.length() <= limits.nameCharsMax()
                    && map.get("rank") instanceof Long rank) {
                Object address = map.get("address");
                members.add(new PeerMember(name, rank, address instanceof String a && !a.isEmpty() ? a : null));
            }
        }
        return members;
    }
}
