package io.synod.server.replication;

import io.synod.consensus.DurableState;
import io.synod.consensus.PaxosEnvelope;
import io.synod.consensus.PaxosMessage;
import io.synod.consensus.PaxosReplica;
import io.synod.consensus.Snapshot;
import io.synod.core.ChatStateMachine;
import io.synod.messaging.peer.PeerInbound;
import io.synod.messaging.peer.StreamPeerLinks;
import io.synod.store.CheckpointManifest;
import io.synod.store.Checkpoints;
import io.synod.store.RocksDbChatStore;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Snapshots as RocksDB checkpoints: taking one when the core asks, installing one, serving a peer the chunks of ours
 * and fetching a peer's. Owned by the event-loop thread, but for the memtable flushes on its {@code snapshot-flush}
 * thread.
 *
 * <p>Every {@code snapshotIntervalSlots} applied slots the core asks for a snapshot: the store's memtables are
 * flushed ({@code SNAPSHOT_FLUSH_PASSES} times) off the loop while it goes on, then, between two turns, the state is
 * synced, a checkpoint of it as it is then is written ({@link Checkpoints}: hard links, cheap whatever the state's
 * size, once little is left to flush) and the core gets its {@link CheckpointManifest} as the snapshot of the slot
 * applied then; the core truncates its log behind it. A server that asks for slots behind a peer's snapshot gets the
 * manifest in the catch-up reply; unless it has that checkpoint already, the reply is held back while the files are
 * fetched chunk by chunk from that peer ({@code snapshot_get}/{@code snapshot_chunk}, one chunk in flight, {@link
 * SnapshotFetcher}) into {@code incoming/}, the complete checkpoint moved into place, and only then is the reply
 * given to the core, which asks for the install; the chat state is replaced from the checkpoint and its digest
 * checked against the manifest's. The newest {@code CHECKPOINTS_KEPT} checkpoints are kept, to serve peers.
 */
final class SnapshotTransfer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotTransfer.class);
    /**
     * Memtable flushes run off the loop, one after the other, before a checkpoint: each flushes what arrived during
     * the one before, so the checkpoint's own flush, on the loop, is short.
     */
    static final int SNAPSHOT_FLUSH_PASSES = 2;
    /** How long {@link #close} waits for a memtable flush that is still running. */
    private static final long SNAPSHOT_FLUSH_CLOSE_WAIT_MILLIS = 30_000;
    /** Checkpoints kept on disk: the newest (the core's snapshot) and the one before, which a peer may be fetching. */
    private static final int CHECKPOINTS_KEPT = 2;
    /** How long a checkpoint chunk request waits for its answer before it is sent again. */
    private static final long SNAPSHOT_CHUNK_RETRY_MILLIS = 2_000;
    /** Unanswered chunk requests in a row after which a fetch is dropped (the core's next catch-up starts anew). */
    private static final int SNAPSHOT_CHUNK_ATTEMPTS_MAX = 5;
    /**
     * A checkpoint a peer fetched a chunk of within this long is not deleted (a fetch slower than two snapshot
     * intervals would otherwise start over forever). Longer than the fetcher's whole retry budget.
     */
    private static final long SERVED_CHECKPOINT_PIN_MILLIS = 15_000;

    private final ReplicationConfig config;
    private final PaxosReplica replica;
    private final Checkpoints checkpoints;
    private final ChatStateMachine machine;
    private final RocksDbChatStore store;
    private final StreamPeerLinks links;
    private final AddressBook addressBook;
    private final CommandApplier applier;
    private final SnapshotFetcher fetcher;
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
    private final Map<String, Long> servedNanosByCheckpoint = new HashMap<>();
    /** Flushes the memtables before a checkpoint, off the loop (one task at a time: {@link #snapshotFlush}). */
    private final ExecutorService snapshotFlusher;
    /** The flush of the snapshot the core asked for, until the snapshot is taken; null otherwise. */
    private CompletableFuture<Void> snapshotFlush;

    /** Takes over the checkpoints of {@code durable}'s snapshot and prunes the others. */
    SnapshotTransfer(
            ReplicationConfig config,
            DurableState durable,
            PaxosReplica replica,
            Checkpoints checkpoints,
            ChatStateMachine machine,
            RocksDbChatStore store,
            StreamPeerLinks links,
            AddressBook addressBook,
            CommandApplier applier) {
        this.config = config;
        this.replica = replica;
        this.checkpoints = checkpoints;
        this.machine = machine;
        this.store = store;
        this.links = links;
        this.addressBook = addressBook;
        this.applier = applier;
        this.fetcher = new SnapshotFetcher(
                config.snapshotChunkBytes(),
                TimeUnit.MILLISECONDS.toNanos(SNAPSHOT_CHUNK_RETRY_MILLIS),
                SNAPSHOT_CHUNK_ATTEMPTS_MAX);
        this.snapshotFlusher = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, config.selfName() + "-snapshot-flush");
            thread.setDaemon(true);
            return thread;
        });
        durable.snapshot()
                .filter(snapshot -> CheckpointManifest.isManifest(snapshot.state()))
                .ifPresent(snapshot -> lastCheckpoint =
                        CheckpointManifest.decode(snapshot.state()).name());
        pruneCheckpoints();
    }

    /**
     * The core asks for a snapshot of {@code slot}: starts the memtable flushes. The checkpoint is taken between
     * turns once they are done ({@link #takeSnapshotIfFlushed}), of the state as it is then: a few slots later than
     * asked, which the core accepts (the state reflects them). Each pass after the first flushes what arrived during
     * the one before (a second or so of writes under load), so the checkpoint's own flush, on the loop, is short.
     */
    void snapshotRequested(long slot) {
        if (snapshotFlush != null) {
            return; // one is on its way
        }
        Runnable flush = store.memtableFlush();
        snapshotFlush = CompletableFuture.runAsync(flush, snapshotFlusher);
        for (int pass = 2; pass <= SNAPSHOT_FLUSH_PASSES; pass++) {
            snapshotFlush = snapshotFlush.thenRunAsync(flush, snapshotFlusher);
        }
    }

    /**
     * Takes the snapshot the core asked for once the memtables it needed flushed are (a failed flush fails the
     * loop, as a failed checkpoint does). Between turns: the state reflects exactly the applied slot.
     */
    void takeSnapshotIfFlushed() {
        if (snapshotFlush == null || !snapshotFlush.isDone()) {
            return;
        }
        try {
            snapshotFlush.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        } finally {
            snapshotFlush = null;
        }
        applier.syncAppliedState(); // the log is truncated behind the snapshot: the state must be durable first
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
    void installSnapshot(Snapshot snapshot) {
        if (!CheckpointManifest.isManifest(snapshot.state())) {
            machine.importSnapshot(snapshot.state()); // the inline format of servers before checkpoints
            applier.installed(); // the import is synced
            LOG.info("{}: installed the inline snapshot of slot {}", config.selfName(), snapshot.lastIncludedSlot());
            return;
        }
        CheckpointManifest manifest = CheckpointManifest.decode(snapshot.state());
        long installed = checkpoints.install(manifest);
        check(
                installed == manifest.appliedIndex() && installed == machine.appliedIndex(),
                "the checkpoint " + manifest + " installed applied index " + installed);
        check(
                Arrays.equals(machine.stateDigest(), manifest.digest()),
                "the checkpoint " + manifest + " installed digest " + machine.stateDigestHex());
        applier.installed(); // the install is synced
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
        Set<String> keep = new HashSet<>(names.subList(Math.max(0, names.size() - CHECKPOINTS_KEPT), names.size()));
        if (lastCheckpoint != null) {
            keep.add(lastCheckpoint);
        }
        long now = System.nanoTime();
        servedNanosByCheckpoint
                .values()
                .removeIf(served -> now - served > TimeUnit.MILLISECONDS.toNanos(SERVED_CHECKPOINT_PIN_MILLIS));
        keep.addAll(servedNanosByCheckpoint.keySet());
        checkpoints.retainOnly(keep);
    }

    /**
     * A catch-up reply whose snapshot is a checkpoint not here is held back (true) while the checkpoint is fetched
     * from its sender; the core gets it once the checkpoint is complete here. While one fetch runs, further such
     * replies are dropped: the core asks again after the fetch.
     */
    boolean holdForCheckpoint(PaxosEnvelope message) {
        if (!(message.message() instanceof PaxosMessage.CatchUpReply reply)
                || reply.snapshot().isEmpty()
                || reply.snapshot().get().lastIncludedSlot() <= replica.decidedPrefixSlot()
                || !CheckpointManifest.isManifest(reply.snapshot().get().state())) {
            return false;
        }
        CheckpointManifest manifest =
                CheckpointManifest.decode(reply.snapshot().get().state());
        if (checkpoints.isComplete(manifest)) {
            return false;
        }
        if (fetcher.active()) {
            return true;
        }
        String from = addressBook.nameOf(message.source());
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

    /** Sends again a chunk request left unanswered too long, or drops a fetch whose sender stopped answering. */
    void retryFetchIfDue(long now) {
        SnapshotFetcher.Request again = fetcher.due(now);
        if (again != null) {
            sendChunkRequest(again);
        } else if (receiving != null && !fetcher.active()) {
            dropFetch(); // gave up: no answers
        }
    }

    private void sendChunkRequest(SnapshotFetcher.Request request) {
        links.send(
                request.peer(),
                ReplicationCodec.snapshotGet(
                        request.checkpoint(), request.file(), request.offset(), request.maxBytes()));
    }

    /**
     * Answers a peer's request for a chunk of one of our checkpoints.
     *
     * @return false if the request came from a server this one does not know (nothing is sent: only members and
     *     joiners we know of fetch our state)
     */
    boolean serveChunk(PeerInbound inbound) {
        ReplicationCodec.ChunkRequest request = ReplicationCodec.decodeSnapshotGet(inbound.envelope());
        if (!addressBook.knows(inbound.source())) {
            return false;
        }
        int max = Math.min(request.maxBytes(), config.snapshotChunkBytes());
        Optional<Checkpoints.Chunk> chunk =
                checkpoints.read(request.checkpoint(), request.file(), request.offset(), max);
        if (chunk.isEmpty()) {
            links.send(
                    inbound.source(),
                    ReplicationCodec.snapshotGone(request.checkpoint(), "no such checkpoint file here"));
            return true;
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
        return true;
    }

    /** A chunk (or a "gone") for the checkpoint being fetched. */
    void onChunk(PeerInbound inbound) {
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

    /** The {@code snapshots} field of {@code /status}. */
    Map<String, Object> statusFields() {
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
        return snapshots;
    }

    private static void check(boolean condition, String what) {
        if (!condition) {
            throw new IllegalStateException("invariant violated: " + what);
        }
    }

    /** Waits for a memtable flush still running: the store is closed after this. */
    @Override
    public void close() {
        snapshotFlusher.shutdown(); // a running flush finishes first
        try {
            if (!snapshotFlusher.awaitTermination(SNAPSHOT_FLUSH_CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                LOG.warn("{}: a memtable flush still runs at close", config.selfName());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
