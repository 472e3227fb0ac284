package io.synod.consensus;

/**
 * A Paxos ballot (proposal number), totally ordered by {@code round} then {@code nodeId}; distinct proposers never
 * share a ballot because the node id breaks ties (Paxos Made Simple, section 2.2: "different proposers choose their
 * numbers from disjoint sets").
 *
 * <p>Immutable; thread-safe.
 */
public record Ballot(long round, int nodeId) implements Comparable<Ballot> {
    /** The ballot below every real ballot: nothing has been promised. */
    public static final Ballot ZERO = new Ballot(0, 0);

    public Ballot {
        PaxosInvariants.require(round >= 0, "ballot round must be >= 0");
        PaxosInvariants.require(nodeId >= 0, "ballot node id must be >= 0");
    }

    @Override
    public int compareTo(Ballot other) {
        int byRound = Long.compare(round, other.round);
        return byRound != 0 ? byRound : Integer.compare(nodeId, other.nodeId);
    }

    /** True when this ballot is strictly greater than {@code other}. */
    public boolean greaterThan(Ballot other) {
        return compareTo(other) > 0;
    }

    /** True when this ballot is greater than or equal to {@code other}. */
    public boolean atLeast(Ballot other) {
        return compareTo(other) >= 0;
    }

    @Override
    public String toString() {
        return round + "." + nodeId;
    }
}
