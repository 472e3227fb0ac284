package io.synod.messaging.peer;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.synod.messaging.InteractionLog;
import io.synod.messaging.ProcessClock;
import io.synod.protocol.Limits;
import io.synod.protocol.ProtocolException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.slf4j.LoggerFactory;

/**
 * Coverage-guided fuzzing of what a peer link does with a received frame (both kinds of links): {@link
 * PeerEnvelopes#accept} (decode within the limits, merge the clock, log), then {@link CoordinationCodec#decode} of
 * what it accepted; and the sender name a hello or a routing identity gives ({@link PeerLinks#sourceName}).
 * The stream links' length prefixes and hello are read inside their socket loop ({@code StreamPeerLinks.takeFrames})
 * and are not reached here. Seeds ({@code PeerFuzzTestInputs/accept}): each coordination message. How CI and
 * {@code scripts/fuzz.sh} run it: ARCHITECTURE.md, test kit.
 */
class PeerFuzzTest {
    static {
        // every refused frame is logged at debug: hundreds of thousands of lines would slow the run down
        ((Logger) LoggerFactory.getLogger("io.synod")).setLevel(Level.INFO);
    }

    private final InteractionLog log = InteractionLog.inMemory("s1");

    /**
     * A frame is either counted as invalid and dropped, or accepted as one envelope; a coordination message in it
     * decodes or is refused with a {@link ProtocolException} naming the field. The input's first byte splits it
     * into a name (as a hello carries) and the frame.
     */
    @FuzzTest(maxDuration = "10s", maxExecutions = 200_000)
    void accept(byte[] input) {
        int split = input.length == 0 ? 0 : Math.min(input.length - 1, input[0] & 0x0F);
        byte[] name = Arrays.copyOfRange(input, Math.min(1, input.length), 1 + split);
        byte[] frame = Arrays.copyOfRange(input, Math.min(input.length, 1 + split), input.length);
        if (name.length > 0) {
            assertThat(PeerLinks.sourceName(name)).isNotEmpty().doesNotContain("\n", "\r", "\0");
        }
        ProcessClock clock = ProcessClock.system();
        PeerEnvelopes envelopes = new PeerEnvelopes("s1", PeerLinkConfig.defaults(), clock, log, Limits.DEFAULT);
        List<PeerInbound> received = new ArrayList<>();
        envelopes.accept("s2", frame, List.of(), received);
        assertThat(received.size() + envelopes.invalidReceivedCount).isEqualTo(1);
        assertThat(envelopes.receivedCount).isEqualTo(received.size());
        for (PeerInbound inbound : received) {
            assertThat(clock.lamport().current()).isPositive();
            try {
                Optional<CoordinationCodec.Decoded> decoded =
                        CoordinationCodec.decode(inbound.envelope(), 7, Limits.DEFAULT);
                decoded.ifPresent(message -> assertThat(message).isNotNull());
            } catch (ProtocolException refused) {
                assertThat(refused.getMessage()).contains("field '");
            }
        }
    }
}
