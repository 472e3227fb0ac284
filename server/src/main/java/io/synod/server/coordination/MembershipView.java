package io.synod.server.coordination;

import io.synod.messaging.peer.CoordinationCodec.PeerMember;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * This server's view of the membership (requirement P3): the reference's {@code list} while it is
 * fresh; once the reference has been silent for {@code referenceFreshMillis}, the last list it gave
 * plus what the peers disseminate ({@code members} messages), each peer-learnt entry forgotten
 * {@code gossipMemberAgeMaxMillis} after it was last mentioned. So a running cluster keeps its
 * membership, and elects, while the reference is down. This server is always a member once its
 * rank is known.
 *
 * <p>Times are monotonic milliseconds passed in by the caller.
 *
 * <p>Thread-safety: not thread-safe; owned by the server's event loop.
 */
final class MembershipView {
    private final String selfName;
    private final long referenceFreshMillis;
    private final long gossipMemberAgeMaxMillis;
    private final SortedMap<String, PeerMember> referenceMembers = new TreeMap<>();
    private final Map<String, Gossiped> gossipMembers = new HashMap<>();
    private long referenceListAtMillis = Long.MIN_VALUE;
    private PeerMember self;

    private record Gossiped(PeerMember member, long heardAtMillis) {}

    MembershipView(String selfName, long referenceFreshMillis, long gossipMemberAgeMaxMillis) {
        this.selfName = Objects.requireNonNull(selfName, "selfName");
        this.referenceFreshMillis = referenceFreshMillis;
        this.gossipMemberAgeMaxMillis = gossipMemberAgeMaxMillis;
    }

    /** This server's own entry, once its rank is known. */
    void setSelf(long rank, String address) {
        self = new PeerMember(selfName, rank, address);
    }

    /** The reference answered {@code list}. */
    void referenceList(List<PeerMember> members, long nowMillis) {
        referenceMembers.clear();
        for (PeerMember member : members) {
            referenceMembers.put(member.name(), member);
        }
        referenceListAtMillis = nowMillis;
    }

    /** A peer sent its view. */
    void gossip(List<PeerMember> members, long nowMillis) {
        for (PeerMember member : members) {
            gossipMembers.put(member.name(), new Gossiped(member, nowMillis));
        }
    }

    /** @return the rank of {@code name} as last heard from anybody, or 0 */
    long rankOf(String name, long nowMillis) {
        PeerMember member = members(nowMillis).get(name);
        if (member != null) {
            return member.rank();
        }
        Gossiped gossiped = gossipMembers.get(name);
        return gossiped == null ? 0 : gossiped.member().rank();
    }

    /** @return whether the reference's list is fresh */
    boolean referenceFresh(long nowMillis) {
        return referenceListAtMillis != Long.MIN_VALUE && nowMillis - referenceListAtMillis <= referenceFreshMillis;
    }

    /** @return the members by name, this server included once its rank is known */
    SortedMap<String, PeerMember> members(long nowMillis) {
        SortedMap<String, PeerMember> result = new TreeMap<>(referenceMembers);
        if (!referenceFresh(nowMillis)) {
            gossipMembers.values().removeIf(g -> nowMillis - g.heardAtMillis() > gossipMemberAgeMaxMillis);
            for (Gossiped g : gossipMembers.values()) {
                result.putIfAbsent(g.member().name(), g.member());
            }
        }
        if (self != null) {
            result.put(selfName, self);
        } else {
            result.remove(selfName);
        }
        return result;
    }
}
