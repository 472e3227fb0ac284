package io.synod.server.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.synod.consensus.LogCommand;
import io.synod.protocol.Envelope;
import io.synod.protocol.Limits;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The replication links' own messages: a batched {@code forward} survives the wire, bad ones are refused. */
class ReplicationCodecTest {

    @Test
    void forwardCarriesATurnsWritesInOrderThroughTheWire() {
        List<LogCommand.Client> writes = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            writes.add(new LogCommand.Client(2, 1_000 + i, new byte[] {(byte) i, 7}));
        }
        Envelope wire = Envelope.decode(ReplicationCodec.forward(2, writes).encode(), Limits.DEFAULT);
        List<LogCommand.Client> decoded = ReplicationCodec.decodeForward(wire);
        assertThat(decoded).hasSize(5);
        for (int i = 0; i < 5; i++) {
            assertThat(decoded.get(i).clientId()).isEqualTo(2);
            assertThat(decoded.get(i).requestId()).isEqualTo(1_000 + i);
            assertThat(decoded.get(i).payload()).containsExactly((byte) i, 7);
        }
    }

    @Test
    void forwardRefusesEmptyOversizedOrForeignBatches() {
        assertThatThrownBy(() -> ReplicationCodec.forward(2, List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ReplicationCodec.forward(2, List.of(new LogCommand.Client(3, 1, new byte[0]))))
                .hasMessageContaining("origin");
        List<LogCommand.Client> tooMany = new ArrayList<>();
        for (int i = 0; i <= ReplicationCodec.FORWARD_WRITES_MAX; i++) {
            tooMany.add(new LogCommand.Client(2, i, new byte[0]));
        }
        assertThatThrownBy(() -> ReplicationCodec.forward(2, tooMany)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void malformedForwardIsAnErrorNotACommand() {
        List<Map<String, Object>> bad = List.of(
                Map.of("origin", 2L),
                Map.of("origin", 0L, "writes", List.of(List.of(1L, new byte[0]))),
                Map.of("origin", 2L, "writes", List.of()),
                Map.of("origin", 2L, "writes", "not a list"),
                Map.of("origin", 2L, "writes", List.of(List.of(1L))),
                Map.of("origin", 2L, "writes", List.of(List.of(-1L, new byte[0]))),
                Map.of("origin", 2L, "writes", List.of(List.of(1L, "text, not binary"))));
        for (Map<String, Object> data : bad) {
            assertThatThrownBy(() -> ReplicationCodec.decodeForward(new Envelope(ReplicationCodec.FORWARD, data)))
                    .as("%s", data)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void checkpointChunksSurviveTheWireAndMalformedOnesAreRefused() {
        Envelope get = Envelope.decode(
                ReplicationCodec.snapshotGet("cp-9", "000012.sst", 4_096, 1 << 20)
                        .encode(),
                Limits.DEFAULT);
        assertThat(ReplicationCodec.decodeSnapshotGet(get))
                .isEqualTo(new ReplicationCodec.ChunkRequest("cp-9", "000012.sst", 4_096, 1 << 20));
        Envelope chunk = Envelope.decode(
                ReplicationCodec.snapshotChunk("cp-9", "CURRENT", 0, new byte[] {1, 2, 3}, 3)
                        .encode(),
                Limits.DEFAULT);
        ReplicationCodec.Chunk decoded = ReplicationCodec.decodeSnapshotChunk(chunk);
        assertThat(decoded.bytes()).containsExactly(1, 2, 3);
        assertThat(decoded.fileSize()).isEqualTo(3);
        assertThat(decoded.error()).isNull();
        ReplicationCodec.Chunk gone = ReplicationCodec.decodeSnapshotChunk(Envelope.decode(
                ReplicationCodec.snapshotGone("cp-9", "no such checkpoint file here")
                        .encode(),
                Limits.DEFAULT));
        assertThat(gone.error()).contains("no such");

        assertThatThrownBy(() -> ReplicationCodec.decodeSnapshotGet(new Envelope(
                        "snapshot_get", Map.of("checkpoint", "cp-9", "file", "x", "offset", -1L, "max", 5L))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ReplicationCodec.decodeSnapshotGet(new Envelope(
                        "snapshot_get", Map.of("checkpoint", "cp-9", "file", "x", "offset", 0L, "max", 0L))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ReplicationCodec.decodeSnapshotGet(
                        new Envelope("snapshot_get", Map.of("checkpoint", 7L, "file", "x", "offset", 0L, "max", 1L))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ReplicationCodec.decodeSnapshotChunk(new Envelope(
                        "snapshot_chunk",
                        Map.of("checkpoint", "cp-9", "file", "x", "offset", 0L, "bytes", "text", "file_size", 4L))))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
