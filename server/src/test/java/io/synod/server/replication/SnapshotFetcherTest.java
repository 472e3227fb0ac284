package io.synod.server.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.store.CheckpointManifest;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The checkpoint fetch's sequencing, with time passed in: chunks in order, empty files, retries, giving up. */
class SnapshotFetcherTest {
    private static final long RETRY = 1_000;

    private static CheckpointManifest manifest(long... sizes) {
        List<CheckpointManifest.FileEntry> files = new java.util.ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            files.add(new CheckpointManifest.FileEntry("f" + i, sizes[i]));
        }
        return new CheckpointManifest("cp-7", 7, new byte[32], files);
    }

    /** Answers requests from {@code files} (the peer's bytes) until the fetch completes; returns the requests made. */
    private static int serve(
            SnapshotFetcher fetcher, SnapshotFetcher.Request first, CheckpointManifest m, byte[][] out) {
        SnapshotFetcher.Request request = first;
        int requests = 1;
        long now = 0;
        while (true) {
            int fileIndex = Integer.parseInt(request.file().substring(1));
            long size = m.files().get(fileIndex).sizeBytes();
            int length = (int) Math.min(request.maxBytes(), size - request.offset());
            byte[] chunk = new byte[length];
            for (int i = 0; i < length; i++) {
                chunk[i] = (byte) (fileIndex * 31 + request.offset() + i);
            }
            SnapshotFetcher.Progress progress =
                    fetcher.onChunk("s1", "cp-7", request.file(), request.offset(), chunk, size, ++now);
            assertThat(progress).isIn(SnapshotFetcher.Progress.CONTINUE, SnapshotFetcher.Progress.COMPLETE);
            System.arraycopy(chunk, 0, out[fileIndex], (int) request.offset(), length);
            if (progress == SnapshotFetcher.Progress.COMPLETE) {
                return requests;
            }
            request = fetcher.request();
            requests++;
        }
    }

    @Test
    void everyByteOfEveryFileIsAskedForOnceInOrderSkippingEmptyFiles() {
        SplittableRandom random = new SplittableRandom(11);
        for (int round = 0; round < 200; round++) {
            long[] sizes = new long[1 + random.nextInt(6)];
            for (int i = 0; i < sizes.length; i++) {
                sizes[i] = random.nextInt(4) == 0 ? 0 : random.nextInt(5_000);
            }
            int chunk = 1 + random.nextInt(2_000);
            CheckpointManifest m = manifest(sizes);
            SnapshotFetcher fetcher = new SnapshotFetcher(chunk, RETRY, 3);
            byte[][] received = new byte[sizes.length][];
            int expectedRequests = 0;
            for (int i = 0; i < sizes.length; i++) {
                received[i] = new byte[(int) sizes[i]];
                expectedRequests += (int) ((sizes[i] + chunk - 1) / chunk);
            }
            int requests = serve(fetcher, fetcher.start(m, "s1", 0), m, received);
            boolean firstIsEmpty = sizes[0] == 0;
            assertThat(requests)
                    .isEqualTo(expectedRequests + (firstIsEmpty ? 1 : 0)); // an empty first file is asked once
            for (int f = 0; f < sizes.length; f++) {
                for (int i = 0; i < sizes[f]; i++) {
                    assertThat(received[f][i]).isEqualTo((byte) (f * 31 + i));
                }
            }
            assertThat(fetcher.active()).isFalse();
            assertThat(fetcher.failure()).isNull();
        }
    }

    @Test
    void staleOrForeignChunksAreIgnoredAndWrongSizesFail() {
        CheckpointManifest m = manifest(10, 10);
        SnapshotFetcher fetcher = new SnapshotFetcher(4, RETRY, 3);
        fetcher.start(m, "s1", 0);
        assertThat(fetcher.onChunk("s2", "cp-7", "f0", 0, new byte[4], 10, 1))
                .isEqualTo(SnapshotFetcher.Progress.IGNORED);
        assertThat(fetcher.onChunk("s1", "cp-8", "f0", 0, new byte[4], 10, 1))
                .isEqualTo(SnapshotFetcher.Progress.IGNORED);
        assertThat(fetcher.onChunk("s1", "cp-7", "f1", 0, new byte[4], 10, 1))
                .isEqualTo(SnapshotFetcher.Progress.IGNORED);
        assertThat(fetcher.onChunk("s1", "cp-7", "f0", 0, new byte[4], 10, 1))
                .isEqualTo(SnapshotFetcher.Progress.CONTINUE);
        assertThat(fetcher.onChunk("s1", "cp-7", "f0", 0, new byte[4], 10, 2))
                .as("a duplicate of the chunk just taken")
                .isEqualTo(SnapshotFetcher.Progress.IGNORED);
        assertThat(fetcher.receivedBytes()).isEqualTo(4);
        assertThat(fetcher.onChunk("s1", "cp-7", "f0", 4, new byte[4], 11, 3))
                .isEqualTo(SnapshotFetcher.Progress.FAILED);
        assertThat(fetcher.active()).isFalse();
        assertThat(fetcher.failure()).contains("manifest says 10");

        fetcher.start(m, "s1", 10);
        assertThat(fetcher.onChunk("s1", "cp-7", "f0", 0, new byte[0], 10, 11))
                .as("no progress on a non-empty file")
                .isEqualTo(SnapshotFetcher.Progress.FAILED);
        fetcher.start(m, "s1", 20);
        assertThat(fetcher.onGone("s2", "cp-7")).isEqualTo(SnapshotFetcher.Progress.IGNORED);
        assertThat(fetcher.onGone("s1", "cp-7")).isEqualTo(SnapshotFetcher.Progress.FAILED);
        assertThat(fetcher.failure()).contains("no longer has");
    }

    @Test
    void anUnansweredRequestIsSentAgainThenTheFetchGivesUp() {
        SnapshotFetcher fetcher = new SnapshotFetcher(4, RETRY, 3);
        SnapshotFetcher.Request first = fetcher.start(manifest(10), "s1", 0);
        assertThat(fetcher.due(RETRY - 1)).isNull();
        assertThat(fetcher.due(RETRY)).isEqualTo(first);
        assertThat(fetcher.onChunk("s1", "cp-7", "f0", 0, new byte[4], 10, RETRY + 5))
                .isEqualTo(SnapshotFetcher.Progress.CONTINUE);
        assertThat(fetcher.due(2 * RETRY)).as("progress resets the clock").isNull();
        SnapshotFetcher.Request second = fetcher.request();
        assertThat(second.offset()).isEqualTo(4);
        assertThat(fetcher.due(2 * RETRY + 5)).isEqualTo(second);
        assertThat(fetcher.due(3 * RETRY + 5)).isEqualTo(second);
        assertThat(fetcher.due(4 * RETRY + 5)).as("attempts used up").isNull();
        assertThat(fetcher.active()).isFalse();
        assertThat(fetcher.failure()).contains("did not answer 3 requests");
    }
}
