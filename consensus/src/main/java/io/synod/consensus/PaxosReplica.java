package io.synod.consensus;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.random.RandomGenerator;

/**
 * One Multi-Paxos replica: acceptor, leader (proposer) and learner in one pure, deterministic state machine. It
 * performs no I/O, reads no clock and starts no threads; time arrives as {@link #tick()} calls and randomness from the
 * seeded {@link RandomGenerator} passed in (used only to randomise election timeouts).
 *
 * <p>Call order (the driver's loop, on one thread):
 *
 * <pre>
 *   replica = PaxosReplica.create(config, random)            // or restore(config, durableLog.load(), applied, random)
 *   loop:
 *     replica.tick() | replica.step(envelope) | replica.propose(command)   // any number of inputs
 *     ReadyRunner.drain(replica, effects)   // each Ready: send Accepts, persist (fsync), send, install, apply,
 *                                          // replica.advance(ready), snapshot request (the contract: {@link Ready})
 * </pre>
 *
 * No input may be given between {@link #ready()} and {@link #advance(Ready)}.
 *
 * <p>Thread-safety: not thread-safe; owned by exactly one thread.
 */
public final class PaxosReplica {
    private final PaxosConfig config;
    private final RandomGenerator random;
    private final Outbox out;
    private final Acceptor acceptor;
    private final Learner learner;
    private final Leader leader;
    private final boolean learnFromAnyVote;
    private final boolean earlyApplyAll;
    private long maxRoundSeen;
    private int electionTimeoutTicks;
    private int electionElapsedTicks;
    private int heartbeatElapsedTicks;
    private int catchUpCooldownTicks;
    private int leaderHint = -1;
    private long previousHeartbeatPrefixSlot;
    private Ballot announcedBallot = Ballot.ZERO;
    private boolean readyOutstanding;
    private long catchUpRequestCount;
    private long decidedAtUnresolvedCount;
    private long learnedFromVotesCount;

    private PaxosReplica(
            PaxosConfig config, DurableState state, long appliedSlot, RandomGenerator random, Set<Mutation> mutations) {
        this.config = config;
        this.random = random;
        this.out = new Outbox(config.nodeId());
        boolean forget = mutations.contains(Mutation.FORGET_PROMISE_ON_RESTART);
        this.learnFromAnyVote = mutations.contains(Mutation.LEARN_FROM_ANY_VOTE);
        this.earlyApplyAll = mutations.contains(Mutation.EARLY_APPLY_OWN_UNPERSISTED_VOTE);
        this.acceptor = new Acceptor(
                out,
                mutations,
                forget ? Ballot.ZERO : state.promised(),
                forget ? new java.util.TreeMap<>() : state.accepted());
        this.learner = new Learner(config, out, acceptor, state, appliedSlot);
        this.leader = new Leader(config, out, learner, mutations);
        this.maxRoundSeen = acceptor.promised().round();
        resetElectionTimer();
    }

    /** A fresh replica with nothing persisted. */
    public static PaxosReplica create(PaxosConfig config, RandomGenerator random) {
        return restore(config, DurableState.empty(), 0, random);
    }

    /**
     * A replica restarted from what it persisted. {@code appliedSlot} is the last slot the driver's (durable)
     * application state reflects; decided entries after it are handed out again in the first {@link Ready}, and if
     * it lies behind the snapshot, the snapshot is handed out for installation first.
     */
    public static PaxosReplica restore(
            PaxosConfig config, DurableState state, long appliedSlot, RandomGenerator random) {
        return new PaxosReplica(config, state, appliedSlot, random, EnumSet.noneOf(Mutation.class));
    }

    /** As {@link #restore(PaxosConfig, DurableState, long, RandomGenerator)} with deliberate bugs, for tests. */
    static PaxosReplica restore(
            PaxosConfig config, DurableState state, long appliedSlot, RandomGenerator random, Set<Mutation> mutations) {
        return new PaxosReplica(config, state, appliedSlot, random, Set.copyOf(mutations));
    }

    /** One logical tick: drives heartbeats, election timeouts, accept retries and catch-up retries. */
    public void tick() {
        checkNoReadyOutstanding();
        catchUpCooldownTicks = Math.max(0, catchUpCooldownTicks - 1);
        leader.tick();
        if (leader.role() == Leader.Role.LEADER) {
            if (++heartbeatElapsedTicks >= config.heartbeatIntervalTicks()) {
                broadcastHeartbeat();
            }
        } else if (++electionElapsedTicks >= electionTimeoutTicks && isVoter()) {
            startElection();
        }
        int source = leader.catchUpSourceIfBehind();
        if (source >= 0) {
            requestCatchUp(source);
        }
        settle();
    }

    /** Delivers one message from a peer. Messages may arrive late, twice, or never. */
    public void step(PaxosEnvelope envelope) {
        checkNoReadyOutstanding();
        PaxosInvariants.require(envelope.target() == config.nodeId(), "envelope for " + envelope.target());
        handle(envelope.source(), envelope.message());
        settle();
    }

    /**
     * Offers a command. Only the leader queues it; see {@link ProposeOutcome}. A queued command is decided at most
     * once per proposal, but a client retry may lead to a second decided copy: the state machine deduplicates by
     * client and request id.
     */
    public ProposeOutcome propose(LogCommand command) {
        checkNoReadyOutstanding();
        ProposeOutcome outcome = leader.propose(command);
        settle();
        return outcome;
    }

    /**
     * Offers several commands at once: each is queued as by {@link #propose(LogCommand)}, then the window is filled
     * once, so commands that arrive together share slots (up to {@link PaxosConfig#batchCommandsMax()} per slot)
     * instead of each taking a slot of its own. The driver's group commit: one call per turn of its event loop.
     *
     * @return one outcome per command, in order
     */
    public List<ProposeOutcome> proposeAll(List<? extends LogCommand> commands) {
        checkNoReadyOutstanding();
        List<ProposeOutcome> outcomes = new ArrayList<>(commands.size());
        for (LogCommand command : commands) {
            outcomes.add(leader.propose(command));
        }
        settle();
        return outcomes;
    }

    /** True when {@link #ready()} has work for the driver. */
    public boolean hasReady() {
        return out.hasReady();
    }

    /** The driver's obligations, in order; see {@link Ready}. Must be followed by {@link #advance(Ready)}. */
    public Ready ready() {
        checkNoReadyOutstanding();
        readyOutstanding = true;
        return out.toReady(earlyApplyAll);
    }

    /** The driver persisted, sent and applied {@code handled}, the last {@link #ready()}. */
    public void advance(Ready handled) {
        PaxosInvariants.require(readyOutstanding, "advance without ready");
        PaxosInvariants.require(handled != null, "advance needs the handled Ready");
        readyOutstanding = false;
        out.clear();
    }

    /**
     * The driver serialised its application state as of {@code slot} (the slot it was asked for in
     * {@link Ready#snapshotRequestSlot()}, or any later applied one): the core keeps it and truncates the log behind
     * it.
     */
    public void snapshotTaken(long slot, byte[] state) {
        checkNoReadyOutstanding();
        learner.snapshotTaken(slot, state);
    }

    /** The node this replica believes leads, if any. */
    public OptionalInt leaderHint() {
        if (leader.role() == Leader.Role.LEADER) {
            return OptionalInt.of(config.nodeId());
        }
        return leaderHint >= 0 ? OptionalInt.of(leaderHint) : OptionalInt.empty();
    }

    /** True while this replica runs the accept phase as leader. */
    public boolean isLeader() {
        return leader.role() == Leader.Role.LEADER;
    }

    /** Every slot up to this one is decided (and known here, or covered by the snapshot). */
    public long decidedPrefixSlot() {
        return learner.decidedPrefixSlot();
    }

    /** The last slot handed to the driver for applying. */
    public long appliedSlot() {
        return learner.appliedSlot();
    }

    /** The last slot covered by the snapshot, 0 without one. */
    public long snapshotSlot() {
        return learner.snapshotSlot();
    }

    /** Highest ballot this replica's acceptor promised. */
    public Ballot promisedBallot() {
        return acceptor.promised();
    }

    /** The newest membership this replica knows (possibly not yet governing). */
    public Membership latestMembership() {
        return learner.timeline().latest();
    }

    /** The membership governing {@code slot}, as far as this replica knows. */
    public Membership membershipAt(long slot) {
        return learner.timeline().at(slot);
    }

    /** How many catch-up requests this replica sent (statistics). */
    public long catchUpRequestCount() {
        return catchUpRequestCount;
    }

    /**
     * How many slots this replica learned from its own vote and the leader's ({@link #learnFromVote}), before the
     * leader's {@link PaxosMessage.DecidedAt} (statistics).
     */
    public long learnedFromVotesCount() {
        return learnedFromVotesCount;
    }

    /** How many {@link PaxosMessage.DecidedAt}s named a value this replica did not hold (statistics). */
    public long decidedAtUnresolvedCount() {
        return decidedAtUnresolvedCount;
    }

    /** This replica's node id. */
    public int nodeId() {
        return config.nodeId();
    }

    @Override
    public String toString() {
        return "n" + config.nodeId() + "[" + leader.role() + " b=" + leader.ballot() + " p=" + acceptor.promised()
                + " prefix=" + learner.decidedPrefixSlot() + " snap=" + learner.snapshotSlot() + " inflight="
                + leader.inflightSlots() + " queued=" + leader.queuedCommands() + " " + latestMembership() + "]";
    }

    private void handle(int from, PaxosMessage message) {
        switch (message) {
            case PaxosMessage.Prepare p -> onPrepare(from, p);
            case PaxosMessage.Promise p -> {
                leader.onPromise(from, p);
                int source = leader.catchUpSourceIfBehind();
                if (source >= 0) {
                    requestCatchUp(source); // a voter decided more than we know: phase 1 ends once we caught up
                }
            }
            case PaxosMessage.Accept a -> onAccept(from, a);
            case PaxosMessage.Accepted a -> {
                leader.onAccepted(from, a);
                learnFromVote(from, a);
            }
            case PaxosMessage.Nack n -> {
                observe(n.promisedBallot());
                leader.onNack(n);
            }
            case PaxosMessage.Decision d -> learner.learn(d.slot(), d.value());
            case PaxosMessage.DecidedAt c -> {
                if (!learner.learnDecidedAt(c.slot(), c.ballot())) {
                    decidedAtUnresolvedCount++;
                    requestCatchUp(from); // our Accept was lost or is still on its way
                }
            }
            case PaxosMessage.Heartbeat h -> onHeartbeat(from, h);
            case PaxosMessage.HeartbeatReply r -> onHeartbeatReply(from, r);
            case PaxosMessage.CatchUpRequest r -> out.send(from, learner.catchUpFrom(r.fromSlot()));
            case PaxosMessage.CatchUpReply r -> onCatchUpReply(from, r);
        }
    }

    private void onPrepare(int from, PaxosMessage.Prepare prepare) {
        observe(prepare.ballot());
        Ballot before = acceptor.promised();
        PaxosMessage reply = acceptor.onPrepare(prepare, learner);
        if (from != config.nodeId() && prepare.ballot().greaterThan(before)) {
            if (leader.role() != Leader.Role.FOLLOWER && prepare.ballot().greaterThan(leader.ballot())) {
                leader.stepDown();
            }
            resetElectionTimer();
        }
        out.send(from, reply);
    }

    private void onAccept(int from, PaxosMessage.Accept accept) {
        observe(accept.ballot());
        if (accept.slot() <= learner.decidedPrefixSlot() && accept.slot() > learner.snapshotSlot()) {
            out.send(from, new PaxosMessage.Decision(accept.slot(), learner.decidedValue(accept.slot())));
            return;
        }
        PaxosMessage reply = acceptor.onAccept(accept, learner.snapshotSlot());
        if (reply instanceof PaxosMessage.Accepted && from != config.nodeId()) {
            followLeader(from, accept.ballot());
        }
        if (reply != null) {
            out.send(from, reply);
        }
        if (reply instanceof PaxosMessage.Accepted && from == config.nodeId()) {
            // The leader's own vote goes to the slot's other voters as well (like every vote, only once persisted;
            // the Accepts may have left before): with their own vote it may already be a quorum.
            List<Integer> others = new ArrayList<>(
                    leader.sentTo(accept.slot(), learner.timeline().at(accept.slot())));
            others.remove(Integer.valueOf(config.nodeId()));
            out.sendAll(others, reply);
        }
    }

    /**
     * Learning a chosen value from votes (Paxos Made Simple, 2.3): an {@link PaxosMessage.Accepted} is an acceptor's
     * vote, and the leader's comes to every voter of the slot ({@link #onAccept}). A replica that voted for the same
     * slot at the same ballot holds two votes for one value (a ballot proposes one value per slot); where two votes
     * are a quorum of the slot's membership (three voters or fewer) the value is chosen, and this replica learns it
     * as soon as its own vote is persisted (the record goes out in the same {@link Ready}, before anything is
     * applied), a round trip before the leader's {@link PaxosMessage.DecidedAt}. The slot's membership is only
     * certain here within {@link PaxosConfig#inflightSlotsMax()} of the decided prefix (the alpha rule), as for the
     * leader's own proposals. Only a follower learns so: a leader learns from its {@link Leader#onAccepted} count,
     * which also tells the other members, and a candidate re-proposes what it finds in phase 1, which does too.
     */
    private void learnFromVote(int from, PaxosMessage.Accepted vote) {
        long slot = vote.slot();
        if (from == config.nodeId()
                || leader.role() != Leader.Role.FOLLOWER
                || learner.isDecided(slot)
                || slot > learner.decidedPrefixSlot() + config.inflightSlotsMax()) {
            return;
        }
        AcceptedEntry mine = acceptor.acceptedAt(slot);
        if (mine == null || (!mine.ballot().equals(vote.ballot()) && !learnFromAnyVote)) {
            return;
        }
        if (learner.timeline().at(slot).isQuorum(List.of(config.nodeId(), from))) {
            learner.learn(slot, mine.value());
            learnedFromVotesCount++;
        }
    }

    private void onHeartbeat(int from, PaxosMessage.Heartbeat heartbeat) {
        observe(heartbeat.ballot());
        if (!heartbeat.ballot().atLeast(acceptor.promised())) {
            out.send(from, new PaxosMessage.Nack(heartbeat.ballot(), acceptor.promised()));
            return;
        }
        followLeader(from, heartbeat.ballot());
        out.send(from, new PaxosMessage.HeartbeatReply(heartbeat.ballot(), learner.decidedPrefixSlot()));
        // Decisions may simply be in flight: ask only when we still lag behind the previous heartbeat's prefix.
        if (learner.decidedPrefixSlot() < Math.min(heartbeat.decidedPrefixSlot(), previousHeartbeatPrefixSlot)) {
            requestCatchUp(from);
        }
        previousHeartbeatPrefixSlot = heartbeat.decidedPrefixSlot();
    }

    private void onHeartbeatReply(int from, PaxosMessage.HeartbeatReply reply) {
        leader.onHeartbeatReply(from, reply.ballot());
        leader.onLearnerProgress(from, reply.decidedPrefixSlot());
        if (reply.decidedPrefixSlot() > learner.decidedPrefixSlot()) {
            requestCatchUp(from); // a leader can lag: decisions of an older ballot reached others after phase 1
        }
    }

    private void followLeader(int from, Ballot ballot) {
        leaderHint = from;
        resetElectionTimer();
        if (leader.role() != Leader.Role.FOLLOWER && ballot.greaterThan(leader.ballot())) {
            leader.stepDown();
        }
    }

    private void onCatchUpReply(int from, PaxosMessage.CatchUpReply reply) {
        catchUpCooldownTicks = 0;
        if (reply.snapshot().isPresent() && reply.snapshot().get().lastIncludedSlot() > learner.decidedPrefixSlot()) {
            if (leader.role() == Leader.Role.LEADER) {
                leader.stepDown();
            }
            learner.install(reply.snapshot().get());
        }
        long before = learner.decidedPrefixSlot();
        for (LogEntry entry : reply.entries()) {
            learner.learn(entry.slot(), entry.value());
        }
        boolean progressed = learner.decidedPrefixSlot() > before;
        if (progressed && reply.entries().size() >= config.catchUpSlotsMax()) {
            requestCatchUp(from);
        }
    }

    private void requestCatchUp(int from) {
        if (catchUpCooldownTicks > 0) {
            return;
        }
        catchUpCooldownTicks = config.catchUpRetryTicks();
        catchUpRequestCount++;
        out.send(from, new PaxosMessage.CatchUpRequest(learner.decidedPrefixSlot() + 1));
    }

    private void broadcastHeartbeat() {
        heartbeatElapsedTicks = 0;
        TreeSet<Integer> targets = new TreeSet<>(learner.timeline().latest().members());
        targets.addAll(learner.timeline().at(learner.decidedPrefixSlot() + 1).members());
        targets.remove(config.nodeId());
        out.sendAll(List.copyOf(targets), new PaxosMessage.Heartbeat(leader.ballot(), learner.decidedPrefixSlot()));
    }

    private boolean isVoter() {
        return learner.timeline().at(learner.decidedPrefixSlot() + 1).voters().contains(config.nodeId());
    }

    private void startElection() {
        long round = Math.max(maxRoundSeen, acceptor.promised().round()) + 1;
        maxRoundSeen = round;
        resetElectionTimer();
        leaderHint = -1;
        leader.startPrepare(new Ballot(round, config.nodeId()));
    }

    private void observe(Ballot ballot) {
        maxRoundSeen = Math.max(maxRoundSeen, ballot.round());
    }

    private void resetElectionTimer() {
        electionElapsedTicks = 0;
        int spread = config.electionTimeoutTicksMax() - config.electionTimeoutTicksMin();
        electionTimeoutTicks = config.electionTimeoutTicksMin() + random.nextInt(spread + 1);
    }

    /** Delivers self-addressed messages, then lets the leader finish phase 1 and open slots. */
    private void settle() {
        for (int round = 0; round < 1_000_000; round++) {
            while (!out.local.isEmpty()) {
                handle(config.nodeId(), out.local.poll());
            }
            leader.tryFinishPrepare();
            leader.pump();
            if (leader.takeNeedsNewBallot()) {
                startElection();
            }
            if (leader.role() == Leader.Role.LEADER && !leader.ballot().equals(announcedBallot)) {
                announcedBallot = leader.ballot();
                leaderHint = config.nodeId();
                broadcastHeartbeat();
            }
            if (out.local.isEmpty()) {
                return;
            }
        }
        PaxosInvariants.check(false, "settle did not converge");
    }

    private void checkNoReadyOutstanding() {
        PaxosInvariants.require(!readyOutstanding, "call advance(ready) before feeding the replica again");
    }
}
