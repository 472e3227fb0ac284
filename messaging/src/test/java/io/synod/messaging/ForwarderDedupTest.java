package io.synod.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.protocol.MsgPack;
import io.synod.protocol.Publication;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;

class ForwarderDedupTest {
    private static final byte[] ROOM = utf8("room");
    private static final long MILLI = 1_000_000L;

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] post(long seq, String text) {
        return new Publication.ChannelPost("room", "ana", text, 1_700_000_000.25, 42, seq, seq + "-0", seq)
                .encodePayload();
    }

    private interface Packing {
        void pack(MessageBufferPacker packer) throws IOException;
    }

    private static byte[] raw(Packing packing) throws IOException {
        try (MessageBufferPacker packer = MessagePack.newDefaultBufferPacker()) {
            packing.pack(packer);
            return packer.toByteArray();
        }
    }

    @Test
    void theSeqOfSynodsPublicationsIsFoundAfterTheFieldsBeforeIt() {
        assertThat(ForwarderDedup.seqOf(post(7, "oi"))).isEqualTo(7);
        assertThat(ForwarderDedup.seqOf(post(300, "x".repeat(70_000)))).isEqualTo(300);
        byte[] direct =
                new Publication.DirectMessage("ana", "bia", "oi", 1.5, 3, 1L << 40, "9-0", 9, 2).encodePayload();
        assertThat(ForwarderDedup.seqOf(direct)).isEqualTo(1L << 40);
    }

    @Test
    void valuesOfEveryKindBeforeTheSeqAreSkipped() throws IOException {
        byte[] payload = raw(p -> {
            p.packMapHeader(9);
            p.packString("nested")
                    .packMapHeader(2)
                    .packString("a")
                    .packArrayHeader(3)
                    .packInt(1)
                    .packNil()
                    .packBoolean(true)
                    .packString("b")
                    .packMapHeader(1)
                    .packString("c")
                    .packDouble(2.5);
            p.packString("bin").packBinaryHeader(300).writePayload(new byte[300]);
            p.packString("ext").packExtensionTypeHeader((byte) 5, 20).writePayload(new byte[20]);
            p.packString("fixext").packExtensionTypeHeader((byte) 5, 8).writePayload(new byte[8]);
            p.packString("float").packFloat(1.5f);
            p.packString("big").packLong(Long.MIN_VALUE);
            p.packInt(12).packString("a non-string key");
            p.packString("long string").packString("é".repeat(40_000));
            p.packString("seq").packLong(70_000);
        });
        assertThat(ForwarderDedup.seqOf(payload)).isEqualTo(70_000);
    }

    @Test
    void everyIntegerFormOfTheSeqIsRead() throws IOException {
        for (long seq : new long[] {
            0,
            1,
            127,
            128,
            255,
            256,
            65_535,
            65_536,
            1L << 32,
            Long.MAX_VALUE,
            -1,
            -32,
            -33,
            -129,
            -40_000,
            Integer.MIN_VALUE,
            Long.MIN_VALUE + 1
        }) {
            byte[] payload = raw(p -> p.packMapHeader(1).packString("seq").packLong(seq));
            assertThat(ForwarderDedup.seqOf(payload)).as("seq %d", seq).isEqualTo(seq);
        }
        byte[] map16 = raw(p -> {
            p.packMapHeader(20);
            for (int i = 0; i < 19; i++) {
                p.packString("k" + i).packInt(i);
            }
            p.packString("seq").packInt(5);
        });
        assertThat(map16[0] & 0xFF).isEqualTo(0xDE);
        assertThat(ForwarderDedup.seqOf(map16)).isEqualTo(5);
        byte[] str8Key = {(byte) 0x81, (byte) 0xD9, 3, 's', 'e', 'q', 9};
        assertThat(ForwarderDedup.seqOf(str8Key)).isEqualTo(9);
        byte[] int8 = {(byte) 0x81, (byte) 0xA3, 's', 'e', 'q', (byte) 0xD0, (byte) 0x85};
        assertThat(ForwarderDedup.seqOf(int8)).isEqualTo(-123);
        byte[] uint64 = {(byte) 0x81, (byte) 0xA3, 's', 'e', 'q', (byte) 0xCF, 0, 0, 0, 0, 0, 0, 1, 0};
        assertThat(ForwarderDedup.seqOf(uint64)).isEqualTo(256);
    }

    @Test
    void payloadsWithoutAnIntegerSeqHaveNone() throws IOException {
        List<byte[]> none = List.of(
                new byte[0],
                utf8("hello"),
                MsgPack.encode(List.of(1, 2, 3)),
                MsgPack.encode(Map.of("user", "ana", "message", "oi")),
                MsgPack.encode(Map.of("service", "election", "data", Map.of("seq", 3))), // only at the top level
                MsgPack.encode(Map.of("seq", "3")),
                MsgPack.encode(Map.of("seq", 3.0)),
                MsgPack.encode(Map.of("sequence", 3)),
                MsgPack.encode(Map.of("se", 3)),
                MsgPack.encode(Map.of()),
                // uint64 above 2^63-1
                new byte[] {(byte) 0x81, (byte) 0xA3, 's', 'e', 'q', (byte) 0xCF, (byte) 0x80, 0, 0, 0, 0, 0, 0, 0},
                // a map32 claiming 2^32-1 pairs, with one
                new byte[] {(byte) 0xDF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xA1, 'a', 1},
                // a value claiming more bytes than there are before the seq
                new byte[] {
                    (byte) 0x82,
                    (byte) 0xA1,
                    'a',
                    (byte) 0xDB,
                    0x7F,
                    (byte) 0xFF,
                    (byte) 0xFF,
                    (byte) 0xFF,
                    (byte) 0xA3,
                    's',
                    'e',
                    'q',
                    1
                },
                // nested arrays claiming billions of items
                new byte[] {
                    (byte) 0x82,
                    (byte) 0xA1,
                    'a',
                    (byte) 0xDD,
                    (byte) 0xFF,
                    (byte) 0xFF,
                    (byte) 0xFF,
                    (byte) 0xFF,
                    (byte) 0xDD,
                    (byte) 0xFF,
                    (byte) 0xFF,
                    (byte) 0xFF,
                    (byte) 0xFF
                },
                // the type byte MessagePack never uses
                new byte[] {(byte) 0x82, (byte) 0xA1, 'a', (byte) 0xC1, (byte) 0xA3, 's', 'e', 'q', 1},
                raw(p -> p.packMapHeader(1).packString("seq").packNil()));
        for (byte[] payload : none) {
            assertThat(ForwarderDedup.seqOf(payload))
                    .as(Arrays.toString(payload))
                    .isEqualTo(ForwarderDedup.NO_SEQ);
        }
    }

    @Test
    void everyPrefixOfAPayloadAndRandomBytesAreReadWithoutThrowing() {
        byte[] whole = post(1_234, "a message of some length");
        for (int length = 0; length < whole.length; length++) {
            long seq = ForwarderDedup.seqOf(Arrays.copyOf(whole, length));
            assertThat(seq).isIn(ForwarderDedup.NO_SEQ, 1_234L); // found once its bytes are in
        }
        SplittableRandom random = new SplittableRandom(19);
        for (int i = 0; i < 200_000; i++) {
            byte[] noise = new byte[random.nextInt(1, 40)];
            random.nextBytes(noise);
            noise[0] = (byte) (0x80 | random.nextInt(16)); // most of them claim to be maps
            ForwarderDedup.seqOf(noise);
        }
        for (int i = 0; i < 20_000; i++) { // a real payload with one byte changed
            byte[] changed = whole.clone();
            changed[random.nextInt(changed.length)] = (byte) random.nextInt(256);
            ForwarderDedup.seqOf(changed);
        }
    }

    @Test
    void anIdenticalRepeatIsDroppedAndADifferentPayloadWithTheSameSeqIsNot() {
        ForwarderDedup window = new ForwarderDedup(100, 1 << 20, 10_000);
        byte[] real = post(5, "real");
        byte[] forged = post(5, "forged");
        assertThat(window.repeated(ROOM, forged, 0)).isFalse();
        assertThat(window.repeated(ROOM, real, 1)).as("same seq, other payload").isFalse();
        assertThat(window.repeated(ROOM, real.clone(), 2))
                .as("the real one again")
                .isTrue();
        assertThat(window.repeated(ROOM, forged.clone(), 3))
                .as("the forged one again")
                .isTrue();
        assertThat(window.repeated(utf8("roomy"), real, 4)).as("another topic").isFalse();
        assertThat(window.repeated(ROOM, post(6, "real"), 5)).as("another seq").isFalse();
        assertThat(window.size()).isEqualTo(4);
    }

    @Test
    void payloadsWithoutSeqAreNeverDroppedNorRemembered() {
        ForwarderDedup window = new ForwarderDedup(100, 1 << 20, 10_000);
        byte[] foreign = MsgPack.encode(new LinkedHashMap<>(Map.of("user", "ana", "message", "oi")));
        for (byte[] payload : List.of(foreign, utf8("not msgpack"), new byte[0])) {
            assertThat(window.repeated(ROOM, payload, 0)).isFalse();
            assertThat(window.repeated(ROOM, payload, 1)).isFalse();
        }
        assertThat(window.size()).isZero();
        assertThat(window.bytes()).isZero();
    }

    @Test
    void theWindowKeepsItsEntriesBound() {
        ForwarderDedup window = new ForwarderDedup(3, 1 << 20, 10_000);
        for (int seq = 1; seq <= 4; seq++) {
            assertThat(window.repeated(ROOM, post(seq, "m"), seq)).isFalse();
        }
        assertThat(window.size()).isEqualTo(3);
        assertThat(window.repeated(ROOM, post(1, "m"), 5))
                .as("seq 1 fell out: forwarded")
                .isFalse();
        assertThat(window.repeated(ROOM, post(3, "m"), 6))
                .as("seq 3 is still in")
                .isTrue();
        assertThat(window.size()).isEqualTo(3);
    }

    @Test
    void theWindowKeepsItsBytesBound() {
        byte[] first = post(1, "x".repeat(400));
        long cost = ROOM.length + first.length + ForwarderDedup.ENTRY_OVERHEAD_BYTES;
        ForwarderDedup window = new ForwarderDedup(1_000, 2 * cost, 10_000);
        assertThat(window.repeated(ROOM, first, 0)).isFalse();
        assertThat(window.repeated(ROOM, post(2, "x".repeat(400)), 1)).isFalse();
        assertThat(window.bytes()).isEqualTo(2 * cost);
        assertThat(window.repeated(ROOM, post(3, "x".repeat(400)), 2)).isFalse();
        assertThat(window.bytes()).isLessThanOrEqualTo(2 * cost);
        assertThat(window.repeated(ROOM, first, 3))
                .as("the oldest went for the bytes")
                .isFalse();
        byte[] huge = post(9, "y".repeat(4_000));
        assertThat(window.repeated(ROOM, huge, 4)).isFalse();
        assertThat(window.repeated(ROOM, huge, 5))
                .as("larger than the whole window: never remembered")
                .isFalse();
    }

    @Test
    void theWindowForgetsWhatIsOlderThanItsAge() {
        ForwarderDedup window = new ForwarderDedup(100, 1 << 20, 1_000);
        byte[] payload = post(1, "m");
        assertThat(window.repeated(ROOM, payload, 0)).isFalse();
        assertThat(window.repeated(ROOM, payload, 1_000 * MILLI))
                .as("at the age: still in")
                .isTrue();
        assertThat(window.repeated(ROOM, post(2, "m"), 500 * MILLI)).isFalse();
        window.expire(1_000 * MILLI + 1);
        assertThat(window.size())
                .as("aged from the first copy, not the repeats")
                .isEqualTo(1);
        assertThat(window.repeated(ROOM, payload, 1_000 * MILLI + 2))
                .as("remembered anew")
                .isFalse();
        assertThat(window.repeated(ROOM, post(2, "m"), 1_600 * MILLI)).isFalse();
        assertThat(window.size()).isEqualTo(2);
    }

    @Test
    void payloadsMadeToCollideInOneHashBucketAreStillToldApart() {
        // Arrays.hashCode collides for "Aa"/"BB"-style swaps; the entries then share a bucket
        ForwarderDedup window = new ForwarderDedup(10_000, 64 << 20, 10_000);
        for (int i = 0; i < 2_000; i++) {
            StringBuilder text = new StringBuilder();
            for (int bit = 0; bit < 11; bit++) {
                text.append((i >> bit & 1) == 0 ? "Aa" : "BB");
            }
            assertThat(window.repeated(ROOM, post(1, text.toString()), i)).isFalse();
        }
        assertThat(window.size()).isEqualTo(2_000);
        assertThat(window.repeated(ROOM, post(1, "AaAaAaAaAaAaAaAaAaAaAa"), 3_000))
                .isTrue();
    }
}
