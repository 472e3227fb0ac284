package io.synod.server.replication;

import io.synod.consensus.LogCommand;
import io.synod.consensus.LogEntry;
import io.synod.consensus.Membership;
import io.synod.consensus.PaxosEnvelope;
import io.synod.consensus.PaxosReplica;
import io.synod.consensus.ProposeOutcome;
import io.synod.consensus.Ready;
import io.synod.consensus.ReadyRunner;
import io.synod.core.ChatCommands;
import io.synod.core.ChatStateMachine;
import io.synod.core.Command;
import io.synod.core.Result;
import io.synod.messaging.IdleWake;
import io.synod.messaging.InteractionLog;
import io.synod.messaging.ProcessClock;
import io.synod.messaging.peer.PeerInbound;
import io.synod.messaging.peer.StreamPeerLinks;
import io.synod.protocol.Publication;
import io.synod.store.CheckpointManifest;
import io.synod.store.Checkpoints;
import io.synod.store.ReadCache;
import io.synod.store.RocksDbChatStore;
import io.synod.store.RocksDbDurableLog;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one {@link PaxosReplica} inside a chat server and connects it to the chat state machine, the
 * peer links and the clients' requests.
 *
 * <p><b>Owner and call order.</b> Everything here is owned by the server's event-loop thread (the
 * same thread that owns the {@link ChatStateMachine}): {@link #open}, then turns of {@link #awaitInput}
 * (wait for the broker socket or a peer, take the peers' messages), {@link #submit} (the turn's writes)
 * and {@link #flush} (the turn's work and its answers), then {@link #close}. Only {@link #statusFields()}
 * may be called from other threads (it reads a volatile, immutable map).
 *
 * <p><b>Ready contract and group commit.</b> Inputs of a turn (peer messages, ticks, proposals) are fed
 * to the replica without draining; {@link #flush} proposes the turn's writes together ({@link
 * PaxosReplica#proposeAll}: they share slots) and then drains the replica's {@link Ready}s through {@link
 * ReadyRunner}, which keeps the contract's order ({@link Ready}). This driver's side of it: a leader's Accepts are
 * written to the links at once, so that the followers' fsyncs overlap ours (the leader's vote follows after its
 * persist, a second wake-up at each follower: measured, that costs less than the overlap gains,
 * docs/performance.md); the records go in one RocksDB batch ({@link RocksDbDurableLog}: synced unless it holds
 * decisions only), so at most one fsync per turn, however many writes the turn carried; a snapshot request starts
 * the memtable flushes. Given a way to answer mid-turn ({@link #flush(Consumer)}), a Ready that must be synced first
 * applies and answers the decided entries that rest on none of its records ({@link Ready#appliableBeforePersist}).
 * The chat store's writes are not synced per turn:
 * every decided command is in the synced Paxos log before it is applied (its accepted record on a majority, its
 * decided record here), so after a crash the store's applied index tells where to replay from.
 * The store is synced every {@code STATE_SYNC_INTERVAL_MILLIS}, before a snapshot lets the log be truncated,
 * and on close.
 *
 * <p><b>Applying.</b> A decided slot holds a batch of commands; the command at 1-based position
 * {@code p} of slot {@code s} gets the chat index {@code s * stride + p}. The chat store writes each
 * command's effects and that index in one atomic batch (synced later, see above), so after a crash the store's index says
 * exactly which commands are in the state: the replica is restored with applied slot
 * {@code index / stride - 1} (the slot may be partly applied) and commands at or below the stored
 * index are skipped when handed out again.
 *
 * <p><b>Requests.</b> {@link #submit} wraps a chat command as a consensus command whose
 * {@code (clientId, requestId)} is (this node id, a local sequence number): the command id. The
 * leader proposes it; a follower forwards it to the leader hint. When a decided command with this
 * node's id is applied, the matching request completes with the state machine's {@link Result}
 * ({@link #flush} returns it). Writes carrying client ids (the client's own, or ones the server gave a
 * write without them) are re-proposed or re-forwarded every {@code retryIntervalMillis} until applied (the
 * state machine drops duplicates); writes without them are sent once (a duplicate could apply twice). A write not applied within {@code pendingTimeoutMillis}
 * is forgotten without a reply: its outcome is unknown (an error reply would claim nothing was
 * applied), and the client's own retry with the same ids is safe.
 *
 * <p><b>Snapshots.</b> Every {@code snapshotIntervalSlots} applied slots the core asks for a snapshot: the driver
 * flushes the store's memtables ({@code SNAPSHOT_FLUSH_PASSES} times) on its {@code snapshot-flush} thread while the
 * loop goes on, then, between two turns, syncs the state, writes a RocksDB checkpoint of it as it is then ({@link
 * Checkpoints}: hard links, cheap whatever the state's size, once little is left to flush) and hands the core its
 * {@link CheckpointManifest} as the snapshot of the slot applied then; the core truncates its log behind it. A
 * server that asks for slots behind a peer's snapshot gets the manifest in the catch-up reply; unless it has that
 * checkpoint already, the driver holds the reply back, fetches the files chunk by chunk from that peer ({@code
 * snapshot_get}/{@code snapshot_chunk}, one chunk in flight, {@link SnapshotFetcher}) into {@code incoming/}, moves
 * the complete checkpoint into place, and only then gives the reply to the core, which asks for the install; the
 * chat state is replaced from the checkpoint and its digest checked against the manifest's. The newest
 * {@code CHECKPOINTS_KEPT} checkpoints are kept, to serve peers.
 *
 * <p><b>Publications.</b> Every server applies every command; only the leader publishes, at the end of the
 * turn that applied them, and tells its peers every {@code publishedNoteIntervalMillis} how far it published. Followers
 * keep the publications above the last note in a bounded ring, mirrored in the store's outbox (written in the
 * same store write as the apply that published them, {@link RocksDbChatStore#putOutboxWithNextWrite}) so it
 * survives a restart; one that becomes leader republishes
 * them first (identical copies: the proxy drops them, clients drop any left by {@code seq}).
 *
 * @param <T> what waits for each write or barrier, handed back in its {@link Completion} (the server's: where and
 *     how to answer)
 */
public final class ReplicationDriver<T> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicationDriver.class);
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
    /** How often {@code /status} is refreshed when nothing was applied (once per turn that applied something). */
    private static final long STATUS_INTERVAL_MILLIS = 50;
    /** How often the applied chat state is synced (it can be replayed from the synced Paxos log meanwhile). */
    private static final long STATE_SYNC_INTERVAL_MILLIS = 200;

    /** Sends publications to the clients (the server's PUB socket); called on the owner thread. */
    @FunctionalInterface
    public interface Publisher {
        /** Publishes {@code publications} in order. */
        void publish(List<Publication> publications);
    }

    private final ReplicationConfig config;
    private final int nodeId;
    private final PaxosReplica replica;
    private final RocksDbDurableLog durableLog;
    private final StreamPeerLinks links;
    private final AddressBook addressBook;
    private final MembershipChanges membership;
    private final PendingWrites<T> writes;
    private final Deliveries deliveries;
    private final CommandApplier applier;
    private final SnapshotTransfer snapshots;
    private final ReadyEffects<T> effects;
    private final ChatStateMachine machine;
    private final RocksDbChatStore store;
    private long nextStatusNanos = System.nanoTime();
    private long statusAppliedIndex = -1;
    private long nextStateSyncNanos = System.nanoTime();
    // where the time goes (shown in /status under "turns")
    private long turnCount;
    private long turnNanos;
    private long nextTickNanos = System.nanoTime();
    private long invalidReceivedCount;
    /** Replication messages whose handling threw something other than a decoding error; each was dropped. */
    private long failedReceivedCount;
    private volatile Map<String, Object> status = Map.of();

    private ReplicationDriver(
            ReplicationConfig config,
            RocksDbChatStore store,
            Checkpoints checkpoints,
            StreamPeerLinks links,
            ChatStateMachine machine,
            Publisher publisher) {
        this.config = config;
        this.nodeId = config.nodeId();
        this.store = store;
        this.durableLog = store.paxosLog();
        this.links = links;
        this.machine = machine;
        this.addressBook = new AddressBook(config, links);
        long storedIndex = machine.appliedIndex();
        long appliedSlot = storedIndex == 0 ? 0 : Math.max(0, storedIndex / config.commandSlotStride() - 1);
        io.synod.consensus.DurableState durable = durableLog.load();
        this.replica = PaxosReplica.restore(
                config.paxos(), durable, appliedSlot, new SplittableRandom(System.nanoTime() ^ nodeId));
        this.writes = new PendingWrites<>(config, replica, links, addressBook);
        this.membership = new MembershipChanges(config, replica, links, addressBook);
        this.deliveries = new Deliveries(config, replica, store, publisher, addressBook, storedIndex);
        this.applier = new CommandApplier(config, machine, writes, deliveries);
        this.snapshots = new SnapshotTransfer(
                config, durable, replica, checkpoints, machine, store, links, addressBook, applier);
        this.effects =
                new ReadyEffects<>(replica, durableLog, links, addressBook, applier, deliveries, writes, snapshots);
        effects.drain(null);
        // A sole voter elects itself now instead of after an election timeout: no one else can vote, so a single
        // server serves writes from its first turn.
        for (int tick = 0; tick <= ELECTION_TICKS_ALONE_MAX && !replica.isLeader() && soleVoter(); tick++) {
            replica.tick();
            effects.drain(null);
        }
        applier.syncAppliedState();
        publishStatus();
    }

    /** Whether this server is the only voter of the latest membership (a group of one). */
    private boolean soleVoter() {
        return replica.latestMembership().voters().equals(List.of(nodeId));
    }

    /**
     * Binds the replication endpoint, connects to the other members and restores the replica from what the chat
     * store's own Paxos log holds ({@link RocksDbChatStore#paxosLog()}, so decisions and applied writes share one
     * write-ahead log) and the deliveries its outbox kept; snapshots are checkpoints of that store in {@code
     * checkpoints}.
     *
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
                    config.peerLinks(),
                    config.selfName(),
                    config.selfEndpoint(),
                    clock,
                    log,
                    config.peerLimits());
        } catch (RuntimeException e) {
            store.paxosLog().close();
            throw e;
        }
        return new ReplicationDriver<>(config, store, checkpoints, links, machine, publisher);
    }

    /**
     * Accepts a write: it will be proposed (or forwarded to the leader) by the next {@link #flush} and
     * completed by a later one once applied here.
     *
     * @param command the chat command (its index is replaced when it is applied)
     * @param waiting handed back in the write's {@link Completion}
     * @return false if {@code pendingRequestsMax} writes are already waiting (the caller refuses it)
     */
    public boolean submit(Command command, T waiting) {
        return writes.submit(command, waiting);
    }

    /** The selector of {@link #awaitInput}, for the caller's broker and proxy links to register with. */
    public java.nio.channels.Selector selector() {
        return links.selector();
    }

    /**
     * Serves {@code client} (a link of the caller's thread registered with {@link #selector()}) in {@link
     * #awaitInput}, which then also returns when it has received a message.
     */
    public void watch(io.synod.messaging.zmtp.ZmtpClient client) {
        links.watch(client);
    }

    /**
     * A read barrier (linearizable reads): an empty command ordered through the log like a write; its
     * {@link Completion} comes once it is decided and every command before it is applied here, so a read
     * served then reflects every write acknowledged before the barrier was submitted.
     *
     * @param waiting handed back in the barrier's {@link Completion}
     * @return false if {@code pendingRequestsMax} writes are already waiting
     */
    public boolean submitBarrier(T waiting) {
        return writes.submitBarrier(waiting);
    }

    /**
     * Syncs the applied state if {@code STATE_SYNC_INTERVAL_MILLIS} has passed (between turns, so no answer waits
     * for it), then waits up to {@code timeoutMillis} (less if a tick is due) until a peer or a {@linkplain #watch
     * watched} socket has input, and feeds the peers' messages to the replica (not drained: {@link
     * #flush} does that once for the turn).
     */
    public void awaitInput(long timeoutMillis) {
        snapshots.takeSnapshotIfFlushed();
        long now = System.nanoTime();
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
            onPeerMessage(inbound);
        }
    }

    /**
     * The turn's work: runs the ticks that are due, retries or expires waiting writes, proposes or
     * forwards the turn's writes, drains the replica (persist, send, apply) and publishes what the turn applied
     * while leading (the periodic sync of the applied state is left to the next {@link #awaitInput}).
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
        java.util.Objects.requireNonNull(answerEarly, "answerEarly");
        long now = System.nanoTime();
        turnCount++;
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
        if (now - nextStatusNanos >= 0 || machine.appliedIndex() != statusAppliedIndex) {
            nextStatusNanos = now + TimeUnit.MILLISECONDS.toNanos(STATUS_INTERVAL_MILLIS);
            publishStatus();
        }
        turnNanos += System.nanoTime() - now;
        return writes.takeCompletions();
    }

    private void onPeerMessage(PeerInbound inbound) {
        try {
            switch (inbound.envelope().service()) {
                case ReplicationCodec.PAXOS -> {
                    PaxosEnvelope message = ReplicationCodec.decodePaxos(inbound.envelope());
                    if (message.target() == nodeId && addressBook.nameOf(message.source()) != null && !snapshots.holdForCheckpoint(message)) {
                        replica.step(message); // drained once by flush
                    }
                }
                case ReplicationCodec.SNAPSHOT_GET -> {
                    if (!snapshots.serveChunk(inbound)) {
                        invalidReceivedCount++;
                    }
                }
                case ReplicationCodec.SNAPSHOT_CHUNK -> snapshots.onChunk(inbound);
                case ReplicationCodec.FORWARD -> writes.onForwarded(ReplicationCodec.decodeForward(inbound.envelope()));
                case ReplicationCodec.PUBLISHED ->
                    deliveries.onPublishedNote(ReplicationCodec.decodePublished(inbound.envelope()));
                case ReplicationCodec.MEMBERS -> addressBook.learn(ReplicationCodec.decodeMembers(inbound.envelope()));
                case ReplicationCodec.JOIN -> membership.onJoin(inbound);
                case ReplicationCodec.REMOVE -> membership.onRemove(inbound);
                default -> invalidReceivedCount++;
            }
        } catch (IllegalArgumentException e) {
            invalidReceivedCount++;
            LOG.debug(
                    "{}: invalid replication message from {}: {}", config.selfName(), inbound.source(), e.getMessage());
        } catch (io.synod.store.StoreException e) {
            throw e; // the store failed: not about this message
        } catch (RuntimeException e) {
            // Anyone can connect to the replication endpoint (the course protocol authenticates nobody): a message
            // whose handling throws is dropped and counted, and the server goes on. Paxos assumes no forged
            // messages, so this is logged loudly: it is a bug or an attack (secure mode closes the port to both).
            failedReceivedCount++;
            LOG.error(
                    "{}: a '{}' replication message from {} failed and was dropped",
                    config.selfName(),
                    inbound.envelope().service(),
                    inbound.source(),
                    e);
        }
    }

    /** The replication fields of {@code /status}; any thread. */
    public Map<String, Object> statusFields() {
        return status;
    }

    private void publishStatus() {
        OptionalInt leader = replica.leaderHint();
        Membership membership = replica.latestMembership();
        List<Map<String, Object>> members = new ArrayList<>();
        for (int id : membership.members()) {
            Map<String, Object> member = new LinkedHashMap<>();
            String name = addressBook.nameOf(id); // null until a member's address is learned (e.g. after a restart)
            member.put("name", name);
            member.put("node_id", id);
            member.put("role", membership.voters().contains(id) ? "voter" : "learner");
            member.put("address", name == null ? null : addressBook.endpointOf(name));
            members.add(member);
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put(
                "role",
                replica.isLeader() ? "leader" : membership.learners().contains(nodeId) ? "learner" : "follower");
        fields.put("leader", addressBook.leaderName(leader));
        fields.put(
                "ballot",
                replica.promisedBallot().round() + "."
                        + replica.promisedBallot().nodeId());
        fields.put("decided_index", replica.decidedPrefixSlot());
        fields.put("applied_index", replica.appliedSlot());
        statusAppliedIndex = machine.appliedIndex();
        fields.put("applied_command_index", statusAppliedIndex);
        fields.put("snapshot_index", replica.snapshotSlot());
        fields.put("snapshots", snapshots.statusFields());
        fields.put("state_digest", machine.stateDigestHex());
        fields.put("members", members);
        fields.put(
                "membership_change_pending", !membership.equals(replica.membershipAt(replica.decidedPrefixSlot() + 1)));
        fields.put("pending_writes", writes.size());
        fields.put("published_index", deliveries.publishedIndex());
        fields.put("writes_expired", writes.expiredCount());
        fields.put("invalid_received", invalidReceivedCount);
        fields.put("failed_received", failedReceivedCount);
        fields.put("paxos_links", links.statsMap());
        fields.put(
                "catch_up",
                Map.of(
                        "requests",
                        replica.catchUpRequestCount(),
                        "decided_at_unresolved",
                        replica.decidedAtUnresolvedCount(),
                        "learned_from_votes",
                        replica.learnedFromVotesCount()));
        Map<String, Object> turns = new LinkedHashMap<>();
        turns.put("turns", turnCount);
        turns.put("turn_us_avg", turnCount == 0 ? 0 : turnNanos / turnCount / 1_000);
        long persists = effects.persistCount();
        turns.put("persists", persists);
        turns.put("persist_us_avg", persists == 0 ? 0 : effects.persistNanos() / persists / 1_000);
        turns.put("slots_answered_before_fsync", effects.earlyAppliedCount());
        long proposed = writes.proposedCount();
        long proposeCalls = writes.proposeCallCount();
        long forwarded = writes.forwardedCount();
        long forwardMessages = writes.forwardMessageCount();
        turns.put("proposed", proposed);
        turns.put("proposed_per_call_avg", proposeCalls == 0 ? 0 : proposed / proposeCalls);
        turns.put("forwarded", forwarded);
        turns.put("forwarded_per_message_avg", forwardMessages == 0 ? 0 : forwarded / forwardMessages);
        long applied = applier.appliedCount();
        long applyBatches = applier.applyBatchCount();
        turns.put("applied", applied);
        turns.put("applied_per_write_avg", applyBatches == 0 ? 0 : applied / applyBatches);
        fields.put("turns", turns);
        ReadCache.Stats cache = store.readCacheStats();
        Map<String, Object> readCache = new LinkedHashMap<>();
        readCache.put("hits", cache.hits());
        readCache.put("misses", cache.misses());
        readCache.put("entries", cache.entries());
        readCache.put("bytes", cache.bytes());
        fields.put("read_cache", readCache);
        status = java.util.Collections.unmodifiableMap(fields);
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
