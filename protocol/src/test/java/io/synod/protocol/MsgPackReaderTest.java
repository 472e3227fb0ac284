package io.synod.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link MsgPack#decode} (its own reader first) answers every frame as msgpack-java alone does: the same value, or a
 * {@link ProtocolException} with the same text.
 */
class MsgPackReaderTest {
    private static final Limits SMALL = new Limits(1 << 20, 4, 40, 64, 4_096, 128, 500);
    private static final int[] MARKERS = {
        0x00, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xca, 0xcb,
        0xcc, 0xcd, 0xce, 0xcf, 0xd0, 0xd3, 0xd4, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0xe0, 0xff
    };

    /** The value, or the error's text, as {@code decode} gives them. */
    private static Object outcome(java.util.function.Supplier<Object> decode) {
        try {
            return decode.get();
        } catch (ProtocolException e) {
            return "error: " + e.getMessage();
        }
    }

    private static void assertSameAsLibrary(byte[] frame, Limits limits, String what) {
        Object fast = outcome(() -> MsgPack.decode(frame, limits));
        Object library = outcome(() -> MsgPack.decodeWithLibrary(frame, limits));
        assertThat(FuzzValues.same(fast, library))
                .as("%s: %s against the library's %s", what, fast, library)
                .isTrue();
        if (fast != null) {
            assertThat(fast.getClass()).isEqualTo(library.getClass());
        }
    }

    @Test
    void validFramesDecodeToTheLibrarysValues() {
        Random random = new Random(20261207L);
        int readHere = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] frame = MsgPack.encode(randomValue(random, 0));
            assertSameAsLibrary(frame, Limits.DEFAULT, "case " + i);
            assertSameAsLibrary(frame, SMALL, "small limits, case " + i);
            try {
                new MsgPackReader(frame, Limits.DEFAULT).whole();
                readHere++;
            } catch (MsgPackReader.GiveUp e) {
                // a non-ASCII string: the library's
            }
        }
        assertThat(readHere).as("frames the reader decoded without the library").isGreaterThan(5_000);
    }

    @Test
    void damagedFramesGetTheLibrarysAnswer() {
        Random random = new Random(5L);
        for (int i = 0; i < 30_000; i++) {
            byte[] frame = MsgPack.encode(randomValue(random, 0));
            byte[] damaged = switch (random.nextInt(4)) {
                case 0 -> java.util.Arrays.copyOf(frame, random.nextInt(frame.length) + 1); // cut
                case 1 -> java.util.Arrays.copyOf(frame, frame.length + 1 + random.nextInt(3)); // trailing
                default -> {
                    byte[] copy = frame.clone();
                    int changes = 1 + random.nextInt(3);
                    for (int c = 0; c < changes; c++) {
                        copy[random.nextInt(copy.length)] = random.nextBoolean()
                                ? (byte) MARKERS[random.nextInt(MARKERS.length)]
                                : (byte) random.nextInt(256);
                    }
                    yield copy;
                }
            };
            assertSameAsLibrary(damaged, Limits.DEFAULT, "case " + i);
            assertSameAsLibrary(damaged, SMALL, "small limits, case " + i);
        }
    }

    @Test
    void everyIntegerFormAndItsEdgesDecodeAsTheLibraryDecodesThem() {
        for (long edge : MsgPackIntegerEdges.EDGES) {
            assertSameAsLibrary(MsgPack.encode(edge), Limits.DEFAULT, "" + edge);
        }
        // uint64 above Long.MAX_VALUE, int forms holding small values, float32: written by other clients
        for (String hex : List.of(
                "cfffffffffffffffff",
                "cf8000000000000000",
                "d000",
                "d1ffff",
                "d2ffffffff",
                "d30000000000000001",
                "ca3fc00000",
                "ca7fc00000",
                "cc01",
                "cd0001",
                "ce00000001",
                "c1",
                "d40000",
                "c70100",
                "a1c3",
                "a2c3a9",
                "81a16101",
                "8101a1",
                "91c0",
                "dc0000",
                "de0000",
                "c4ff",
                "c6ffffffff",
                "dbffffffff",
                "ddffffffff")) {
            assertSameAsLibrary(java.util.HexFormat.of().parseHex(hex), Limits.DEFAULT, hex);
        }
    }

    private static Object randomValue(Random random, int depth) {
        return switch (random.nextInt(depth > 4 ? 9 : 12)) {
            case 0 -> null;
            case 1 -> random.nextBoolean();
            case 2 -> random.nextLong() >> random.nextInt(64);
            case 3 -> (long) (random.nextInt(300) - 150);
            case 4 -> random.nextInt(3) == 0 ? Double.longBitsToDouble(random.nextLong()) : random.nextGaussian();
            case 5 -> Float.intBitsToFloat(random.nextInt());
            case 6, 7 -> randomString(random);
            case 8 -> {
                byte[] bytes = new byte[random.nextInt(3) == 0 ? 250 + random.nextInt(20) : random.nextInt(10)];
                random.nextBytes(bytes);
                yield bytes;
            }
            case 9 -> {
                int size = random.nextInt(random.nextInt(10) == 0 ? 60 : 6);
                List<Object> list = new ArrayList<>();
                for (int i = 0; i < size; i++) {
                    list.add(randomValue(random, depth + 1));
                }
                yield list;
            }
            default -> {
                int size = random.nextInt(random.nextInt(10) == 0 ? 50 : 6);
                Map<String, Object> map = new LinkedHashMap<>();
                for (int i = 0; i < size; i++) {
                    map.put(randomString(random), randomValue(random, depth + 1));
                }
                yield map;
            }
        };
    }

    private static String randomString(Random random) {
        int length = random.nextInt(10) == 0 ? 30 + random.nextInt(300) : random.nextInt(12);
        StringBuilder s = new StringBuilder();
        boolean ascii = random.nextInt(4) != 0;
        for (int i = 0; i < length; i++) {
            s.append(ascii ? (char) random.nextInt(0x80) : "aé\u4e2d\ud83d\ude00\ud800z".charAt(random.nextInt(7)));
        }
        return s.toString();
    }
}
