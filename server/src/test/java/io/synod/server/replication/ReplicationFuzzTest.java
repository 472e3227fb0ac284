package io.synod.server.replication;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.synod.consensus.LogCommand;
import io.synod.core.ChatCommands;
import io.synod.protocol.Envelope;
import io.synod.protocol.Limits;
import io.synod.protocol.ProtocolException;
import java.util.List;
import java.util.Map;

/**
 * Coverage-guided fuzzing of the replication messages a peer may send ({@link ReplicationCodec}), decoded as the
 * replication driver does on receipt: each service's decoder, and the chat commands a {@code forward} carries
 * ({@link ChatCommands#decode}). Seeds ({@code ReplicationFuzzTestInputs/decode}): one message of each service.
 * How CI and {@code scripts/fuzz.sh} run it: ARCHITECTURE.md, test kit.
 */
class ReplicationFuzzTest {
    /**
     * A frame is refused as an envelope ({@link ProtocolException}) or by its service's decoder ({@link
     * IllegalArgumentException}, which the driver counts and drops), or decodes into values within the codec's
     * rules.
     */
    @FuzzTest(maxDuration = "10s", maxExecutions = 250_000)
    void decode(byte[] frame) {
        Envelope envelope;
        try {
            envelope = Envelope.decode(frame, Limits.DEFAULT);
        } catch (ProtocolException refused) {
            return; // the protocol module's envelope fuzz test covers this
        }
        try {
            switch (envelope.service()) {
                case ReplicationCodec.PAXOS ->
                    assertThat(ReplicationCodec.decodePaxos(envelope)).isNotNull();
                case ReplicationCodec.SNAPSHOT_GET -> {
                    ReplicationCodec.ChunkRequest request = ReplicationCodec.decodeSnapshotGet(envelope);
                    assertThat(request.maxBytes()).isPositive();
                    assertThat(request.offset()).isNotNegative();
                }
                case ReplicationCodec.SNAPSHOT_CHUNK -> {
                    ReplicationCodec.Chunk chunk = ReplicationCodec.decodeSnapshotChunk(envelope);
                    assertThat(chunk.checkpoint()).isNotEmpty();
                    assertThat(chunk.error() != null || (chunk.bytes() != null && chunk.offset() >= 0))
                            .isTrue();
                }
                case ReplicationCodec.FORWARD -> {
                    List<LogCommand.Client> commands = ReplicationCodec.decodeForward(envelope);
                    assertThat(commands).isNotEmpty().hasSizeLessThanOrEqualTo(ReplicationCodec.FORWARD_WRITES_MAX);
                    for (LogCommand.Client command : commands) {
                        assertThat(command.requestId()).isNotNegative();
                        try {
                            assertThat(ChatCommands.decode(command.payload())).isNotNull();
                        } catch (IllegalArgumentException undecodable) {
                            assertThat(undecodable.getMessage()).isNotBlank();
                        }
                    }
                }
                case ReplicationCodec.PUBLISHED ->
                    assertThat(ReplicationCodec.decodePublished(envelope)).isNotNegative();
                case ReplicationCodec.MEMBERS -> {
                    Map<String, String> members = ReplicationCodec.decodeMembers(envelope);
                    assertThat(members.values()).allMatch(endpoint -> endpoint.startsWith("tcp://"));
                }
                case ReplicationCodec.JOIN, ReplicationCodec.REMOVE -> {
                    String name = ReplicationCodec.text(envelope, "name");
                    assertThat(ReplicationConfig.nodeIdOf(name)).isGreaterThanOrEqualTo(-1);
                    if (envelope.service().equals(ReplicationCodec.JOIN)) {
                        assertThat(ReplicationCodec.text(envelope, "endpoint")).isNotEmpty();
                    }
                }
                default -> {}
            }
        } catch (IllegalArgumentException refused) {
            assertThat(refused.getMessage()).isNotBlank();
        }
    }
}
