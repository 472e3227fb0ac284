package io.synod.server.replication;

import io.synod.consensus.DurableState;
import io.synod.consensus.PaxosReplica;
import io.synod.consensus.Ready;
import io.synod.consensus.ReadyRunner;
import io.synod.core.ChatStateMachine;
import io.synod.core.Command;
import io.synod.messaging.IdleWake;
import io.synod.messaging.InteractionLog;
import io.synod.messaging.ProcessClock;
import io.synod.messaging.peer.PeerInbound;
import io.synod.messaging.peer.StreamPeerLinks;
import io.synod.messaging.zmtp.SelectorParty;
import io.synod.protocol.Publication;
import io.synod.store.Checkpoints;
import io.synod.store.RocksDbChatStore;
import io.synod.store.RocksDbDurableLog;
import java.nio.channels.Selector;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs one {@link PaxosReplica} inside a chat server and connects it to the chat state machine, the peer links and
 * the clients' requests: the facade of the replication pieces, which it wires and calls in a turn's order.
 *
 * <p><b>Owner and call order.</b> Everything here is owned by the server's event-loop thread (the same thread that
 * owns the {@link ChatStateMachine}): {@link #open}, then turns of {@link #awaitInput} (wait for the broker socket or
 * a peer, take the peers' messages), {@link #submit} (the turn's writes) and {@link #flush} (the turn's work and its
 * answers), then {@link #close}. Only {@link #statusFields()} may be called from other threads (it reads a volatile,
 * immutable map).
 *
 * <p><b>The pieces</b>, each owned by the same thread: {@link PendingWrites} (a write from {@link #submit} to its
 * {@link Completion}: routing, retries, expiry), {@link ReadyEffects} (carrying out each {@link Ready} through {@link
 * ReadyRunner}: persist, send, install, apply), {@link CommandApplier} (decided entries into the chat state machine),
 * {@link Deliveries} (publishing while leading, keeping and republishing as a follower), {@link SnapshotTransfer}
 * (checkpoints taken, installed, served and fetched), {@link AddressBook} and {@link MembershipChanges} (who is where;
 * joins and removals), {@link PeerMessages} (each peer message to its piece) and {@link ReplicationStatus} ({@code
 * /status}).
 *
 * <p><b>Group commit.</b> Inputs of a turn (peer messages, ticks, proposals) are fed to the replica without draining;
 * {@link #flush} proposes the turn's writes together ({@link PaxosReplica#proposeAll}: they share slots) and then
 * drains the replica's Readys, so at most one fsync per turn, however many writes the turn carried. The chat
 * store's writes are not synced per turn (see {@link CommandApplier}): the state is synced every {@code
 * STATE_SYNC_INTERVAL_MILLIS}, between turns, so that no answer waits for it.
 *
 * @param <T> what waits for each write or barrier, handed back in its {@link Completion} (the server's: where and
 *     how to answer)
 */
public final class ReplicationDriver<T> implements AutoCloseable {
    /**
     * With no input, the loop sleeps this many ticks and then runs them together (at most {@code
     * TICKS_PER_TURN_MAX} per turn). The core's timers are 4 ticks and more (accept retry 4, catch-up retry 6,
     * heartbeat 10, election 50-100), so they fire up to 4 ticks late when idle, and on time under load (any
     * input wakes the loop).
     */
    static final int TICKS_PER_IDLE_WAKE = 5;
    /** Most ticks a sole voter runs at construction to elect itself (its longest election timeout, and then some). */
    static final int ELECTION_TICKS_ALONE_MAX = ReplicationConfig.ELECTION_TIMEOUT_TICKS_MAX + 10;
    /** Most ticks run in one turn; after a longer stall the rest are skipped (no storm of timeouts). */
    static final int TICKS_PER_TURN_MAX = 10;
    /** How often the applied chat state is synced (it can be replayed from the synced Paxos log meanwhile). */
    private static final long STATE_SYNC_INTERVAL_MILLIS = 200;

    /** Sends publications to the clients (the server's PUB socket); called on the owner thread. */
    @FunctionalInterface
    public interface Publisher {
        /** Publishes {@code publications} in order. */
        void publish(List<Publication> publications);
    }

    /** Told how long each Paxos log write (with its fsync) and each apply of decided entries took; owner thread. */
    public interface Latencies {
        /** Tells nothing. */
        Latencies NONE = new Latencies() {
            @Override
            public void persisted(long nanos) {}

            @Override
            public void applied(long nanos) {}
        };

        /** One write of Paxos records, synced, took {@code nanos}. */
        void persisted(long nanos);

        /** Applying one batch of decided entries took {@code nanos} (with the records written alongside, if any). */
        void applied(long nanos);
    }

    /**
     * Told of what this server's state machine applies, leader or follower (the {@link Publisher} hears only what a
     * leader publishes): derived state such as the search index follows the applied state with it. Called on the
     * owner thread, in apply order.
     */
    public interface AppliedListener {
        /** The command at {@code index} was applied; {@code publications} is its result's (empty when refused). */
        void applied(long index, List<Publication> publications);

        /** A checkpoint's install replaced the whole applied state (the next {@link #applied} follows it). */
        void stateReplaced();
    }

    private final ReplicationConfig config;
    private final PaxosReplica replica;
    private final RocksDbDurableLog durableLog;
    private final StreamPeerLinks links;
    private final PendingWrites<T> writes;
    private final Deliveries deliveries;
    private final CommandApplier applier;
    private final SnapshotTransfer snapshots;
    private final MembershipChanges membership;
    private final ReadyEffects<T> effects;
    private final PeerMessages peerMessages;
    private final ReplicationStatus status;
    private long nextStateSyncNanos = System.nanoTime();
    private long nextTickNanos = System.nanoTime();

    private ReplicationDriver(
            ReplicationConfig config,
            RocksDbChatStore store,
            Checkpoints checkpoints,
            StreamPeerLinks links,
            ChatStateMachine machine,
            Publisher publisher) {
        this.config = config;
        this.durableLog = store.paxosLog();
        this.links = links;
        AddressBook addressBook = new AddressBook(config, links);
        long storedIndex = machine.appliedIndex();
        long appliedSlot = storedIndex == 0 ? 0 : Math.max(0, storedIndex / config.commandSlotStride() - 1);
        DurableState durable = durableLog.load();
        this.replica = PaxosReplica.restore(
                config.paxos(), durable, appliedSlot, new SplittableRandom(System.nanoTime() ^ config.nodeId()));
        this.writes = new PendingWrites<>(config, replica, links, addressBook);
        this.deliveries = new Deliveries(config, replica, store, publisher, addressBook, storedIndex);
        this.applier = new CommandApplier(config, machine, writes, deliveries);
        this.snapshots = new SnapshotTransfer(
                config, durable, replica, checkpoints, machine, store, links, addressBook, applier);
        this.membership = new MembershipChanges(config, replica, links, addressBook);
        this.effects =
                new ReadyEffects<>(replica, durableLog, links, addressBook, applier, deliveries, writes, snapshots);
        this.peerMessages = new PeerMessages(config, replica, addressBook, writes, deliveries, snapshots, membership);
        this.status = new ReplicationStatus(new ReplicationStatus.Sources(
                config,
                replica,
                machine,
                store,
                links,
                addressBook,
                writes,
                deliveries,
                applier,
                effects,
                snapshots,
                peerMessages));
        effects.drain(null);
        // A sole voter elects itself now instead of after an election timeout: no one else can vote, so a single
        // server serves writes from its first turn.
        for (int tick = 0; tick <= ELECTION_TICKS_ALONE_MAX && !replica.isLeader() && soleVoter(); tick++) {
            replica.tick();
            effects.drain(null);
        }
        applier.syncAppliedState();
        status.publish();
    }

    /** Whether this server is the only voter of the latest membership (a group of one). */
    private boolean soleVoter() {
        return replica.latestMembership().voters().equals(List.of(config.nodeId()));
    }

    /**
     * Binds the replication endpoint, connects to the other members and restores the replica from what the chat
     * store's own Paxos log holds ({@link RocksDbChatStore#paxosLog()}, so decisions and applied writes share one
     * write-ahead log) and the deliveries its outbox kept; snapshots are checkpoints of that store in {@code
     * checkpoints}.
     *
     * @param <T> what waits for each write or barrier
     * @throws io.synod.store.StoreException if the log cannot be read
     * @throws java.io.UncheckedIOException if the endpoint cannot be bound
     */
    public static <T> ReplicationDriver<T> open(
            ReplicationConfig config,
            RocksDbChatStore store,
            Checkpoints checkpoints,
            ChatStateMachine machine,
            ProcessClock clock,
            InteractionLog log,
            Publisher publisher) {
        StreamPeerLinks links;
        try {
            links = new StreamPeerLinks(
                    config.peerLinks(), config.selfName(), config.selfEndpoint(), clock, log, config.peerLimits());
        } catch (RuntimeException e) {
            store.paxosLog().close();
            throw e;
        }
        return new ReplicationDriver<>(config, store, checkpoints, links, machine, publisher);
    }

    /**
     * Accepts a write: it will be proposed (or forwarded to the leader) by the next {@link #flush} and completed by
     * a later one once applied here (see {@link PendingWrites}).
     *
     * @param command the chat command (its index is replaced when it is applied)
     * @param waiting handed back in the write's {@link Completion}
     * @return false if {@code pendingRequestsMax} writes are already waiting (the caller refuses it)
     */
    public boolean submit(Command command, T waiting) {
        return writes.submit(command, waiting);
    }

    /**
     * A read barrier (linearizable reads): an empty command ordered through the log like a write; its {@link
     * Completion} comes once it is decided and every command before it is applied here, so a read served then
     * reflects every write acknowledged before the barrier was submitted.
     *
     * @param waiting handed back in the barrier's {@link Completion}
     * @return false if {@code pendingRequestsMax} writes are already waiting
     */
    public boolean submitBarrier(T waiting) {
        return writes.submitBarrier(waiting);
    }

    /**
     * From now on tells {@code listener} of every command applied and every checkpoint installed here. What was
     * applied before (the restored log's decided commands, applied by {@link #open}) is in the state machine's store
     * already: a listener that starts from the store misses nothing.
     */
    public void listen(AppliedListener listener) {
        applier.listen(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Secure mode: the replication links speak CurveZMQ with the cluster's server key (only a holder of its secret
     * speaks Paxos here or joins); call right after {@link #open}, before the first {@link #awaitInput}.
     */
    public void secure(io.synod.messaging.zmtp.CurveCrypto.KeyPair serverKeys) {
        links.secure(serverKeys);
    }

    /** The selector of {@link #awaitInput}, for the caller's broker and proxy links to register with. */
    public Selector selector() {
        return links.selector();
    }

    /**
     * Serves {@code client} (a link of the caller's thread registered with {@link #selector()}) in {@link
     * #awaitInput}, which then also returns when it has received a message.
     */
    public void watch(SelectorParty client) {
        links.watch(client);
    }

    /**
     * Syncs the applied state if {@code STATE_SYNC_INTERVAL_MILLIS} has passed and refreshes the status fields if
     * due (between turns, so no answer waits for either), then waits up to {@code timeoutMillis} (less if a tick is due) until a peer or a {@linkplain #watch
     * watched} socket has input, and feeds the peers' messages to the replica (not drained: {@link
     * #flush} does that once for the turn).
     */
    public void awaitInput(long timeoutMillis) {
        snapshots.takeSnapshotIfFlushed();
        long now = System.nanoTime();
        // here, after the previous turn's answers went out and before the wait: building the fields took a write's
        // reply several microseconds when flush did it
        status.refreshIfDue(now);
        if (now - nextStateSyncNanos >= 0) {
            // here, after the previous turn's answers went out, not in flush: no answer needs it (decided commands
            // are in the synced Paxos log), so no answer should wait for its fsync
            applier.syncAppliedState();
            nextStateSyncNanos = now + TimeUnit.MILLISECONDS.toNanos(STATE_SYNC_INTERVAL_MILLIS);
        }
        // Without input the loop wakes every TICKS_PER_IDLE_WAKE ticks and runs the ticks due since (flush runs
        // them); any input wakes it at once, and the ticks are then run on time.
        long untilWakeMillis = IdleWake.waitMillis(
                nextTickNanos,
                TimeUnit.MILLISECONDS.toNanos(config.tickIntervalMillis()),
                TICKS_PER_IDLE_WAKE,
                System.nanoTime());
        for (PeerInbound inbound : links.poll(Math.min(timeoutMillis, untilWakeMillis))) {
            peerMessages.onPeerMessage(inbound);
        }
    }

    /**
     * The turn's work: runs the ticks that are due, retries or expires waiting writes, proposes or
     * forwards the turn's writes, drains the replica (persist, send, apply) and publishes what the turn applied
     * while leading (the periodic sync of the applied state and the status refresh are left to the next {@link
     * #awaitInput}).
     *
     * <p>When a turn both applies decided writes and must sync new votes (a leader's proposals, a follower's
     * Accepteds), the decided writes that rest on none of those votes ({@link Ready#appliableBeforePersist()}) are
     * applied first, their publications handed to the publisher and their completions to {@code answerEarly},
     * which sends them (and whatever the publisher holds) before the fsync: under load a leader's answers and
     * every publication no longer wait for the fsync of the votes for newer writes.
     *
     * @param answerEarly takes the completions that may be answered before the turn's fsync, and sends them now
     * @return the writes completed this turn and not handed to {@code answerEarly}, in apply order (decided, so
     *     durable on a majority: safe to answer)
     */
    public List<Completion<T>> flush(Consumer<List<Completion<T>>> answerEarly) {
        Objects.requireNonNull(answerEarly, "answerEarly");
        long now = System.nanoTime();
        status.turnStarted();
        int ticks = 0;
        while (now - nextTickNanos >= 0 && ticks++ < TICKS_PER_TURN_MAX) {
            replica.tick();
            membership.nudgeReconfiguration();
            nextTickNanos += TimeUnit.MILLISECONDS.toNanos(config.tickIntervalMillis());
        }
        if (now - nextTickNanos >= 0) {
            nextTickNanos = now; // we fell far behind (a pause): do not replay a tick storm
        }
        deliveries.noteIfDue(now);
        membership.announceIfDue(now);
        writes.retryOrExpireIfDue(now);
        snapshots.retryFetchIfDue(now);
        writes.dispatchRouted();
        effects.drain(answerEarly);
        deliveries.handOverPublications();
        status.turnEnded(now);
        return writes.takeCompletions();
    }

    /** Tells {@code latencies} each persist's and apply's duration from now on; before the loop starts. */
    public void observeLatencies(Latencies latencies) {
        effects.latencies = java.util.Objects.requireNonNull(latencies, "latencies");
    }

    /** This replica's ballot while it leads, else null (the broker is told: {@link io.synod.messaging.LeaderMark}). */
    public io.synod.consensus.Ballot leadingBallot() {
        return replica.isLeader() ? replica.promisedBallot() : null;
    }

    /** The replication fields of {@code /status}; any thread. */
    public Map<String, Object> statusFields() {
        return status.fields();
    }

    /** Syncs the applied state, closes the peer links and the Paxos log (not the state machine's store). */
    @Override
    public void close() {
        snapshots.close(); // a running flush finishes first: the store is closed after this
        applier.syncAppliedState();
        links.close();
        durableLog.close();
    }
}
