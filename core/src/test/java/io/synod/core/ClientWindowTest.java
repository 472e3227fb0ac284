package io.synod.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.BitSet;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The exactly-once window's bitmap, moved a word at a time, against the bit-at-a-time rule it replaced. */
class ClientWindowTest {
    private static final int CASES = 20_000;

    /** The former rule: each set bit {@code k} of the window moves to {@code k + shift} if that is still inside. */
    private static BitSet shiftedBitByBit(BitSet applied, long shift) {
        BitSet bits = new BitSet(ClientWindow.REQUESTS_MAX);
        if (shift < ClientWindow.REQUESTS_MAX) {
            for (int k = applied.nextSetBit(0);
                    k >= 0 && k + shift < ClientWindow.REQUESTS_MAX;
                    k = applied.nextSetBit(k + 1)) {
                bits.set((int) (k + shift));
            }
        }
        return bits;
    }

    @Test
    void shiftedEqualsTheBitAtATimeRuleForRandomWindowsAndShifts() {
        Random random = new Random(20261207L);
        for (int i = 0; i < CASES; i++) {
            BitSet applied = new BitSet();
            int density = random.nextInt(4);
            for (int k = 0; k < ClientWindow.REQUESTS_MAX; k++) {
                if (density == 3 || random.nextInt(4) < density) {
                    applied.set(k);
                }
            }
            long shift = switch (random.nextInt(4)) {
                case 0 -> random.nextInt(65); // inside the first word or at its edge
                case 1 -> 64L * random.nextInt(5); // whole words
                case 2 -> random.nextInt(300);
                default -> random.nextLong(Long.MAX_VALUE);
            };
            BitSet expected = shiftedBitByBit(applied, shift);
            BitSet actual = BitSet.valueOf(ClientWindow.shifted(applied.toLongArray(), shift));
            assertThat(actual).as("shift %d of %s", shift, applied).isEqualTo(expected);
            assertThat(actual.toByteArray()).isEqualTo(expected.toByteArray());
        }
    }

    @Test
    void windowsStoreTheSameBytesAsTheyDidForRandomRequestSequences() {
        Random random = new Random(7L);
        for (int run = 0; run < 200; run++) {
            ClientWindow window = ClientWindow.read(null);
            BitSet reference = new BitSet();
            long highest = -1;
            for (int step = 0; step < 300; step++) {
                long requestId = highest < 0 ? random.nextInt(1_000) : highest - 255 + random.nextInt(400);
                if (window.seen(requestId) != ClientWindow.Seen.NEW) {
                    continue;
                }
                long newHighest = Math.max(highest, requestId);
                reference = shiftedBitByBit(reference, highest < 0 ? ClientWindow.REQUESTS_MAX : newHighest - highest);
                reference.set((int) (newHighest - requestId));
                highest = newHighest;
                boolean ok = random.nextBoolean();
                window = ClientWindow.read(window.with(requestId, ok, ok ? null : "no " + requestId)
                        .encode());
                assertThat(window.highest()).isEqualTo(highest);
                assertThat(window.applied()).isEqualTo(reference);
                assertThat(window.seen(requestId)).isEqualTo(ok ? ClientWindow.Seen.OK : ClientWindow.Seen.FAILED);
            }
            long oldest = window.highest() - ClientWindow.REQUESTS_MAX;
            assertThat(window.failures()).allMatch(f -> f.requestId() > oldest);
        }
    }
}
