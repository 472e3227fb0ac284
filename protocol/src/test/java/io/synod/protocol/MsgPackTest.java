package io.synod.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The codec's small first buffers must not limit what it carries. */
class MsgPackTest {

    @Test
    void stringsLongerThanTheDecodingBufferRoundTrip() {
        String twoByteChars = "ção".repeat(1_000) + "é"; // 3,001 characters, most of them 2 bytes in UTF-8
        String fourByteChars = "\uD83D\uDE00".repeat(700); // surrogate pairs across buffer boundaries
        Map<String, Object> value = Map.of("a", twoByteChars, "b", fourByteChars, "c", "x".repeat(100_000));
        byte[] frame = MsgPack.encode(value);
        assertThat(frame.length).isGreaterThan(100_000); // the 256-byte first buffer grew
        assertThat(MsgPack.decode(frame, Limits.DEFAULT)).isEqualTo(value);
    }

    @Test
    void malformedUtf8IsStillRefusedInALongString() {
        byte[] frame = MsgPack.encode("y".repeat(1_000));
        frame[600] = (byte) 0xC3; // a lead byte followed by an ASCII byte: invalid UTF-8
        assertThatThrownBy(() -> MsgPack.decode(frame, Limits.DEFAULT)).isInstanceOf(ProtocolException.class);
    }

    @Test
    void aBinaryValueAnnouncingMoreBytesThanTheFrameHoldsIsRefusedWithoutAllocatingThem() {
        // bin 32 announcing 60 MiB, then 2 bytes: the library alone would allocate the 60 MiB before failing
        byte[] frame = {(byte) 0xC6, 0x03, (byte) 0xC0, 0x00, 0x00, 1, 2};
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        assertThatThrownBy(() -> MsgPack.decode(frame, Limits.DEFAULT))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("only 2 bytes are left in the frame");
        assertThat(threads.getCurrentThreadAllocatedBytes() - before).isLessThan(1 << 20);
    }

    @Test
    void aBinaryValueFillingTheRestOfTheFrameIsKept() {
        byte[] frame = {(byte) 0xC4, 0x02, 7, 8};
        assertThat((byte[]) MsgPack.decode(frame, Limits.DEFAULT)).containsExactly(7, 8);
    }
}
