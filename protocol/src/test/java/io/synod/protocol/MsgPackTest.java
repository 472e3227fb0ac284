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
}
