package io.synod.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of {@link PaxosCodec}, which decodes what a peer sends on a replication link ({@code paxos}
 * payloads) and what the durable log reads back. Seeds ({@code PaxosFuzzTestInputs/decode}): every message and
 * record kind, the input's first byte choosing which decoder reads the rest. How CI and {@code scripts/fuzz.sh} run
 * it: ARCHITECTURE.md, test kit.
 */
class PaxosFuzzTest {
    /**
     * Bytes either decode into a message or record whose encoding decodes to the same (the codec may normalise,
     * e.g. sort a membership), or are refused with the codec's {@link IllegalArgumentException}.
     */
    @FuzzTest(maxDuration = "10s", maxExecutions = 250_000)
    void decode(byte[] input) {
        if (input.length == 0) {
            return;
        }
        byte[] bytes = java.util.Arrays.copyOfRange(input, 1, input.length);
        try {
            if ((input[0] & 1) == 0) {
                PaxosEnvelope envelope = PaxosCodec.decodeEnvelope(bytes);
                assertThat(PaxosCodec.decodeEnvelope(PaxosCodec.encode(envelope)))
                        .isEqualTo(envelope);
            } else {
                DurableRecord record = PaxosCodec.decodeRecord(bytes);
                assertThat(PaxosCodec.decodeRecord(PaxosCodec.encode(record))).isEqualTo(record);
            }
        } catch (IllegalArgumentException refused) {
            assertThat(refused.getMessage()).isNotBlank();
        }
    }
}
