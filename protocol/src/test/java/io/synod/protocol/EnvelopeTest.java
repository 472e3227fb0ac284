package io.synod.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import org.junit.jupiter.api.Test;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;

class EnvelopeTest {
    private static final Limits LIMITS = Limits.DEFAULT;

    @Test
    void roundTripKeepsServiceDataAndOrder() {
        Envelope env = new Envelope("login", Map.of("user", "ana", "timestamp", 1.5, "clock", 3L));
        Envelope back = Envelope.decode(env.encode(), LIMITS);
        assertThat(back).isEqualTo(env);
        assertThat(back.fields().requireText("user", 64)).isEqualTo("ana");
    }

    @Test
    void encodesServiceBeforeData() throws IOException {
        byte[] bytes = new Envelope("users", Map.of()).encode();
        var unpacker = MessagePack.newDefaultUnpacker(bytes);
        assertThat(unpacker.unpackMapHeader()).isEqualTo(2);
        assertThat(unpacker.unpackString()).isEqualTo("service");
        assertThat(unpacker.unpackString()).isEqualTo("users");
        assertThat(unpacker.unpackString()).isEqualTo("data");
    }

    @Test
    void stampedAddsTimestampAndClock() {
        Envelope env = Replies.success("login").stamped(1700000000.25, 42);
        assertThat(env.data()).containsEntry("timestamp", 1700000000.25).containsEntry("clock", 42L);
        assertThat(env.data()).containsEntry("status", "sucesso");
    }

    @Test
    void rejectsGarbageWithClearMessages() {
        assertThatThrownBy(() -> Envelope.decode(new byte[0], LIMITS)).hasMessageContaining("empty frame");
        assertThatThrownBy(
                        () -> Envelope.decode("hello world".getBytes(java.nio.charset.StandardCharsets.UTF_8), LIMITS))
                .isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> Envelope.decode(MsgPack.encode(List.of(1L, 2L)), LIMITS))
                .hasMessageContaining("must be a MessagePack map");
        assertThatThrownBy(() -> Envelope.decode(MsgPack.encode(Map.of("data", Map.of())), LIMITS))
                .hasMessageContaining("'service'");
        assertThatThrownBy(() -> Envelope.decode(MsgPack.encode(Map.of("service", "x", "data", 5L)), LIMITS))
                .hasMessageContaining("'data' must be a map");
    }

    @Test
    void rejectsOversizedFrames() {
        byte[] big = new byte[LIMITS.frameBytesMax() + 1];
        assertThatThrownBy(() -> Envelope.decode(big, LIMITS)).hasMessageContaining("exceeds the limit");
    }

    @Test
    void rejectsInvalidUtf8() throws IOException {
        MessageBufferPacker packer = MessagePack.newDefaultBufferPacker();
        packer.packMapHeader(2);
        packer.packString("service");
        packer.packString("login");
        packer.packString("data");
        packer.packMapHeader(1);
        packer.packString("user");
        byte[] bad = {(byte) 0xC3, (byte) 0x28};
        packer.packRawStringHeader(bad.length);
        packer.writePayload(bad);
        assertThatThrownBy(() -> Envelope.decode(packer.toByteArray(), LIMITS))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("malformed");
    }

    @Test
    void rejectsDeepNestingAndTrailingBytes() {
        Object nested = "leaf";
        for (int i = 0; i < 40; i++) {
            nested = List.of(nested);
        }
        Object deep = nested;
        assertThatThrownBy(() -> MsgPack.decode(MsgPack.encode(deep), LIMITS)).hasMessageContaining("nesting");
        byte[] one = MsgPack.encode(Map.of("service", "users", "data", Map.of()));
        ByteArrayOutputStream two = new ByteArrayOutputStream();
        two.writeBytes(one);
        two.writeBytes(one);
        assertThatThrownBy(() -> Envelope.decode(two.toByteArray(), LIMITS)).hasMessageContaining("trailing");
    }

    @Test
    void randomBytesNeverEscapeAsAnythingButProtocolException() {
        RandomGenerator random = RandomGeneratorFactory.of("L64X128MixRandom").create(7261);
        for (int i = 0; i < 20_000; i++) {
            byte[] frame = new byte[1 + random.nextInt(64)];
            random.nextBytes(frame);
            try {
                Envelope env = Envelope.decode(frame, LIMITS);
                Requests.parse(env, LIMITS);
            } catch (ProtocolException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            }
        }
    }

    @Test
    void nullValuesAreDropped() {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("a", null);
        data.put("b", 1L);
        assertThat(new Envelope("x", data).data()).containsOnlyKeys("b");
    }
}
