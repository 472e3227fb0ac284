package io.synod.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;

/** {@link MsgPack#encode} and {@link Envelope#encode} write the bytes msgpack-java's packer wrote, value for value. */
class MsgPackWriterTest {
    private static final String[] PIECES = {
        "a",
        "é",
        "\u4e2d",
        "\ud83d\ude00",
        "\ud800",
        "\udfff",
        "\u0000",
        "\u007f",
        "\u0080",
        "\u07ff",
        "\u0800",
        "\uffff",
        "\"",
        "~"
    };

    /** The encoder this project used before: msgpack-java's packer, value by value. */
    private static byte[] withLibrary(Object value) throws IOException {
        try (MessageBufferPacker packer =
                new MessagePack.PackerConfig().withBufferSize(256).newBufferPacker()) {
            pack(packer, value);
            return packer.toByteArray();
        }
    }

    private static void pack(MessageBufferPacker packer, Object value) throws IOException {
        switch (value) {
            case null -> packer.packNil();
            case Boolean b -> packer.packBoolean(b);
            case Long l -> packer.packLong(l);
            case Integer i -> packer.packInt(i);
            case Short s -> packer.packShort(s);
            case Byte b -> packer.packByte(b);
            case Double d -> packer.packDouble(d);
            case Float f -> packer.packDouble(f);
            case String s -> packer.packString(s);
            case Enum<?> e -> packer.packString(e.name());
            case byte[] bytes -> {
                packer.packBinaryHeader(bytes.length);
                packer.writePayload(bytes);
            }
            case List<?> list -> {
                packer.packArrayHeader(list.size());
                for (Object item : list) {
                    pack(packer, item);
                }
            }
            case Map<?, ?> map -> {
                packer.packMapHeader(map.size());
                for (Map.Entry<?, ?> entry : map.entrySet()) {
                    packer.packString(String.valueOf(entry.getKey()));
                    pack(packer, entry.getValue());
                }
            }
            default -> throw new IllegalArgumentException(value.getClass().getName());
        }
    }

    @Test
    void randomValuesEncodeToTheLibrarysBytes() throws IOException {
        Random random = new Random(20261207L);
        for (int i = 0; i < 20_000; i++) {
            Object value = randomValue(random, 0);
            assertThat(MsgPack.encode(value)).as("case %d", i).isEqualTo(withLibrary(value));
        }
    }

    @Test
    void everyLengthFormBoundaryMatchesTheLibrary() throws IOException {
        Random random = new Random(3L);
        for (int length : new int[] {0, 1, 15, 16, 31, 32, 255, 256, 511, 512, 513, 65_535, 65_536, 70_000}) {
            for (Object value : List.of(
                    "x".repeat(length),
                    "é".repeat(length),
                    randomString(random, length),
                    new byte[length],
                    new ArrayList<>(java.util.Collections.nCopies(length, 1L)),
                    mapOf(length))) {
                assertThat(MsgPack.encode(value)).as("length %d", length).isEqualTo(withLibrary(value));
            }
        }
        for (long edge : MsgPackIntegerEdges.EDGES) {
            for (long v : new long[] {edge - 1, edge, edge + 1}) {
                assertThat(MsgPack.encode(v)).as("%d", v).isEqualTo(withLibrary(v));
                assertThat(MsgPack.encode((int) v)).isEqualTo(withLibrary((int) v));
                assertThat(MsgPack.encode((short) v)).isEqualTo(withLibrary((short) v));
                assertThat(MsgPack.encode((byte) v)).isEqualTo(withLibrary((byte) v));
            }
        }
    }

    @Test
    void envelopesEncodeAsTheMapOfServiceAndData() throws IOException {
        Random random = new Random(11L);
        for (int i = 0; i < 2_000; i++) {
            Map<String, Object> data = new LinkedHashMap<>();
            int fields = random.nextInt(8);
            for (int f = 0; f < fields; f++) {
                data.put(randomString(random, random.nextInt(12)), randomValue(random, 1));
            }
            Envelope envelope = new Envelope(randomString(random, 1 + random.nextInt(20)), data);
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("service", envelope.service());
            map.put("data", envelope.data());
            assertThat(envelope.encode()).isEqualTo(withLibrary(map));
        }
    }

    @Test
    void aValueOutsideTheModelIsRefusedByName() {
        assertThatThrownBy(() -> MsgPack.encode(List.of(1L, new Object())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("java.lang.Object");
    }

    private static Map<String, Object> mapOf(int entries) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < entries; i++) {
            map.put("k" + i, (long) i);
        }
        return map;
    }

    private static Object randomValue(Random random, int depth) {
        int kind = random.nextInt(depth > 3 ? 12 : 14);
        return switch (kind) {
            case 0 -> null;
            case 1 -> random.nextBoolean();
            case 2 -> randomLong(random);
            case 3 -> (int) randomLong(random);
            case 4 -> (short) random.nextInt();
            case 5 -> (byte) random.nextInt();
            case 6 -> random.nextInt(4) == 0 ? Double.longBitsToDouble(random.nextLong()) : random.nextGaussian() * 1e9;
            case 7 -> random.nextInt(4) == 0 ? Float.intBitsToFloat(random.nextInt()) : (float) random.nextGaussian();
            case 8, 9 -> randomString(random, randomLength(random));
            case 10 -> TimeUnit.values()[random.nextInt(TimeUnit.values().length)];
            case 11 -> {
                byte[] bytes = new byte[randomLength(random)];
                random.nextBytes(bytes);
                yield bytes;
            }
            case 12 -> {
                int size = random.nextInt(20);
                List<Object> list = new ArrayList<>(size);
                for (int i = 0; i < size; i++) {
                    list.add(randomValue(random, depth + 1));
                }
                yield random.nextBoolean() ? list : Arrays.asList(list.toArray());
            }
            default -> {
                int size = random.nextInt(20);
                Map<Object, Object> map = new LinkedHashMap<>();
                for (int i = 0; i < size; i++) {
                    Object key = random.nextInt(10) == 0 ? (Object) (long) i : randomString(random, random.nextInt(40));
                    map.put(key, randomValue(random, depth + 1));
                }
                yield random.nextBoolean() ? map : java.util.Collections.unmodifiableMap(map);
            }
        };
    }

    private static int randomLength(Random random) {
        return switch (random.nextInt(10)) {
            case 0 -> 200 + random.nextInt(400); // around str8's end and the library's encoder threshold (512)
            case 1 -> 60_000 + random.nextInt(10_000); // around str16's end
            default -> random.nextInt(40);
        };
    }

    private static long randomLong(Random random) {
        return switch (random.nextInt(4)) {
            case 0 -> random.nextInt(300) - 150;
            case 1 -> random.nextLong() >> random.nextInt(64);
            case 2 -> random.nextInt(200_000) - 100_000;
            default -> random.nextLong();
        };
    }

    private static String randomString(Random random, int length) {
        StringBuilder s = new StringBuilder(length);
        int ascii = random.nextInt(3); // 0: ASCII only, 1: mostly ASCII, 2: anything
        while (s.length() < length) {
            if (ascii == 0 || (ascii == 1 && random.nextInt(50) != 0)) {
                s.append((char) random.nextInt(0x80));
            } else {
                s.append(random.nextBoolean() ? PIECES[random.nextInt(PIECES.length)] : (char) random.nextInt(0x10000));
            }
        }
        return s.toString();
    }
}
