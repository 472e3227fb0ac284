package io.synod.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of the frame decoder every process runs on bytes from outside (MessagePack, then the
 * envelope shape). Seeds: {@code EnvelopeFuzzTestInputs/decode}. How CI and {@code scripts/fuzz.sh} run it:
 * ARCHITECTURE.md, test kit.
 */
class EnvelopeFuzzTest {
    /** Tighter limits than the default, so the fuzzer reaches every limit check with small inputs. */
    private static final Limits TIGHT = new Limits(512, 3, 8, 8, 16, 8, 4);

    /**
     * Any frame is either refused with a {@link ProtocolException} that says why, or decoded into an envelope that
     * encodes back to the same envelope; a frame accepted under tight limits decodes the same under the default ones.
     */
    @FuzzTest(maxDuration = "10s", maxExecutions = 250_000)
    void decode(byte[] frame) {
        Envelope envelope = decodeOrNull(frame, Limits.DEFAULT);
        Envelope tight = decodeOrNull(frame, TIGHT);
        if (tight != null) {
            assertThat(envelope).isNotNull();
            assertThat(FuzzValues.same(tight.data(), envelope.data())).isTrue();
        }
        if (envelope == null) {
            return;
        }
        Envelope again = Envelope.decode(envelope.encode(), Limits.DEFAULT);
        assertThat(again.service()).isEqualTo(envelope.service());
        assertThat(FuzzValues.same(again.data(), envelope.data()))
                .as("re-decoded %s", envelope)
                .isTrue();
    }

    private static Envelope decodeOrNull(byte[] frame, Limits limits) {
        try {
            return Envelope.decode(frame, limits);
        } catch (ProtocolException refused) {
            assertThat(refused.getMessage()).isNotBlank();
            return null;
        }
    }
}
