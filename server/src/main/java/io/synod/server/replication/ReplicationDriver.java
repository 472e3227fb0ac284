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
 */
public final class ReplicationDriver implements AutoCloseable {
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
    /**
     * Memtable flushes run off the loop, one after the other, before a checkpoint: each flushes what arrived during
     * the one before, so the checkpoint's own flush, on the loop, is short.
     */
    static final int SNAPSHOT_FLUSH_PASSES = 2;
    /** How long {@link #close} waits for a memtable flush that is still running. */
    private static final long SNAPSHOT_FLUSH_CLOSE_WAIT_MILLIS = 30_000;
    /** A leader whose published index has not moved repeats its note only once per this many note intervals. */
    static final int NOTE_REPEAT_INTERVALS = 10;
    /** Most chat commands applied in one state-machine batch (one store write). */
    static final int APPLY_BATCH_COMMANDS_MAX = 4_096;
    /** How often {@code /status} is refreshed when nothing was applied (once per turn that applied something). */
    private static final long STATUS_INTERVAL_MILLIS = 50;
    /** How often the applied chat state is synced (it can be replayed from the synced Paxos log meanwhile). */
    private static final long STATE_SYNC_INTERVAL_MILLIS = 200;
    /** Checkpoints kept on disk: the newest (the core's snapshot) and the one before, which a peer may be fetching. */
    private static final int CHECKPOINTS_KEPT = 2;
    /** How long a checkpoint chunk request waits for its answer before it is sent again. */
    private static final long SNAPSHOT_CHUNK_RETRY_MILLIS = 2_000;
    /** Unanswered chunk requests in a row after which a fetch is dropped (the core's next catch-up starts anew). */
    private static final int SNAPSHOT_CHUNK_ATTEMPTS_MAX = 5;
    /** Decoding limits of the outbox's own entries: client-sized fields, but a post may notify many followers. */
    private static final io.synod.protocol.Limits OUTBOX_LIMITS = new io.synod.protocol.Limits(
            64 << 20,
            io.synod.protocol.Limits.DEFAULT.nestingDepthMax(),
            1 << 20,
            io.synod.protocol.Limits.DEFAULT.nameCharsMax(),
            io.synod.protocol.Limits.DEFAULT.messageCharsMax(),
            io.synod.protocol.Limits.DEFAULT.passwordCharsMax(),
            io.synod.protocol.Limits.DEFAULT.historyPageMax());
    /**
     * A checkpoint a peer fetched a chunk of within this long is not deleted (a fetch slower than two snapshot
     * intervals would otherwise start over forever). Longer than the fetcher's whole retry budget.
     */
    private static final long SERVED_CHECKPOINT_PIN_MILLIS = 15_000;

    /**
     * A write this server accepted, answered: the caller's token, the state machine's outcome and the chat
     * command index it was applied at (for a read barrier: the applied index when it completed).
     */
    public record Completion(Object token, Result result, long index) {}

    /** Sends publications to the clients (the server's PUB socket); called on the owner thread. */
    @FunctionalInterface
    public interface Publisher {
        /** Publishes {@code publications} in order. */
        void publish(List<Publication> publications);
    }

    private static final class Pending {
        final Object token;
        final LogCommand.Client command;
        final boolean retryable;
        final long createdNanos;
        long routedNanos;
        boolean routed;

        Pending(Object token, LogCommand.Client command, boolean retryable, long createdNanos) {
            this.token = token;
            this.command = command;
            this.retryable = retryable;
            this.createdNanos = createdNanos;
        }
    }

    private record Applied(long index, List<Publication> publications) {}

    private final ReplicationConfig config;
    private final int nodeId;
    private final PaxosReplica replica;
    private final RocksDbDurableLog durableLog;
    private final StreamPeerLinks links;
    private final ChatStateMachine machine;
    private final Checkpoints checkpoints;
    private final RocksDbChatStore store;
    private final SnapshotFetcher fetcher;
    private final Publisher publisher;
    /** The checkpoint being received, while {@link #fetcher} is active. */
    private Checkpoints.Receiving receiving;
    /** The catch-up reply held back until its checkpoint is here. */
    private PaxosEnvelope heldCatchUp;
    private long nextFetchProgressLogBytes;
    private long snapshotsTaken;
    private long snapshotsInstalled;
    private long snapshotFetchFailures;
    private long snapshotBytesFetched;
    private long snapshotChunksServed;
    private String lastCheckpoint;
    /** When each checkpoint last had a chunk served (pinned against pruning for a while). */
    private final Map<String, Long> servedNanosByCheckpoint = new java.util.HashMap<>();
    private final Map<Long, Pending> pending = new LinkedHashMap<>();
    private final java.util.TreeMap<String, String> endpointByName = new java.util.TreeMap<>();
    private final List<Completion> completions = new ArrayList<>();
    private final ArrayDeque<Applied> unpublished = new ArrayDeque<>();
    /** This turn's commands for the replica to propose (own writes and forwarded ones), in arrival order. */
    private final List<LogCommand.Client> toPropose = new ArrayList<>();
    /** The pending entry of each command in {@link #toPropose}, null for a forwarded one. */
    private final List<Pending> proposing = new ArrayList<>();
    /** This turn's writes to forward to the leader. */
    private final List<Pending> toForward = new ArrayList<>();
    /** Publications applied this turn while leading; sent once the turn's applies are synced. */
    private final List<Publication> toPublish = new ArrayList<>();
    private boolean appliedSinceSync;
    private long nextStatusNanos = System.nanoTime();
    private long statusAppliedIndex = -1;
    private long nextStateSyncNanos = System.nanoTime();
    // where the time goes (shown in /status under "turns")
    private long turnCount;
    private long turnNanos;
    private long persistCount;
    private long persistNanos;
    /** Decided slots applied and answered before their turn's fsync ({@link #flush(Consumer)}). */
    private long earlyAppliedCount;
    private long proposedCount;
    private long proposeCallCount;
    private long forwardedCount;
    private long forwardMessageCount;
    private long appliedCount;
    private long applyBatchCount;
    private long nextSeq = System.currentTimeMillis() * 1_000;
    private long publishedIndex;
    private long notedIndex;
    private boolean wasLeader;
    private long nextTickNanos = System.nanoTime();
    private long nextNoteNanos = System.nanoTime();
    private long noteSentIndex = -1;
    private int notesSkipped;
    private long nextRetryNanos = System.nanoTime();
    private long nextMembershipNanos = System.nanoTime();
    private long nextNudgeSeq;
    private long ringOverflowCount;
    private long invalidReceivedCount;
    /** Replication messages whose handling threw something other than a decoding error; each was dropped. */
    private long failedReceivedCount;
    private long expiredCount;
    private volatile Map<String, Object> status = Map.of();
    /** Flushes the memtables before a checkpoint, off the loop (one task at a time: {@link #snapshotFlush}). */
    private final ExecutorService snapshotFlusher;
    /** The flush of the snapshot the core asked for, until the snapshot is taken; null otherwise. */
    private CompletableFuture<Void> snapshotFlush;

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
        this.checkpoints = checkpoints;
        this.fetcher = new SnapshotFetcher(
                config.snapshotChunkBytes(),
                TimeUnit.MILLISECONDS.toNanos(SNAPSHOT_CHUNK_RETRY_MILLIS),
                SNAPSHOT_CHUNK_ATTEMPTS_MAX);
        this.links = links;
        this.machine = machine;
        this.publisher = publisher;
        this.snapshotFlusher = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, config.selfName() + "-snapshot-flush");
            thread.setDaemon(true);
            return thread;
        });
        endpointByName.putAll(config.members());
        // a port left to the system (a group of one's default) is known once bound
        boolean anyPort = config.selfEndpoint().endsWith(":0") || config.selfEndpoint().endsWith(":*");
        endpointByName.put(config.selfName(), anyPort ? links.boundEndpoint() : config.selfEndpoint());
        links.setPeers(endpointByName);
        long storedIndex = machine.appliedIndex();
        long appliedSlot = storedIndex == 0 ? 0 : Math.max(0, storedIndex / config.commandSlotStride() - 1);
        io.synod.consensus.DurableState durable = durableLog.load();
        durable.snapshot()
                .filter(snapshot -> CheckpointManifest.isManifest(snapshot.state()))
                .ifPresent(snapshot -> lastCheckpoint = CheckpointManifest.decode(snapshot.state()).name());
        pruneCheckpoints();
        this.replica = PaxosReplica.restore(
                config.paxos(), durable, appliedSlot, new SplittableRandom(System.nanoTime() ^ nodeId));
        this.publishedIndex = storedIndex;
        this.notedIndex = storedIndex;
        loadOutbox();
        drain(null);
        // A sole voter elects itself now instead of after an election timeout: no one else can vote, so a single
        // server serves writes from its first turn.
        for (int tick = 0; tick <= ELECTION_TICKS_ALONE_MAX && !replica.isLeader() && soleVoter(); tick++) {
            replica.tick();
            drain(null);
        }
        syncAppliedState();
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
    public static ReplicationDriver open(
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
        return new ReplicationDriver(config, store, checkpoints, links, machine, publisher);
    }

    /**
     * Accepts a write: it will be proposed (or forwarded to the leader) by the next {@link #flush} and
     * completed by a later one once applied here.
     *
     * @param command the chat command (its index is replaced when it is applied)
     * @param token handed back in the {@link Completion}
     * @return false if {@code pendingRequestsMax} writes are already waiting (the caller refuses it)
     */
    public boolean submit(Command command, Object token) {
        if (pending.size() >= config.pendingRequestsMax()) {
            return false;
        }
        long seq = nextSeq++;
        LogCommand.Client wrapped = new LogCommand.Client(nodeId, seq, ChatCommands.encode(command));
        Pending entry = new Pending(token, wrapped, command.isIdempotent(), System.nanoTime());
        pending.put(seq, entry);
        route(entry);
        return true;
    }

    /** The selector of {@link #awaitInput}, for the caller's broker and proxy links to register with. */
    public java.nio.channels.Selector selector() {
        return links.selector();
    }

    /**
     * Serves {@code client} (a link of the caller's thread registered with {@link #selector()}) in {@link
     * #awaitInput}, which then also returns when it has received a message.
     */
    public void watch(io.synod.messaging.zmtp.SelectorParty client) {
        links.watch(client);
    }

    /**
     * A read barrier (linearizable reads): an empty command ordered through the log like a write; its
     * {@link Completion} comes once it is decided and every command before it is applied here, so a read
     * served then reflects every write acknowledged before the barrier was submitted.
     *
     * @return false if {@code pendingRequestsMax} writes are already waiting
     */
    public boolean submitBarrier(Object token) {
        if (pending.size() >= config.pendingRequestsMax()) {
            return false;
        }
        long seq = nextSeq++;
        Pending entry = new Pending(token, new LogCommand.Client(nodeId, seq, new byte[0]), true, System.nanoTime());
        pending.put(seq, entry);
        route(entry);
        return true;
    }

    /**
     * Syncs the applied state if {@code STATE_SYNC_INTERVAL_MILLIS} has passed (between turns, so no answer waits
     * for it), then waits up to {@code timeoutMillis} (less if a tick is due) until a peer or a {@linkplain #watch
     * watched} socket has input, and feeds the peers' messages to the replica (not drained: {@link
     * #flush} does that once for the turn).
     */
    public void awaitInput(long timeoutMillis) {
        takeSnapshotIfFlushed();
        long now = System.nanoTime();
        if (now - nextStateSyncNanos >= 0) {
            // here, after the previous turn's answers went out, not in flush: no answer needs it (decided commands
            // are in the synced Paxos log), so no answer should wait for its fsync
            syncAppliedState();
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
    public List<Completion> flush(Consumer<List<Completion>> answerEarly) {
        java.util.Objects.requireNonNull(answerEarly, "answerEarly");
        long now = System.nanoTime();
        turnCount++;
        int ticks = 0;
        while (now - nextTickNanos >= 0 && ticks++ < TICKS_PER_TURN_MAX) {
            replica.tick();
            nudgeReconfiguration();
            nextTickNanos += TimeUnit.MILLISECONDS.toNanos(config.tickIntervalMillis());
        }
        if (now - nextTickNanos >= 0) {
            nextTickNanos = now; // we fell far behind (a pause): do not replay a tick storm
        }
        if (now - nextNoteNanos >= 0) {
            nextNoteNanos = now + TimeUnit.MILLISECONDS.toNanos(config.publishedNoteIntervalMillis());
            // an unchanged note is repeated only every NOTE_REPEAT_INTERVALS intervals (for restarted and new
            // followers): ten notes a second to each follower woke idle servers for nothing
            if (replica.isLeader() && (publishedIndex != noteSentIndex || ++notesSkipped >= NOTE_REPEAT_INTERVALS)) {
                sendToPeers(ReplicationCodec.published(publishedIndex));
                noteSentIndex = publishedIndex;
                notesSkipped = 0;
            }
        }
        if (now - nextMembershipNanos >= 0) {
            nextMembershipNanos = now + TimeUnit.MILLISECONDS.toNanos(config.membershipIntervalMillis());
            sendToPeers(ReplicationCodec.members(endpointByName));
            if (config.joining() && !replica.latestMembership().contains(nodeId)) {
                sendToPeers(ReplicationCodec.join(config.selfName(), config.selfEndpoint()));
            }
        }
        if (now - nextRetryNanos >= 0) {
            nextRetryNanos = now + TimeUnit.MILLISECONDS.toNanos(config.retryIntervalMillis()) / 2;
            retryOrExpire(now);
        }
        SnapshotFetcher.Request again = fetcher.due(now);
        if (again != null) {
            sendChunkRequest(again);
        } else if (receiving != null && !fetcher.active()) {
            dropFetch(); // gave up: no answers
        }
        dispatchRouted();
        drain(answerEarly);
        handOverPublications();
        if (now - nextStatusNanos >= 0 || machine.appliedIndex() != statusAppliedIndex) {
            nextStatusNanos = now + TimeUnit.MILLISECONDS.toNanos(STATUS_INTERVAL_MILLIS);
            publishStatus();
        }
        turnNanos += System.nanoTime() - now;
        return takeCompletions();
    }

    private List<Completion> takeCompletions() {
        if (completions.isEmpty()) {
            return List.of();
        }
        List<Completion> done = List.copyOf(completions);
        completions.clear();
        return done;
    }

    /** Hands the publisher what was applied while leading, after what a new leader republishes first. */
    private void handOverPublications() {
        onLeadershipChange(); // a new leader first republishes what its predecessor may not have
        if (!toPublish.isEmpty()) {
            publisher.publish(List.copyOf(toPublish));
            toPublish.clear();
        }
    }

    /** Proposes (leading) or forwards (following) the writes routed this turn, together. */
    private void dispatchRouted() {
        if (!toPropose.isEmpty()) {
            List<ProposeOutcome> outcomes = replica.proposeAll(toPropose);
            proposedCount += toPropose.size();
            proposeCallCount++;
            for (int i = 0; i < outcomes.size(); i++) {
                Pending entry = proposing.get(i);
                if (entry != null) {
                    entry.routed = outcomes.get(i) == ProposeOutcome.QUEUED;
                }
            }
            toPropose.clear();
            proposing.clear();
        }
        if (toForward.isEmpty()) {
            return;
        }
        OptionalInt leader = replica.leaderHint();
        String leaderName = leader.isPresent() ? nameOf(leader.getAsInt()) : null;
        boolean reachable = leaderName != null && !leaderName.equals(config.selfName());
        for (int from = 0; from < toForward.size(); from += ReplicationCodec.FORWARD_WRITES_MAX) {
            List<Pending> part = toForward.subList(from, Math.min(toForward.size(), from + ReplicationCodec.FORWARD_WRITES_MAX));
            List<LogCommand.Client> commands = new ArrayList<>(part.size());
            for (Pending entry : part) {
                commands.add(entry.command);
            }
            boolean sent = reachable && links.send(leaderName, ReplicationCodec.forward(nodeId, commands));
            forwardedCount += sent ? commands.size() : 0;
            forwardMessageCount += sent ? 1 : 0;
            for (Pending entry : part) {
                entry.routed = sent;
            }
        }
        toForward.clear();
    }

    private void onPeerMessage(PeerInbound inbound) {
        try {
            switch (inbound.envelope().service()) {
                case ReplicationCodec.PAXOS -> {
                    PaxosEnvelope message = ReplicationCodec.decodePaxos(inbound.envelope());
                    if (message.target() == nodeId && nameOf(message.source()) != null && !holdForCheckpoint(message)) {
                        replica.step(message); // drained once by flush
                    }
                }
                case ReplicationCodec.SNAPSHOT_GET -> serveChunk(inbound);
                case ReplicationCodec.SNAPSHOT_CHUNK -> onChunk(inbound);
                case ReplicationCodec.FORWARD -> {
                    List<LogCommand.Client> commands = ReplicationCodec.decodeForward(inbound.envelope());
                    if (replica.isLeader()) { // otherwise dropped: the origin retries
                        for (LogCommand.Client command : commands) {
                            toPropose.add(command);
                            proposing.add(null);
                        }
                    }
                }
                case ReplicationCodec.PUBLISHED ->
                    onPublishedNote(ReplicationCodec.decodePublished(inbound.envelope()));
                case ReplicationCodec.MEMBERS -> learnEndpoints(ReplicationCodec.decodeMembers(inbound.envelope()));
                case ReplicationCodec.JOIN -> onJoin(inbound);
                case ReplicationCodec.REMOVE -> onRemove(inbound);
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

    private void sendToPeers(io.synod.protocol.Envelope message) {
        for (String name : endpointByName.keySet()) {
            if (!name.equals(config.selfName())) {
                links.send(name, message);
            }
        }
    }

    /** Merges endpoints learned from a peer; a name keeps the endpoint it was first known with here. */
    private void learnEndpoints(Map<String, String> learned) {
        boolean changed = false;
        for (Map.Entry<String, String> e : learned.entrySet()) {
            if (ReplicationConfig.nodeIdOf(e.getKey()) >= 1 && !endpointByName.containsKey(e.getKey())) {
                endpointByName.put(e.getKey(), e.getValue());
                changed = true;
            }
        }
        if (changed) {
            links.setPeers(endpointByName);
        }
    }

    private void onJoin(PeerInbound inbound) {
        String name = ReplicationCodec.text(inbound.envelope(), "name");
        String endpoint = ReplicationCodec.text(inbound.envelope(), "endpoint");
        int id = ReplicationConfig.nodeIdOf(name);
        String known = nameOf(id);
        if (id < 1 || (known != null && !known.equals(name))) {
            LOG.warn("{}: join of '{}' refused: node id {} belongs to '{}'", config.selfName(), name, id, known);
            return;
        }
        if (!endpoint.equals(endpointByName.get(name))) {
            endpointByName.put(name, endpoint); // a joiner may come back on a new endpoint
            links.setPeers(endpointByName);
        }
        if (replica.isLeader() && !replica.latestMembership().contains(id)) {
            ProposeOutcome outcome = replica.propose(new LogCommand.AddLearner(id));
            LOG.info("{}: {} asks to join as node {}: AddLearner {}", config.selfName(), name, id, outcome);
        }
    }

    private void onRemove(PeerInbound inbound) {
        String name = ReplicationCodec.text(inbound.envelope(), "name");
        int id = ReplicationConfig.nodeIdOf(name);
        Map<String, Object> answer = new LinkedHashMap<>();
        if (!replica.isLeader()) {
            OptionalInt leader = replica.leaderHint();
            String leaderName = leader.isPresent() ? nameOf(leader.getAsInt()) : null;
            answer.put("status", "erro");
            answer.put("description", "not the leader; ask " + (leaderName == null ? "again later" : leaderName));
            if (leaderName != null) {
                answer.put("leader", leaderName);
                answer.put("leader_endpoint", endpointByName.get(leaderName));
            }
        } else if (id < 1 || !replica.latestMembership().contains(id)) {
            answer.put("status", "erro");
            answer.put("description", "'" + name + "' is not a member of " + replica.latestMembership());
        } else {
            ProposeOutcome outcome = replica.propose(new LogCommand.RemoveServer(id));
            boolean queued = outcome == ProposeOutcome.QUEUED;
            answer.put("status", queued ? "OK" : "erro");
            answer.put(
                    "description",
                    queued
                            ? "removal of " + name + " proposed; it takes effect once decided plus the pipeline window"
                            : "refused: " + outcome);
        }
        links.reply(inbound, new io.synod.protocol.Envelope(ReplicationCodec.REMOVE, answer));
    }

    /**
     * A membership change governs only {@code inflightSlotsMax} slots after its own; an idle leader fills those
     * slots with empty commands (origin 0: nothing to apply), one per tick, so a join or removal completes.
     */
    private void nudgeReconfiguration() {
        if (replica.isLeader()
                && !replica.latestMembership().equals(replica.membershipAt(replica.decidedPrefixSlot() + 1))) {
            replica.propose(new LogCommand.Client(0, ++nextNudgeSeq, new byte[0]));
        }
    }

    /** The name of node {@code nodeId} in the address book, or null. */
    private String nameOf(int id) {
        for (String name : endpointByName.keySet()) {
            if (config.idOf(name) == id) {
                return name;
            }
        }
        return null;
    }

    /** Routes a write in this turn: to the replica's proposals when leading, else to the leader. */
    private void route(Pending entry) {
        entry.routedNanos = System.nanoTime();
        entry.routed = true; // until dispatchRouted says otherwise
        if (replica.isLeader()) {
            toPropose.add(entry.command);
            proposing.add(entry);
        } else {
            toForward.add(entry);
        }
    }

    private void retryOrExpire(long now) {
        long retryNanos = TimeUnit.MILLISECONDS.toNanos(config.retryIntervalMillis());
        long timeoutNanos = TimeUnit.MILLISECONDS.toNanos(config.pendingTimeoutMillis());
        for (Iterator<Pending> it = pending.values().iterator(); it.hasNext(); ) {
            Pending entry = it.next();
            if (now - entry.createdNanos >= timeoutNanos) {
                it.remove(); // no reply: the outcome is unknown (errors are definite), the client retries
                expiredCount++;
                LOG.warn(
                        "{}: a write was not applied within {} ms ({} so far); left unanswered, the client retries",
                        config.selfName(),
                        config.pendingTimeoutMillis(),
                        expiredCount);
            } else if (!entry.routed || (entry.retryable && now - entry.routedNanos >= retryNanos)) {
                route(entry);
            }
        }
    }

    /**
     * Fulfils every Ready through {@link ReadyRunner}, in the contract's order; the applied state is synced by the
     * caller. With {@code answerEarly} (see {@link #flush(Consumer)}), a Ready whose records must be synced first
     * applies and answers the decided entries that rest on none of them: their decisions written (unsynced, ahead of
     * the applies in the write-ahead log, as always), the applies, the answers, then the rest of the records and the
     * rest of the Ready.
     */
    private void drain(Consumer<List<Completion>> answerEarly) {
        ReadyRunner.drain(replica, new ReadyEffects(answerEarly));
    }

    /** The driver's side of each Ready step: the durable log, the peer links, the chat state machine. */
    private final class ReadyEffects implements ReadyRunner.Effects {
        private final Consumer<List<Completion>> answerEarly;

        ReadyEffects(Consumer<List<Completion>> answerEarly) {
            this.answerEarly = answerEarly;
        }

        @Override
        public boolean appliesEarly() {
            return answerEarly != null;
        }

        @Override
        public void send(List<PaxosEnvelope> messages, boolean aheadOfPersist) {
            for (PaxosEnvelope message : messages) {
                String target = nameOf(message.target());
                if (target != null) {
                    links.send(target, ReplicationCodec.paxos(message));
                }
            }
            if (aheadOfPersist) {
                links.flush(); // a leader's Accepts leave now: the followers' fsyncs overlap ours
            }
        }

        @Override
        public void persist(List<io.synod.consensus.DurableRecord> records) {
            if (!records.isEmpty()) {
                long started = System.nanoTime();
                durableLog.persist(records);
                persistNanos += System.nanoTime() - started;
                persistCount++;
            }
        }

        @Override
        public void install(io.synod.consensus.Snapshot snapshot) {
            installSnapshot(snapshot);
        }

        @Override
        public void apply(List<LogEntry> entries, boolean early) {
            applyEntries(entries);
            if (early) {
                earlyAppliedCount += entries.size();
                handOverPublications();
                answerEarly.accept(takeCompletions());
            }
        }

        @Override
        public void snapshotRequested(long slot) {
            if (snapshotFlush != null) {
                return; // one is on its way
            }
            // The checkpoint is taken between turns once the memtables are flushed (awaitInput), of the state as it
            // is then: a few slots later than asked, which the core accepts (the state reflects them). Each pass
            // after the first flushes what arrived during the one before (a second or so of writes under load), so
            // the checkpoint's own flush, on the loop, is short.
            Runnable flush = store.memtableFlush();
            snapshotFlush = CompletableFuture.runAsync(flush, snapshotFlusher);
            for (int pass = 2; pass <= SNAPSHOT_FLUSH_PASSES; pass++) {
                snapshotFlush = snapshotFlush.thenRunAsync(flush, snapshotFlusher);
            }
        }
    }

    /**
     * Takes the snapshot the core asked for once the memtables it needed flushed are (a failed flush fails the
     * loop, as a failed checkpoint does). Between turns: the state reflects exactly the applied slot.
     */
    private void takeSnapshotIfFlushed() {
        if (snapshotFlush == null || !snapshotFlush.isDone()) {
            return;
        }
        try {
            snapshotFlush.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        } finally {
            snapshotFlush = null;
        }
        syncAppliedState(); // the log is truncated behind the snapshot: the state must be durable first
        takeSnapshot(replica.appliedSlot());
    }

    /** Checkpoints the state (which reflects exactly {@code slot}) and hands the core its manifest. */
    private void takeSnapshot(long slot) {
        long started = System.nanoTime();
        CheckpointManifest manifest = checkpoints.create(machine.stateDigest());
        replica.snapshotTaken(slot, manifest.encode());
        snapshotsTaken++;
        lastCheckpoint = manifest.name();
        pruneCheckpoints();
        LOG.info(
                "{}: snapshot of slot {} taken: {} in {} ms",
                config.selfName(),
                slot,
                manifest,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    /** Replaces the chat state with a snapshot the core installed (a checkpoint here, or inline bytes). */
    private void installSnapshot(io.synod.consensus.Snapshot snapshot) {
        if (!CheckpointManifest.isManifest(snapshot.state())) {
            machine.importSnapshot(snapshot.state()); // the inline format of servers before checkpoints
            LOG.info("{}: installed the inline snapshot of slot {}", config.selfName(), snapshot.lastIncludedSlot());
            return;
        }
        CheckpointManifest manifest = CheckpointManifest.decode(snapshot.state());
        long installed = checkpoints.install(manifest);
        check(installed == manifest.appliedIndex() && installed == machine.appliedIndex(),
                "the checkpoint " + manifest + " installed applied index " + installed);
        check(java.util.Arrays.equals(machine.stateDigest(), manifest.digest()),
                "the checkpoint " + manifest + " installed digest " + machine.stateDigestHex());
        appliedSinceSync = false; // the install is synced
        snapshotsInstalled++;
        lastCheckpoint = manifest.name();
        pruneCheckpoints();
        LOG.info("{}: installed the snapshot of slot {}: {}", config.selfName(), snapshot.lastIncludedSlot(), manifest);
    }

    /**
     * Deletes all but the newest {@code CHECKPOINTS_KEPT} checkpoints; the core's own and those a peer is fetching
     * (served within {@code SERVED_CHECKPOINT_PIN_MILLIS}) are kept too.
     */
    private void pruneCheckpoints() {
        List<String> names = checkpoints.names();
        java.util.Set<String> keep =
                new java.util.HashSet<>(names.subList(Math.max(0, names.size() - CHECKPOINTS_KEPT), names.size()));
        if (lastCheckpoint != null) {
            keep.add(lastCheckpoint);
        }
        long now = System.nanoTime();
        servedNanosByCheckpoint.values()
                .removeIf(served -> now - served > TimeUnit.MILLISECONDS.toNanos(SERVED_CHECKPOINT_PIN_MILLIS));
        keep.addAll(servedNanosByCheckpoint.keySet());
        checkpoints.retainOnly(keep);
    }

    /**
     * A catch-up reply whose snapshot is a checkpoint not here is held back (true) while the checkpoint is fetched
     * from its sender; the core gets it once the checkpoint is complete here. While one fetch runs, further such
     * replies are dropped: the core asks again after the fetch.
     */
    private boolean holdForCheckpoint(PaxosEnvelope message) {
        if (!(message.message() instanceof io.synod.consensus.PaxosMessage.CatchUpReply reply)
                || reply.snapshot().isEmpty()
                || reply.snapshot().get().lastIncludedSlot() <= replica.decidedPrefixSlot()
                || !CheckpointManifest.isManifest(reply.snapshot().get().state())) {
            return false;
        }
        CheckpointManifest manifest = CheckpointManifest.decode(reply.snapshot().get().state());
        if (checkpoints.isComplete(manifest)) {
            return false;
        }
        if (fetcher.active()) {
            return true;
        }
        String from = nameOf(message.source());
        receiving = checkpoints.receive(manifest);
        heldCatchUp = message;
        nextFetchProgressLogBytes = manifest.totalBytes() / 10;
        LOG.info(
                "{}: fetching the snapshot of slot {} from {}: {}",
                config.selfName(),
                reply.snapshot().get().lastIncludedSlot(),
                from,
                manifest);
        sendChunkRequest(fetcher.start(manifest, from, System.nanoTime()));
        return true;
    }

    private void sendChunkRequest(SnapshotFetcher.Request request) {
        links.send(
                request.peer(),
                ReplicationCodec.snapshotGet(request.checkpoint(), request.file(), request.offset(), request.maxBytes()));
    }

    /** Answers a peer's request for a chunk of one of our checkpoints. */
    private void serveChunk(PeerInbound inbound) {
        ReplicationCodec.ChunkRequest request = ReplicationCodec.decodeSnapshotGet(inbound.envelope());
        if (!endpointByName.containsKey(inbound.source())) {
            invalidReceivedCount++;
            return; // only members and joiners we know of fetch our state
        }
        int max = Math.min(request.maxBytes(), config.snapshotChunkBytes());
        java.util.Optional<Checkpoints.Chunk> chunk =
                checkpoints.read(request.checkpoint(), request.file(), request.offset(), max);
        if (chunk.isEmpty()) {
            links.send(inbound.source(), ReplicationCodec.snapshotGone(request.checkpoint(), "no such checkpoint file here"));
            return;
        }
        snapshotChunksServed++;
        servedNanosByCheckpoint.put(request.checkpoint(), System.nanoTime());
        links.send(
                inbound.source(),
                ReplicationCodec.snapshotChunk(
                        request.checkpoint(),
                        request.file(),
                        request.offset(),
                        chunk.get().bytes(),
                        chunk.get().fileSize()));
    }

    /** A chunk (or a "gone") for the checkpoint being fetched. */
    private void onChunk(PeerInbound inbound) {
        ReplicationCodec.Chunk chunk = ReplicationCodec.decodeSnapshotChunk(inbound.envelope());
        if (receiving == null) {
            return; // late: the fetch is over
        }
        SnapshotFetcher.Progress progress = chunk.error() != null
                ? fetcher.onGone(inbound.source(), chunk.checkpoint())
                : fetcher.onChunk(
                        inbound.source(),
                        chunk.checkpoint(),
                        chunk.file(),
                        chunk.offset(),
                        chunk.bytes(),
                        chunk.fileSize(),
                        System.nanoTime());
        switch (progress) {
            case IGNORED -> {}
            case FAILED -> dropFetch();
            case CONTINUE, COMPLETE -> {
                try {
                    receiving.write(chunk.file(), chunk.offset(), chunk.bytes());
                } catch (IllegalArgumentException e) {
                    fetcher.cancel(e.getMessage());
                    dropFetch();
                    return;
                }
                snapshotBytesFetched += chunk.bytes().length;
                if (progress == SnapshotFetcher.Progress.COMPLETE) {
                    completeFetch();
                } else {
                    logFetchProgress();
                    sendChunkRequest(fetcher.request());
                }
            }
        }
    }

    private void logFetchProgress() {
        long total = receiving.manifest().totalBytes();
        if (receiving.receivedBytes() >= nextFetchProgressLogBytes && total > 0) {
            LOG.info(
                    "{}: fetching {}: {} of {} bytes ({}%)",
                    config.selfName(),
                    receiving.manifest().name(),
                    receiving.receivedBytes(),
                    total,
                    receiving.receivedBytes() * 100 / total);
            nextFetchProgressLogBytes = receiving.receivedBytes() + total / 10;
        }
    }

    /** The checkpoint is here, complete: move it into place and give the held catch-up reply to the core. */
    private void completeFetch() {
        receiving.complete();
        LOG.info("{}: fetched {}", config.selfName(), receiving.manifest());
        PaxosEnvelope held = heldCatchUp;
        receiving = null;
        heldCatchUp = null;
        replica.step(held); // the core installs it (drained by this turn's flush) if it is still ahead of us
    }

    private void dropFetch() {
        snapshotFetchFailures++;
        LOG.warn(
                "{}: fetching {} failed: {}; the next catch-up starts again",
                config.selfName(),
                receiving.manifest().name(),
                fetcher.failure());
        receiving.abandon();
        receiving = null;
        heldCatchUp = null;
    }

    /** Makes the commands applied since the last sync durable (one fsync), if there are any. */
    private void syncAppliedState() {
        if (appliedSinceSync) {
            machine.sync();
            appliedSinceSync = false;
        }
    }

    /**
     * Applies the decided entries' chat commands in one state-machine batch (one store write for all of them:
     * a write per command cost each server a RocksDB write, WAL append included, per command), then records
     * what they published and completes this server's writes, in apply order.
     */
    private void applyEntries(List<LogEntry> entries) {
        List<Command> batch = new ArrayList<>();
        List<LogCommand.Client> origins = new ArrayList<>();
        for (LogEntry entry : entries) {
            List<LogCommand> commands = entry.value().commands();
            check(commands.size() < config.commandSlotStride(), "slot " + entry.slot() + " holds too many commands");
            for (int position = 1; position <= commands.size(); position++) {
                if (!(commands.get(position - 1) instanceof LogCommand.Client client) || client.clientId() == 0) {
                    continue; // membership changes are interpreted by consensus; origin 0 is an empty nudge
                }
                if (client.payload().length == 0) { // a read barrier: nothing to apply
                    applyBatch(batch, origins); // every command before it first, so the index it reports is right
                    Pending done = client.clientId() == nodeId ? pending.remove(client.requestId()) : null;
                    if (done != null) {
                        completions.add(new Completion(done.token, Result.ok(List.of()), machine.appliedIndex()));
                    }
                    continue;
                }
                long index = entry.slot() * config.commandSlotStride() + position;
                if (index <= machine.appliedIndex()) {
                    continue; // applied before a restart: the store says so
                }
                try {
                    batch.add(ChatCommands.decode(client.payload()).withIndex(index));
                    origins.add(client);
                } catch (IllegalArgumentException e) {
                    LOG.error(
                            "{}: slot {} holds an undecodable command; skipped on every server",
                            config.selfName(),
                            entry.slot(),
                            e);
                }
                if (batch.size() >= APPLY_BATCH_COMMANDS_MAX) {
                    applyBatch(batch, origins);
                }
            }
        }
        applyBatch(batch, origins);
    }

    /** Applies {@code batch} (then empties it and {@code origins}); see {@link #applyEntries}. */
    private void applyBatch(List<Command> batch, List<LogCommand.Client> origins) {
        if (batch.isEmpty()) {
            return;
        }
        List<Result> results = machine.applyAll(batch, applied -> keepWithTheWrite(batch, applied));
        appliedSinceSync = true;
        applyBatchCount++;
        for (int i = 0; i < batch.size(); i++) {
            long index = batch.get(i).index();
            Result result = results.get(i);
            LogCommand.Client client = origins.get(i);
            appliedCount++;
            onApplied(index, result.publications());
            if (client.clientId() == nodeId) {
                Pending done = pending.remove(client.requestId());
                if (done != null) {
                    completions.add(new Completion(done.token, result, index));
                }
            }
        }
        batch.clear();
        origins.clear();
    }

    /**
     * Hands the store the outbox entries of a batch's results that this server keeps for republishing, so they are
     * written in the batch's own store write (a crash keeps the applied writes and their entries, or neither).
     */
    private void keepWithTheWrite(List<Command> batch, List<Result> results) {
        List<RocksDbChatStore.OutboxEntry> entries = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            long index = batch.get(i).index();
            List<Publication> publications = results.get(i).publications();
            if (keepsForRepublishing(index, publications)) {
                entries.add(new RocksDbChatStore.OutboxEntry(index, encodeOutbox(publications)));
            }
        }
        store.putOutboxWithNextWrite(entries);
    }

    /**
     * Whether a follower keeps a write's publications for republishing: a leader publishes them itself, and the
     * leader already said it published those at or below {@code notedIndex} (a follower catching up applies old
     * writes).
     */
    private boolean keepsForRepublishing(long index, List<Publication> publications) {
        return !publications.isEmpty() && !replica.isLeader() && index > notedIndex;
    }

    private void onApplied(long index, List<Publication> publications) {
        if (!publications.isEmpty() && replica.isLeader()) {
            publishedIndex = Math.max(publishedIndex, index);
            toPublish.addAll(publications);
            return;
        }
        if (!keepsForRepublishing(index, publications)) {
            return;
        }
        unpublished.addLast(new Applied(index, publications)); // its outbox entry was written with the apply
        if (unpublished.size() > config.publicationRingMax()) {
            store.deleteOutboxThrough(unpublished.removeFirst().index());
            ringOverflowCount++;
        }
    }

    private void onPublishedNote(long index) {
        if (index <= notedIndex) {
            return;
        }
        notedIndex = index;
        boolean trimmed = false;
        while (!unpublished.isEmpty() && unpublished.peekFirst().index() <= notedIndex) {
            unpublished.removeFirst();
            trimmed = true;
        }
        if (trimmed) {
            store.deleteOutboxThrough(notedIndex);
        }
    }

    /** A write's publications as outbox bytes: a MessagePack list of {@code [topic, payload]} pairs. */
    static byte[] encodeOutbox(List<Publication> publications) {
        List<Object> pairs = new ArrayList<>(publications.size());
        for (Publication p : publications) {
            pairs.add(List.of(p.topic(), p.toPayload()));
        }
        return io.synod.protocol.MsgPack.encode(pairs);
    }

    /** Refills the ring with what the outbox kept before a restart (the leader may not have published it). */
    private void loadOutbox() {
        for (RocksDbChatStore.OutboxEntry entry : store.readOutbox()) {
            try {
                List<Publication> publications = new ArrayList<>();
                for (Object pair : (List<?>) io.synod.protocol.MsgPack.decode(entry.value(), OUTBOX_LIMITS)) {
                    List<?> p = (List<?>) pair;
                    @SuppressWarnings("unchecked")
                    Map<String, Object> payload = (Map<String, Object>) p.get(1);
                    publications.add(Publication.fromPayload((String) p.get(0), payload, OUTBOX_LIMITS));
                }
                unpublished.addLast(new Applied(entry.index(), publications));
            } catch (RuntimeException e) { // written by this program: a bad entry is a bug, but not worth stopping for
                LOG.error("{}: outbox entry of index {} unreadable, skipped", config.selfName(), entry.index(), e);
            }
        }
        if (!unpublished.isEmpty()) {
            LOG.info(
                    "{}: {} writes' deliveries kept from before the restart, republished if this server leads",
                    config.selfName(),
                    unpublished.size());
        }
    }

    /** A new leader republishes what the previous one may not have published. */
    private void onLeadershipChange() {
        boolean leader = replica.isLeader();
        if (leader && !wasLeader) {
            LOG.info(
                    "{}: leading with ballot {}; republishing {} deliveries above index {}",
                    config.selfName(),
                    replica.promisedBallot(),
                    unpublished.size(),
                    notedIndex);
            if (ringOverflowCount > 0) {
                LOG.warn(
                        "{}: {} deliveries fell out of the ring; clients backfill them from history",
                        config.selfName(),
                        ringOverflowCount);
            }
            for (Applied applied : unpublished) {
                publisher.publish(applied.publications());
                publishedIndex = Math.max(publishedIndex, applied.index());
            }
            if (!unpublished.isEmpty()) {
                store.deleteOutboxThrough(unpublished.peekLast().index());
            }
            unpublished.clear();
        }
        wasLeader = leader;
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
            String name = nameOf(id); // null until a member's address is learned (e.g. after a restart)
            member.put("name", name);
            member.put("node_id", id);
            member.put("role", membership.voters().contains(id) ? "voter" : "learner");
            member.put("address", name == null ? null : endpointByName.get(name));
            members.add(member);
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put(
                "role",
                replica.isLeader() ? "leader" : membership.learners().contains(nodeId) ? "learner" : "follower");
        fields.put("leader", leader.isPresent() ? nameOf(leader.getAsInt()) : null);
        fields.put(
                "ballot",
                replica.promisedBallot().round() + "."
                        + replica.promisedBallot().nodeId());
        fields.put("decided_index", replica.decidedPrefixSlot());
        fields.put("applied_index", replica.appliedSlot());
        statusAppliedIndex = machine.appliedIndex();
        fields.put("applied_command_index", statusAppliedIndex);
        fields.put("snapshot_index", replica.snapshotSlot());
        Map<String, Object> snapshots = new LinkedHashMap<>();
        snapshots.put("checkpoint", lastCheckpoint);
        snapshots.put("taken", snapshotsTaken);
        snapshots.put("installed", snapshotsInstalled);
        snapshots.put("bytes_fetched", snapshotBytesFetched);
        snapshots.put("chunks_served", snapshotChunksServed);
        snapshots.put("fetch_failures", snapshotFetchFailures);
        if (receiving != null) {
            snapshots.put(
                    "fetching",
                    Map.of(
                            "checkpoint", receiving.manifest().name(),
                            "from", String.valueOf(fetcher.peer()),
                            "received_bytes", receiving.receivedBytes(),
                            "total_bytes", receiving.manifest().totalBytes()));
        }
        fields.put("snapshots", snapshots);
        fields.put("state_digest", machine.stateDigestHex());
        fields.put("members", members);
        fields.put(
                "membership_change_pending", !membership.equals(replica.membershipAt(replica.decidedPrefixSlot() + 1)));
        fields.put("pending_writes", pending.size());
        fields.put("published_index", publishedIndex);
        fields.put("writes_expired", expiredCount);
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
        turns.put("persists", persistCount);
        turns.put("persist_us_avg", persistCount == 0 ? 0 : persistNanos / persistCount / 1_000);
        turns.put("slots_answered_before_fsync", earlyAppliedCount);
        turns.put("proposed", proposedCount);
        turns.put("proposed_per_call_avg", proposeCallCount == 0 ? 0 : proposedCount / proposeCallCount);
        turns.put("forwarded", forwardedCount);
        turns.put("forwarded_per_message_avg", forwardMessageCount == 0 ? 0 : forwardedCount / forwardMessageCount);
        turns.put("applied", appliedCount);
        turns.put("applied_per_write_avg", applyBatchCount == 0 ? 0 : appliedCount / applyBatchCount);
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

    private static void check(boolean condition, String what) {
        if (!condition) {
            throw new IllegalStateException("invariant violated: " + what);
        }
    }

    /** Syncs the applied state, closes the peer links and the Paxos log (not the state machine's store). */
    @Override
    public void close() {
        snapshotFlusher.shutdown(); // a running flush finishes first: the store is closed after this
        try {
            if (!snapshotFlusher.awaitTermination(SNAPSHOT_FLUSH_CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                LOG.warn("{}: a memtable flush still runs at close", config.selfName());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        syncAppliedState();
        links.close();
        durableLog.close();
    }
}
