package io.synod.server.coordination;

import io.synod.messaging.InteractionLog;
import io.synod.messaging.ProcessClock;
import io.synod.messaging.peer.CoordinationCodec;
import io.synod.messaging.peer.CoordinationCodec.PeerMember;
import io.synod.messaging.peer.PeerLinks;
import io.synod.protocol.Envelope;
import io.synod.protocol.ProtocolException;
import io.synod.protocol.Request;
import io.synod.protocol.RequestMeta;
import io.synod.protocol.Services;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who is in the group, as a server's coordination knows it, and its rank: the reference traffic ({@code rank}
 * until the rank is known, then every {@code referenceListIntervalMillis} a {@code heartbeat}, with the
 * advertised peer address so the reference lists this server while its coordination is alive, followed by a
 * {@code list}), the membership the peers gossip ({@link MembershipView}), and what follows a change: the peer
 * links to open or close, the cores' member sets, a {@code membership} event. Before its rank is known (from
 * {@code rank}, or a peer's membership list while the reference is away) only membership is learnt; the cores
 * start once the rank arrives and the membership too.
 *
 * <p>Thread-safety: not thread-safe; owned by the server's event loop.
 */
final class MembershipTracker {
    private static final Logger LOG = LoggerFactory.getLogger(MembershipTracker.class);

    private final CoordinationConfig config;
    private final ProcessClock clock;
    private final InteractionLog log;
    private final PeerLinks links;
    private final ReferenceClient reference;
    private final MembershipView membership;
    private final LongFunction<CoordinationCores> newCores;
    private CoordinationCores cores;
    private long selfRank;
    private SortedMap<String, PeerMember> appliedMembers = new TreeMap<>();
    private long nextReferenceNanos;
    private boolean listNext;
    private long coresStartDeadlineNanos;

    /**
     * @param newCores makes the cores for a rank, once it is known (they are started here)
     */
    MembershipTracker(
            CoordinationConfig config,
            ProcessClock clock,
            InteractionLog log,
            PeerLinks links,
            ReferenceClient reference,
            LongFunction<CoordinationCores> newCores,
            long nowNanos) {
        this.config = config;
        this.clock = clock;
        this.log = log;
        this.links = links;
        this.reference = reference;
        this.newCores = newCores;
        this.membership =
                new MembershipView(config.selfName(), config.referenceFreshMillis(), config.gossipMemberAgeMaxMillis());
        this.nextReferenceNanos = nowNanos;
    }

    /** The cores, or null before they start. */
    CoordinationCores cores() {
        return cores;
    }

    long selfRank() {
        return selfRank;
    }

    SortedMap<String, PeerMember> appliedMembers() {
        return appliedMembers;
    }

    /** The rank the server learnt at startup (its blocking {@code rank}): the first request is then a heartbeat. */
    void startupRank(long rank, long nowNanos) {
        if (rank > 0 && selfRank == 0) {
            becomeRanked(rank, nowNanos);
        }
    }

    /** Members a peer disseminated. */
    void gossip(List<PeerMember> members, long nowNanos) {
        membership.gossip(members, monotonicMillis(nowNanos));
    }

    /** Takes the reference's reply if any, and sends the next request when one is due. */
    void serviceReference(long nowNanos) {
        Envelope reply = reference.poll(nowNanos);
        if (reply != null) {
            onReferenceReply(reply, nowNanos);
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
        // the periodic heartbeat and list would drown the log; their effect, a membership change, is an event
        reference.send(request, request.service().equals(Services.RANK), nowNanos);
        nextReferenceNanos = nowNanos + TimeUnit.MILLISECONDS.toNanos(config.referenceListIntervalMillis());
    }

    /** Nanoseconds until {@link #serviceReference} sends without input (the reply deadline aside). */
    long nanosUntilReferenceDue(long nowNanos) {
        return reference.isIdle() ? Math.max(0, nextReferenceNanos - nowNanos) : reference.nanosUntilDue(nowNanos);
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
     * Starts the election once the rank is known and the membership too (a fresh {@code list}, or after the
     * reference timeout): electing alone first would announce a coordinator that the others bully away a moment
     * later.
     */
    private boolean maybeStartCores(long nowNanos) {
        if (cores != null || selfRank == 0) {
            return false;
        }
        if (!membership.referenceFresh(monotonicMillis(nowNanos)) && nowNanos - coresStartDeadlineNanos < 0) {
            return false;
        }
        cores = newCores.apply(selfRank);
        appliedMembers = new TreeMap<>();
        applyMembership(nowNanos);
        cores.start();
        return true;
    }

    /** Applies what changed in the membership: links, the cores' members, a {@code membership} event. */
    void applyMembership(long nowNanos) {
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
        if (cores != null) {
            cores.setMembers(ranks);
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

    /** Sends this server's membership view to every peer. */
    void sendMembers() {
        if (selfRank == 0 || appliedMembers.isEmpty()) {
            return;
        }
        Envelope envelope = CoordinationCodec.encodeMembers(List.copyOf(appliedMembers.values()));
        for (String peer : links.peers().keySet()) {
            links.send(peer, envelope);
        }
    }

    private static long monotonicMillis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    private void event(String kind, Map<String, Object> data) {
        log.event(kind, clock.lamport().current(), clock.nowSeconds(), data);
    }
}
