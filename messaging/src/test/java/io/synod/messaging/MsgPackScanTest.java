package io.synod.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.protocol.MsgPack;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MsgPackScanTest {
    @Test
    void aMapsKeysAndValuesAreFoundWithoutDecodingIt() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("user", "ana");
        fields.put("nested", Map.of("seq", 9L, "list", List.of(1L, "x")));
        fields.put("message", "t123;" + "x".repeat(300)); // str16
        fields.put("seq", -5L);
        byte[] payload = MsgPack.encode(fields);
        long header = MsgPackScan.mapHeader(payload);
        assertThat(header >>> 32).isEqualTo(4);
        int pos = (int) header;
        Map<String, Integer> valueAt = new LinkedHashMap<>();
        for (int i = 0; i < 4; i++) {
            int keyEnd = MsgPackScan.skip(payload, pos, 1);
            int start = MsgPackScan.stringStart(payload, pos);
            valueAt.put(new String(payload, start, keyEnd - start, StandardCharsets.UTF_8), keyEnd);
            pos = MsgPackScan.skip(payload, keyEnd, 1);
        }
        assertThat(pos).as("the last value ends the payload").isEqualTo(payload.length);
        assertThat(valueAt).containsOnlyKeys("user", "nested", "message", "seq");
        assertThat(MsgPackScan.integerAt(payload, valueAt.get("seq"))).isEqualTo(-5);
        assertThat(MsgPackScan.integerAt(payload, valueAt.get("user"))).isEqualTo(MsgPackScan.NOT_AN_INTEGER);
        int message = valueAt.get("message");
        int textStart = MsgPackScan.stringStart(payload, message);
        assertThat(new String(payload, textStart, 5, StandardCharsets.UTF_8)).isEqualTo("t123;");
        assertThat(MsgPackScan.skip(payload, message, 1) - textStart).isEqualTo(305);
        assertThat(MsgPackScan.stringStart(payload, valueAt.get("nested"))).isEqualTo(-1);
    }

    @Test
    void whatIsNotAMapOrEndsEarlyIsToldAndNeverThrows() {
        assertThat(MsgPackScan.mapHeader(new byte[0])).isEqualTo(-1);
        assertThat(MsgPackScan.mapHeader(MsgPack.encode(List.of(1L)))).isEqualTo(-1);
        assertThat(MsgPackScan.mapHeader(new byte[] {(byte) 0xDE, 0}))
                .as("map16 cut in its size")
                .isEqualTo(-1);
        byte[] payload = MsgPack.encode(Map.of("message", "hello"));
        for (int cut = 0; cut < payload.length; cut++) {
            byte[] truncated = Arrays.copyOf(payload, cut);
            assertThat(MsgPackScan.skip(truncated, 0, 1)).isEqualTo(-1);
        }
        assertThat(MsgPackScan.skip(new byte[] {(byte) 0xC1}, 0, 1))
                .as("the unused type byte")
                .isEqualTo(-1);
        assertThat(MsgPackScan.skip(new byte[] {(byte) 0xDF, 0x7F, -1, -1, -1}, 0, 1))
                .as("a map claiming billions of pairs")
                .isEqualTo(-1);
        assertThat(MsgPackScan.stringStart(payload, payload.length)).isEqualTo(-1);
        assertThat(MsgPackScan.integerAt(payload, -1)).isEqualTo(MsgPackScan.NOT_AN_INTEGER);
    }
}
