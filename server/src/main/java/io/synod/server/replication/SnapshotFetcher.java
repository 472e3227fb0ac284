package io.synod.server.replication;

import io.synod.store.CheckpointManifest;
import java.util.Objects;

/**
 * Fetches one checkpoint from one peer, a chunk at a time, file after file: which chunk to ask for next, when to ask
 * again and when to give up. Deterministic (time is passed in) and free of I/O: the driver sends the requests and
 * writes the chunks.
 *
 * <p>One request is outstanding at a time (the peer reads a chunk from its disk per request, so a slow receiver
 * never makes it buffer more than one). A request unanswered for {@code retryNanos} is sent again, at most {@code
 * attemptsMax} times in a row; then the fetch fails and the driver drops it (the Paxos core asks for a catch-up
 * again, which starts a new fetch, from whichever peer answers).
 *
 * <p>Not thread-safe: owned by the replication driver's thread.
 */
final class SnapshotFetcher {
    /** A chunk to ask {@code peer} for. */
    record Request(String peer, String checkpoint, String file, long offset, int maxBytes) {}

    /** What a received chunk means. */
    enum Progress {
        /** Not the chunk we wait for (a duplicate, a late answer, another fetch's): ignore it. */
        IGNORED,
        /** Write it, then send {@link #request()}. */
        CONTINUE,
        /** Write it: it was the last one. */
        COMPLETE,
        /** The fetch failed (the peer no longer has the checkpoint, or its file sizes disagree with the manifest). */
        FAILED
    }

    private final int chunkBytes;
    private final long retryNanos;
    private final int attemptsMax;
    private CheckpointManifest manifest;
    private String peer;
    private int fileIndex;
    private long offset;
    private long sentNanos;
    private int attempts;
    private String failure;

    SnapshotFetcher(int chunkBytes, long retryNanos, int attemptsMax) {
        if (chunkBytes < 1 || retryNanos < 1 || attemptsMax < 1) {
            throw new IllegalArgumentException("chunkBytes, retryNanos and attemptsMax must be positive");
        }
        this.chunkBytes = chunkBytes;
        this.retryNanos = retryNanos;
        this.attemptsMax = attemptsMax;
    }

    boolean active() {
        return manifest != null;
    }

    /** The checkpoint being fetched; only while {@link #active()}. */
    CheckpointManifest manifest() {
        return Objects.requireNonNull(manifest, "no fetch is active");
    }

    String peer() {
        return peer;
    }

    /** Why the last fetch failed, or null. */
    String failure() {
        return failure;
    }

    /** Bytes of the checkpoint received so far (files before the current one, and the current one's offset). */
    long receivedBytes() {
        long received = offset;
        for (int i = 0; i < fileIndex; i++) {
            received += manifest.files().get(i).sizeBytes();
        }
        return received;
    }

    /** Starts fetching {@code checkpoint} from {@code from}; returns the first request (sent now). */
    Request start(CheckpointManifest checkpoint, String from, long nowNanos) {
        if (active()) {
            throw new IllegalStateException("a fetch of " + manifest.name() + " is active");
        }
        if (checkpoint.files().isEmpty()) {
            throw new IllegalArgumentException("a checkpoint has files");
        }
        manifest = checkpoint;
        peer = from;
        fileIndex = 0;
        offset = 0;
        failure = null;
        attempts = 1;
        sentNanos = nowNanos;
        return request();
    }

    /** The outstanding request. */
    Request request() {
        CheckpointManifest.FileEntry file = manifest.files().get(fileIndex);
        return new Request(peer, manifest.name(), file.name(), offset, chunkBytes);
    }

    /**
     * A chunk arrived: {@code bytes} of file {@code file} of checkpoint {@code checkpoint} at {@code chunkOffset}, the
     * file being {@code fileSize} bytes long at the peer. On {@link Progress#CONTINUE} the next request is {@link
     * #request()} (the caller sends it; this counts it as sent at {@code nowNanos}).
     */
    Progress onChunk(
            String from, String checkpoint, String file, long chunkOffset, byte[] bytes, long fileSize, long nowNanos) {
        if (!active()
                || !from.equals(peer)
                || !checkpoint.equals(manifest.name())
                || !file.equals(manifest.files().get(fileIndex).name())
                || chunkOffset != offset) {
            return Progress.IGNORED;
        }
        long expectedSize = manifest.files().get(fileIndex).sizeBytes();
        if (fileSize != expectedSize
                || offset + bytes.length > expectedSize
                || (bytes.length == 0 && offset < expectedSize)) {
            return fail(
                    "file " + file + " is " + fileSize + " bytes at " + peer + ", the manifest says " + expectedSize);
        }
        offset += bytes.length;
        while (fileIndex < manifest.files().size()
                && offset == manifest.files().get(fileIndex).sizeBytes()) {
            fileIndex++;
            offset = 0;
            if (fileIndex == manifest.files().size()) {
                finish();
                return Progress.COMPLETE;
            }
            if (manifest.files().get(fileIndex).sizeBytes() > 0) {
                break;
            }
        }
        attempts = 1;
        sentNanos = nowNanos;
        return Progress.CONTINUE;
    }

    /** The peer answered that it does not have {@code checkpoint} (any more). */
    Progress onGone(String from, String checkpoint) {
        if (!active() || !from.equals(peer) || !checkpoint.equals(manifest.name())) {
            return Progress.IGNORED;
        }
        return fail(peer + " no longer has " + checkpoint);
    }

    /**
     * The request to send again now, or null: when nothing is due, when no fetch is active, or when the attempts are
     * used up (then the fetch has failed: {@link #active()} is false and {@link #failure()} says why).
     */
    Request due(long nowNanos) {
        if (!active() || nowNanos - sentNanos < retryNanos) {
            return null;
        }
        if (attempts >= attemptsMax) {
            fail(peer + " did not answer " + attempts + " requests for " + manifest.name());
            return null;
        }
        attempts++;
        sentNanos = nowNanos;
        return request();
    }

    /** Stops the active fetch, if any (its checkpoint was abandoned by the caller). */
    void cancel(String why) {
        if (active()) {
            fail(why);
        }
    }

    private Progress fail(String why) {
        failure = why;
        manifest = null;
        peer = null;
        return Progress.FAILED;
    }

    private void finish() {
        failure = null;
        manifest = null;
        peer = null;
    }
}
