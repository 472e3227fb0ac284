package io.synod.consensus;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The proposer/leader role of Multi-Paxos (Paxos Made Simple, section 3 "Implementing a State Machine"): as a
 * candidate it runs phase 1 once for every open slot (the prepare phase); as the distinguished leader it runs phase 2
 * for a pipelined window of at most {@link PaxosConfig#inflightSlotsMax()} slots (the accept phase), packing up to
 * {@link PaxosConfig#batchCommandsMax()} queued commands into each slot and filling gaps it inherited with no-ops.
 *
 * <p>Not thread-safe: owned by one {@link PaxosReplica}, which routes messages and ticks to it.
 */
final class Leader {
    /** Where this replica stands in the leader election. */
    enum Role {
        FOLLOWER,
        CANDIDATE,
        LEADER
    }

    /** One slot of the accept phase that has no quorum yet. */
    private static final class InflightSlot {
        final Batch value;
        final TreeSet<Integer> acceptedBy = new TreeSet<>();
        /** The voters sent the Accept: first {@link #acceptTargets}, then everyone a retry reached. */
        final TreeSet<Integer> sentTo;

        long sentTick;

        InflightSlot(Batch value, long sentTick, List<Integer> sentTo) {
            this.value = value;
            this.sentTick = sentTick;
            this.sentTo = new TreeSet<>(sentTo);
        }
    }

    private final PaxosConfig config;
    private final Outbox out;
    private final Learner learner;
    private final Set<Mutation> mutations;
    private Role role = Role.FOLLOWER;
    private Ballot ballot = Ballot.ZERO;
    private long ticks;

    // Prepare phase.
    private final TreeMap<Integer, PaxosMessage.Promise> promises = new TreeMap<>();
    private long catchUpTargetSlot;
    private int catchUpSource = -1;

    // Accept phase.
    private final List<Membership> prepared = new ArrayList<>();
    private final TreeMap<Long, AcceptedEntry> recovered = new TreeMap<>();
    private long recoveredMaxSlot;
    private long nextSlot;
    private final TreeMap<Long, InflightSlot> inflight = new TreeMap<>();
    private final ArrayDeque<LogCommand> queued = new ArrayDeque<>();
    /** The tick each peer was last heard from at our ballot (a vote or a heartbeat reply), for {@link #acceptTargets}. */
    private final TreeMap<Integer, Long> heardAtTick = new TreeMap<>();

    private boolean needsNewBallot;
    private long prunedAtLearnedCount = -1;

    Leader(PaxosConfig config, Outbox out, Learner learner, Set<Mutation> mutations) {
        this.config = config;
        this.out = out;
        this.learner = learner;
        this.mutations = mutations;
    }

    Role role() {
        return role;
    }

    Ballot ballot() {
        return ballot;
    }

    int inflightSlots() {
        return inflight.size();
    }

    int queuedCommands() {
        return queued.size();
    }

    /** True once, after the leader found that a new membership needs a fresh phase 1; cleared by the call. */
    boolean takeNeedsNewBallot() {
        boolean result = needsNewBallot;
        needsNewBallot = false;
        return result;
    }

    /** The peer to catch up from while phase 1 waits for our decided prefix to reach a promiser's, or -1. */
    int catchUpSourceIfBehind() {
        return role == Role.CANDIDATE && learner.decidedPrefixSlot() < catchUpTargetSlot ? catchUpSource : -1;
    }

    /** Drops every leadership ambition and queued command (clients retry elsewhere). */
    void stepDown() {
        role = Role.FOLLOWER;
        promises.clear();
        prepared.clear();
        recovered.clear();
        inflight.clear();
        queued.clear();
        catchUpTargetSlot = 0;
    }

    /** Phase 1a: asks every voter governing the open slots to promise {@code newBallot}. */
    void startPrepare(Ballot newBallot) {
        stepDown();
        role = Role.CANDIDATE;
        ballot = newBallot;
        long fromSlot = learner.decidedPrefixSlot() + 1;
        if (mutations.contains(Mutation.SKIP_PHASE_ONE)) {
            becomeLeader();
            return;
        }
        TreeSet<Integer> targets = new TreeSet<>();
        for (Membership m : windowMemberships()) {
            targets.addAll(m.voters());
        }
        out.sendAll(List.copyOf(targets), new PaxosMessage.Prepare(ballot, fromSlot));
    }

    private List<Membership> windowMemberships() {
        long first = learner.decidedPrefixSlot() + 1;
        return learner.timeline().between(first, first + config.inflightSlotsMax() - 1);
    }

    /** Phase 1b received. */
    void onPromise(int from, PaxosMessage.Promise promise) {
        if (role != Role.CANDIDATE || !promise.ballot().equals(ballot)) {
            return;
        }
        promises.put(from, promise);
        for (LogEntry entry : promise.decided()) {
            learner.learn(entry.slot(), entry.value());
        }
        if (promise.decidedPrefixSlot() > catchUpTargetSlot) {
            catchUpTargetSlot = promise.decidedPrefixSlot();
            catchUpSource = from;
        }
        tryFinishPrepare();
    }

    /** Completes phase 1 once a quorum of every governing membership promised and we caught up with them. */
    void tryFinishPrepare() {
        if (role != Role.CANDIDATE || learner.decidedPrefixSlot() < catchUpTargetSlot) {
            return;
        }
        for (Membership m : windowMemberships()) {
            if (!isQuorum(m, promises.keySet())) {
                return;
            }
        }
        becomeLeader();
    }

    private void becomeLeader() {
        role = Role.LEADER;
        prepared.addAll(windowMemberships());
        heardAtTick.clear();
        for (Membership m : windowMemberships()) {
            for (int voter : m.voters()) {
                heardAtTick.put(voter, ticks); // every voter counts as live until it stays silent
            }
        }
        long prefix = learner.decidedPrefixSlot();
        recoveredMaxSlot = learner.highestKnownSlot();
        for (PaxosMessage.Promise promise : promises.values()) {
            for (AcceptedEntry entry : promise.accepted()) {
                recoveredMaxSlot = Math.max(recoveredMaxSlot, entry.slot());
                AcceptedEntry best = recovered.get(entry.slot());
                boolean adopt = !mutations.contains(Mutation.IGNORE_PROMISED_VALUES);
                if (adopt
                        && entry.slot() > prefix
                        && (best == null || entry.ballot().greaterThan(best.ballot()))) {
                    recovered.put(entry.slot(), entry);
                }
            }
        }
        nextSlot = prefix + 1;
    }

    /** Queues a client or membership command; see {@link ProposeOutcome}. */
    ProposeOutcome propose(LogCommand command) {
        if (role != Role.LEADER) {
            return ProposeOutcome.NOT_LEADER;
        }
        if (queued.size() >= config.proposalQueueCommandsMax()) {
            return ProposeOutcome.QUEUE_FULL;
        }
        if (command.isReconfiguration() && reconfigurationPending()) {
            return ProposeOutcome.RECONFIGURATION_PENDING;
        }
        queued.add(command);
        return ProposeOutcome.QUEUED;
    }

    /** True while a membership change is queued, in flight, or decided but not yet governing. */
    boolean reconfigurationPending() {
        if (learner.timeline().latestFromSlot() > learner.decidedPrefixSlot() + 1) {
            return true;
        }
        for (LogCommand c : queued) {
            if (c.isReconfiguration()) {
                return true;
            }
        }
        for (InflightSlot slot : inflight.values()) {
            for (LogCommand c : slot.value.commands()) {
                if (c.isReconfiguration()) {
                    return true;
                }
            }
        }
        return !recovered.isEmpty();
    }

    /** Promotes a learner that caught up (called on its heartbeat reply). */
    void onLearnerProgress(int learnerId, long learnerPrefixSlot) {
        boolean isLearner = learner.timeline().latest().learners().contains(learnerId);
        boolean caughtUp = learnerPrefixSlot + config.learnerLagSlotsMax() >= learner.decidedPrefixSlot();
        if (role == Role.LEADER && isLearner && caughtUp && !reconfigurationPending()) {
            queued.addFirst(new LogCommand.PromoteLearner(learnerId));
        }
    }

    /** Phase 2b received: decides the slot once a quorum of its membership accepted. */
    void onAccepted(int from, PaxosMessage.Accepted accepted) {
        if (role != Role.LEADER || !accepted.ballot().equals(ballot)) {
            return;
        }
        heardAtTick.put(from, ticks);
        InflightSlot slot = inflight.get(accepted.slot());
        if (slot == null) {
            return;
        }
        slot.acceptedBy.add(from);
        Membership m = learner.timeline().at(accepted.slot());
        if (isQuorum(m, slot.acceptedBy)) {
            inflight.remove(accepted.slot());
            learner.learn(accepted.slot(), slot.value);
            // The voters were sent the Accept (first, on a link that keeps order): they hold the value and need only
            // be told it is decided. The other members (learners, members of a later configuration) need the value.
            List<Integer> voters = new ArrayList<>(m.voters());
            voters.remove(Integer.valueOf(config.nodeId()));
            List<Integer> notSent = new ArrayList<>(voters);
            notSent.removeAll(slot.sentTo);
            voters.removeAll(notSent); // a voter left out of the Accept (acceptTargets) needs the value
            if (slot.acceptedBy.contains(config.nodeId())) {
                // Our vote went to every other voter sent the Accept, after it on the same link ({@link
                // PaxosReplica#onAccept}): a voter for which it and its own vote are a quorum (three voters or
                // fewer) learns the slot from them (PaxosReplica#learnFromVote), so a DecidedAt would only wake it
                // once more per write. One that missed the Accept or our vote learns from the heartbeat's decided
                // prefix (a catch-up), as after any lost message.
                voters.removeIf(voter -> m.isQuorum(List.of(config.nodeId(), voter)));
            }
            TreeSet<Integer> others = new TreeSet<>(m.members());
            others.addAll(learner.timeline().latest().members());
            others.removeAll(m.voters());
            others.remove(config.nodeId());
            others.addAll(notSent);
            out.sendAll(voters, new PaxosMessage.DecidedAt(ballot, accepted.slot()));
            out.sendAll(List.copyOf(others), new PaxosMessage.Decision(accepted.slot(), slot.value));
        }
    }

    /** A peer rejected our ballot because it promised a higher one: someone else leads or tries to. */
    void onNack(PaxosMessage.Nack nack) {
        if (role != Role.FOLLOWER
                && nack.rejectedBallot().equals(ballot)
                && nack.promisedBallot().greaterThan(ballot)) {
            stepDown();
        }
    }

    /** One tick: resends accepts that have no quorum after {@link PaxosConfig#acceptRetryTicks()}. */
    void tick() {
        ticks++;
        if (role != Role.LEADER || mutations.contains(Mutation.NO_ACCEPT_RETRY)) {
            return;
        }
        for (var e : inflight.entrySet()) {
            InflightSlot slot = e.getValue();
            if (ticks - slot.sentTick >= config.acceptRetryTicks()) {
                slot.sentTick = ticks;
                List<Integer> missing =
                        new ArrayList<>(learner.timeline().at(e.getKey()).voters());
                missing.removeAll(slot.acceptedBy);
                slot.sentTo.addAll(missing); // a voter left out at first is asked now: a target may be slow
                out.sendAll(missing, new PaxosMessage.Accept(ballot, e.getKey(), slot.value));
            }
        }
    }

    /** Opens as many slots as the window allows (phase 2a). */
    void pump() {
        if (prunedAtLearnedCount != learner.learnedCount()) {
            prunedAtLearnedCount = learner.learnedCount(); // prune only when something new was decided
            inflight.keySet().removeIf(learner::isDecided);
            recovered.keySet().removeIf(learner::isDecided);
        }
        while (role == Role.LEADER) {
            long prefix = learner.decidedPrefixSlot();
            nextSlot = Math.max(nextSlot, prefix + 1);
            if (nextSlot > prefix + config.inflightSlotsMax()) {
                return;
            }
            Membership m = learner.timeline().at(nextSlot);
            if (!m.voters().contains(config.nodeId())) {
                // Removed from nextSlot on: open no more slots, but lead the ones still ours to a decision and hand
                // over only then. Stepping down at once abandoned them, and a removed node with the shortest timer
                // won every election and abandoned them again (simulator seed 7007718: no progress).
                if (nextSlot == prefix + 1) {
                    stepDown();
                }
                return;
            }
            if (!prepared.contains(m)) {
                if (!isQuorum(m, promises.keySet()) && !mutations.contains(Mutation.SKIP_PHASE_ONE)) {
                    needsNewBallot = true;
                    return;
                }
                prepared.add(m);
            }
            if (!learner.isDecided(nextSlot)) {
                Batch value = nextValue(nextSlot);
                if (value == null) {
                    return;
                }
                List<Integer> targets = acceptTargets(m);
                inflight.put(nextSlot, new InflightSlot(value, ticks, targets));
                out.sendAll(targets, new PaxosMessage.Accept(ballot, nextSlot, value));
            }
            nextSlot++;
        }
    }

    /** A heartbeat reply at our ballot: {@code from} is live ({@link #acceptTargets}). */
    void onHeartbeatReply(int from, Ballot replyBallot) {
        if (role == Role.LEADER && replyBallot.equals(ballot)) {
            heardAtTick.put(from, ticks);
        }
    }

    /**
     * The voters of a slot that {@code slot}'s Accept went to, this replica included; all of the slot's voters once
     * it is decided or if it is not ours. A voter left out learns the value from the {@link PaxosMessage.Decision}.
     */
    List<Integer> sentTo(long slot, Membership m) {
        InflightSlot open = inflight.get(slot);
        return open == null ? m.voters() : List.copyOf(open.sentTo);
    }

    /**
     * Who a new slot's Accept goes to: this replica and a quorum's worth of the other voters, that is the followers
     * a decision needs plus one spare, so that one slow or failed voter delays no decision (three voters: both
     * followers; five: three of four). A voter left out persists no Accept, sends no vote and learns the value with
     * the decision ({@link PaxosMessage.Decision}, held unsynced like any decision): with five servers one follower's
     * fsync and two messages per slot are saved. Which are left out: voters not heard from (a vote or a heartbeat
     * reply) within two heartbeat intervals first, then the highest ids, so the choice is stable while all are live.
     * A voter silent that long has missed heartbeats; if a target is slow too, the Accept's retry
     * ({@link PaxosConfig#acceptRetryTicks()}) asks everyone who has not voted.
     */
    private List<Integer> acceptTargets(Membership m) {
        int wanted = m.quorumSize(); // the quorum's other members plus one spare
        if (m.voters().size() - 1 <= wanted) {
            return m.voters(); // three or four voters: all (pump opens a slot only where this replica votes)
        }
        List<Integer> others = new ArrayList<>(m.voters());
        others.remove(Integer.valueOf(config.nodeId()));
        long liveSinceTick = ticks - 2L * config.heartbeatIntervalTicks();
        others.sort(
                Comparator.comparing((Integer voter) -> heardAtTick.getOrDefault(voter, Long.MIN_VALUE) < liveSinceTick)
                        .thenComparing(Comparator.naturalOrder()));
        List<Integer> targets = new ArrayList<>(others.subList(0, wanted));
        targets.add(config.nodeId());
        return targets;
    }

    private Batch nextValue(long slot) {
        AcceptedEntry adopted = recovered.remove(slot);
        if (adopted != null) {
            return adopted.value();
        }
        if (slot <= recoveredMaxSlot) {
            return Batch.NOOP;
        }
        if (queued.isEmpty()) {
            return null;
        }
        List<LogCommand> batch = new ArrayList<>();
        while (!queued.isEmpty() && batch.size() < config.batchCommandsMax()) {
            batch.add(queued.poll());
        }
        return new Batch(batch);
    }

    private boolean isQuorum(Membership m, Iterable<Integer> acks) {
        if (!mutations.contains(Mutation.QUORUM_TOO_SMALL)) {
            return m.isQuorum(acks);
        }
        int count = 0;
        for (int node : acks) {
            if (m.voters().contains(node)) {
                count++;
            }
        }
        return count >= Math.max(1, m.quorumSize() - 1);
    }
}
