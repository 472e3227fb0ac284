package io.synod.consensus;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * One configuration of the cluster: the voting acceptors (whose majorities form quorums) and the non-voting
 * learners (which receive decisions and catch up, but are never counted in a quorum).
 *
 * <p>Both lists are sorted and duplicate-free so iteration order is deterministic. Immutable; thread-safe.
 */
public record Membership(List<Integer> voters, List<Integer> learners) {
    public Membership {
        voters = sortedCopy(voters);
        learners = sortedCopy(learners);
        PaxosInvariants.require(!voters.isEmpty(), "a membership needs at least one voter");
        for (int learner : learners) {
            PaxosInvariants.require(!voters.contains(learner), "node " + learner + " is both voter and learner");
        }
    }

    /** A membership of voters only. */
    public static Membership ofVoters(List<Integer> voters) {
        return new Membership(voters, List.of());
    }

    /** Smallest number of voters that forms a quorum (a strict majority). */
    public int quorumSize() {
        return voters.size() / 2 + 1;
    }

    /** True when {@code acks} (node ids, any order, may include non-voters) contain a quorum of voters. */
    public boolean isQuorum(Iterable<Integer> acks) {
        int count = 0;
        for (int node : acks) {
            if (voters.contains(node)) {
                count++;
            }
        }
        return count >= quorumSize();
    }

    /** True when {@code nodeId} is a voter or a learner. */
    public boolean contains(int nodeId) {
        return voters.contains(nodeId) || learners.contains(nodeId);
    }

    /** Voters then learners. */
    public List<Integer> members() {
        List<Integer> all = new ArrayList<>(voters);
        all.addAll(learners);
        return all;
    }

    /**
     * The membership after {@code command}, or empty when the command does not apply (adding a member, promoting a
     * non-learner, removing a non-member or the last voter). Invalid commands are ignored by every replica alike.
     */
    public Optional<Membership> apply(LogCommand command) {
        return switch (command) {
            case LogCommand.Client client -> Optional.empty();
            case LogCommand.AddLearner add ->
                contains(add.nodeId())
                        ? Optional.empty()
                        : Optional.of(new Membership(voters, plus(learners, add.nodeId())));
            case LogCommand.PromoteLearner promote ->
                !learners.contains(promote.nodeId())
                        ? Optional.empty()
                        : Optional.of(
                                new Membership(plus(voters, promote.nodeId()), minus(learners, promote.nodeId())));
            case LogCommand.RemoveServer remove -> removeServer(remove.nodeId());
        };
    }

    private Optional<Membership> removeServer(int nodeId) {
        if (learners.contains(nodeId)) {
            return Optional.of(new Membership(voters, minus(learners, nodeId)));
        }
        if (!voters.contains(nodeId) || voters.size() == 1) {
            return Optional.empty();
        }
        return Optional.of(new Membership(minus(voters, nodeId), learners));
    }

    private static List<Integer> sortedCopy(List<Integer> nodes) {
        TreeSet<Integer> sorted = new TreeSet<>(nodes);
        PaxosInvariants.require(sorted.size() == nodes.size(), "duplicate node ids in " + nodes);
        return List.copyOf(sorted);
    }

    private static List<Integer> plus(List<Integer> nodes, int node) {
        List<Integer> copy = new ArrayList<>(nodes);
        copy.add(node);
        return copy;
    }

    private static List<Integer> minus(List<Integer> nodes, int node) {
        List<Integer> copy = new ArrayList<>(nodes);
        copy.remove(Integer.valueOf(node));
        return copy;
    }

    @Override
    public String toString() {
        return "voters" + voters + (learners.isEmpty() ? "" : " learners" + learners);
    }
}
