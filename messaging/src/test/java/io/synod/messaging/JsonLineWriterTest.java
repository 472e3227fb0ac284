package io.synod.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Lines written by {@link JsonLineWriter} (through {@link InteractionLog}) are the text Jackson wrote before. */
class JsonLineWriterTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] SPECIAL = {
        "\"",
        "\\",
        "/",
        "\u007f",
        "\u0080",
        "\u00e9",
        "\u00ff",
        "\u2028",
        "\u2029",
        "\ufeff",
        "\ufffe",
        "\uffff",
        "\ud83d\ude00",
        "\ud800",
        "\udfff",
        "\udc00\ud800",
        "\u4e2d\u6587",
        "<hidden>",
        "'",
        "\u0000"
    };

    @Test
    void randomLinesAreWhatJacksonWrote() throws Exception {
        long seed = Long.getLong("jsonline.seed", System.nanoTime());
        System.out.println("JsonLineWriterTest: seed=" + seed + " (-Djsonline.seed=" + seed + " replays it)");
        Random random = new Random(seed);
        int written = 0;
        for (int i = 0; i < 3_000; i++) {
            String process = random.nextInt(4) == 0 ? hostileString(random) : "server-" + random.nextInt(5);
            InteractionLog log = InteractionLog.inMemory(process);
            String kind = random.nextInt(10) == 0 ? null : hostileString(random);
            String peer = random.nextInt(5) == 0 ? null : hostileString(random);
            long clock = randomLong(random);
            double ts = random.nextInt(10) == 0 ? randomDouble(random) : 1.7e9 + random.nextDouble() * 1e8;
            Map<String, Object> data = randomMap(random, 0);
            String dir = switch (random.nextInt(3)) {
                case 0 -> {
                    log.received(kind, peer, clock, ts, data);
                    yield "in";
                }
                case 1 -> {
                    log.sent(kind, peer, clock, ts, data);
                    yield "out";
                }
                default -> {
                    log.event(kind, clock, ts, data);
                    peer = null;
                    yield "event";
                }
            };
            String ours = log.recentLines().getLast();
            String jackson = jacksonLine(process, dir, kind, peer, clock, ts, data);
            String context = "seed " + seed + " line " + i + ": " + jackson;
            assertThat(ours).as(context).isEqualTo(jackson);
            assertThat(JSON.readTree(ours)).as(context).isEqualTo(JSON.readTree(jackson));
            if (!ours.endsWith("\"kind\":\"log-error\"}")) {
                written++;
            }
        }
        assertThat(written).as("lines that were not log errors").isGreaterThan(2_000);
    }

    @Test
    void stringsAreEscapedAsJacksonEscapesThem() throws Exception {
        StringBuilder every = new StringBuilder();
        for (char c = 0; c < 0x80; c++) {
            every.append(c);
        }
        every.append("\u00e9\u2028\u2029\ud83d\ude00\u4e2d");
        String text = every.toString();
        StringBuilder out = new StringBuilder();
        JsonLineWriter.appendString(out, text);
        assertThat(out.toString()).isEqualTo(JSON.writeValueAsString(text));
        assertThat(out.toString())
                .startsWith("\"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000B\\f\\r\\u000E")
                .contains("\\u001F !\\\"#")
                .contains("[\\\\]")
                .contains("/0123")
                .endsWith("~\u007f\u00e9\u2028\u2029\ud83d\ude00\u4e2d\"");
        assertThat(JSON.readTree(out.toString()).textValue()).isEqualTo(text);
    }

    @Test
    void loneSurrogatesAreWrittenAsJacksonWritesThem() throws Exception {
        for (String text : List.of("\ud800", "a\udfffb", "\udc00\ud800", "x\ud83d", "\ude00y", "\ud83d\ud83d\ude00")) {
            StringBuilder out = new StringBuilder();
            JsonLineWriter.appendString(out, text);
            assertThat(out.toString()).isEqualTo(JSON.writeValueAsString(text)).isEqualTo('"' + text + '"');
            assertThat(JSON.readTree(out.toString()).textValue()).isEqualTo(text);
        }
    }

    @Test
    void numbersAreWrittenAsJacksonWritesThem() throws Exception {
        List<Object> values = List.of(
                Double.NaN,
                Double.POSITIVE_INFINITY,
                Double.NEGATIVE_INFINITY,
                -0.0,
                0.0,
                Double.MIN_VALUE,
                Double.MAX_VALUE,
                Double.MIN_NORMAL,
                1.0e7,
                1.0e-3,
                0.1 + 0.2,
                1_765_000_000.123456,
                Float.NaN,
                Float.NEGATIVE_INFINITY,
                0.1f,
                Float.MIN_VALUE,
                Long.MIN_VALUE,
                Long.MAX_VALUE,
                Integer.MIN_VALUE,
                (short) -7,
                (byte) -128,
                true,
                false);
        StringBuilder out = new StringBuilder();
        JsonLineWriter.appendValue(out, values, 1);
        assertThat(out.toString()).isEqualTo(JSON.writeValueAsString(values));
        assertThat(out.toString()).startsWith("[\"NaN\",\"Infinity\",\"-Infinity\",-0.0,0.0,4.9E-324,");
        JsonNode parsed = JSON.readTree(out.toString());
        for (int i = 3; i < 12; i++) {
            assertThat(parsed.get(i).doubleValue()).isEqualTo((Double) values.get(i));
        }
    }

    @Test
    void otherValuesAreWrittenByJackson() throws Exception {
        Map<Object, Object> integerKeys = new LinkedHashMap<>();
        integerKeys.put(2, "two");
        integerKeys.put(1, null);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("bytes", new byte[] {0, 1, 2, (byte) 0xff, 0x7f});
        data.put("empty-bytes", new byte[0]);
        data.put("set", new LinkedHashSet<>(List.of("b", "a")));
        data.put("enum", Thread.State.BLOCKED);
        data.put("enum-keys", new TreeMap<>(Map.of(Thread.State.NEW, 1)));
        data.put("integer-keys", integerKeys);
        data.put("big", new BigInteger("123456789012345678901234567890"));
        data.put("decimal", new BigDecimal("1E+3"));
        data.put("char", 'c');
        data.put("nothing", null);
        StringBuilder out = new StringBuilder();
        JsonLineWriter.appendValue(out, data, 1);
        assertThat(out.toString()).isEqualTo(JSON.writeValueAsString(data));
        assertThat(out.toString()).contains("\"bytes\":\"AAEC/38=\"", "\"integer-keys\":{\"2\":\"two\",\"1\":null}");
    }

    @Test
    void secretsAtTheTopOfDataAreHidden() throws Exception {
        InteractionLog log = InteractionLog.inMemory("p");
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("user", "ana");
        data.put("password", "s3cret");
        data.put("token", List.of("t0ken"));
        data.put("nested", Map.of("password", "shown-as-before"));
        log.received("login", "peer", 1, 2.5, data);
        String line = log.recentLines().getLast();
        assertThat(line)
                .isEqualTo(jacksonLine("p", "in", "login", "peer", 1, 2.5, data))
                .contains("\"password\":\"<hidden>\",\"token\":\"<hidden>\"")
                .doesNotContain("s3cret", "t0ken");
    }

    @Test
    void nestingAsDeepAsJacksonAllowsIsWrittenAndDeeperIsALogError() throws Exception {
        InteractionLog log = InteractionLog.inMemory("p");
        // the line's object and its data are two levels: Jackson allows 1,000 in all
        for (int depth : new int[] {JsonLineWriter.NESTING_DEPTH_MAX - 2, JsonLineWriter.NESTING_DEPTH_MAX - 1}) {
            Map<String, Object> data = Map.of("deep", nested(depth));
            log.event("deep", 1, 1.0, data);
            assertThat(log.recentLines().getLast()).isEqualTo(jacksonLine("p", "event", "deep", null, 1, 1.0, data));
        }
        assertThat(log.recentLines().getLast())
                .isEqualTo("{\"process\":\"p\",\"dir\":\"event\",\"kind\":\"log-error\"}");

        Map<String, Object> itself = new LinkedHashMap<>();
        itself.put("me", itself);
        log.event("loop", 2, 1.0, itself);
        assertThat(log.recentLines().getLast()).endsWith("\"kind\":\"log-error\"}");
        assertThatThrownBy(() -> JsonLineWriter.appendValue(new StringBuilder(), List.of(itself), 1))
                .isInstanceOf(IllegalArgumentException.class);
        log.event("after", 3, 1.0, Map.of("ok", true));
        assertThat(log.recentLines().getLast()).contains("\"kind\":\"after\"", "\"data\":{\"ok\":true}");
    }

    @Test
    void aValueJacksonRefusesMakesALogErrorLineAsBefore() throws Exception {
        InteractionLog log = InteractionLog.inMemory("p\"q");
        Map<String, Object> data = Map.of("optional", Optional.of(1));
        log.sent("x", "peer", 1, 1.0, data);
        assertThat(log.recentLines().getLast())
                .isEqualTo(jacksonLine("p\"q", "out", "x", "peer", 1, 1.0, data))
                .isEqualTo("{\"process\":\"p\\\"q\",\"dir\":\"event\",\"kind\":\"log-error\"}");
    }

    @Test
    void veryLongStringsAreWrittenWhole() throws Exception {
        Random random = new Random(11);
        StringBuilder text = new StringBuilder();
        while (text.length() < 300_000) {
            text.append(SPECIAL[random.nextInt(SPECIAL.length)]).append("plain text ");
        }
        StringBuilder out = new StringBuilder();
        JsonLineWriter.appendString(out, text.toString());
        assertThat(out.toString()).isEqualTo(JSON.writeValueAsString(text.toString()));
        assertThat(JSON.readTree(out.toString()).textValue()).isEqualTo(text.toString());
    }

    /** Today's encoding as it was written with Jackson (the reference the writer must match). */
    static String jacksonLine(
            String process, String dir, String kind, String peer, long clock, double ts, Map<String, Object> data) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("ts", ts);
        line.put("clock", clock);
        line.put("process", process);
        line.put("dir", dir);
        line.put("kind", kind);
        if (peer != null) {
            line.put("peer", peer);
        }
        line.put("data", InteractionLog.withSecretsHidden(data));
        try {
            return JSON.writeValueAsString(line);
        } catch (Exception e) {
            try {
                return "{\"process\":" + JSON.writeValueAsString(process)
                        + ",\"dir\":\"event\",\"kind\":\"log-error\"}";
            } catch (Exception again) {
                throw new AssertionError(again);
            }
        }
    }

    private static Object nested(int containers) {
        Object value = 1L;
        for (int i = 0; i < containers; i++) {
            value = i % 2 == 0 ? List.of(value) : Map.of("k", value);
        }
        return value;
    }

    private static Map<String, Object> randomMap(Random random, int depth) {
        Map<String, Object> map = new LinkedHashMap<>();
        int size = random.nextInt(depth == 0 ? 8 : 5);
        for (int i = 0; i < size; i++) {
            String key = switch (random.nextInt(8)) {
                case 0 -> "password";
                case 1 -> "token";
                case 2, 3 -> shortHostileString(random); // readers refuse names over 50,000 chars
                default -> "field" + random.nextInt(20);
            };
            map.put(key, randomValue(random, depth + 1));
        }
        return map;
    }

    private static Object randomValue(Random random, int depth) {
        int kinds = depth < 5 ? 24 : 18; // no more containers below five levels
        return switch (random.nextInt(kinds)) {
            case 0, 1, 2 -> hostileString(random);
            case 3, 4 -> randomLong(random);
            case 5 -> random.nextInt(3) == 0 ? Integer.MIN_VALUE : random.nextInt();
            case 6, 7 -> randomDouble(random);
            case 8 -> randomFloat(random);
            case 9 -> random.nextBoolean();
            case 10 -> null;
            case 11 -> (short) random.nextInt();
            case 12 -> (byte) random.nextInt();
            case 13 -> {
                byte[] bytes = new byte[random.nextInt(40)];
                random.nextBytes(bytes);
                yield bytes;
            }
            case 14 -> random.nextInt(3) == 0 ? Thread.State.values()[random.nextInt(6)] : new BigInteger(90, random);
            case 15 -> random.nextBoolean() ? (char) random.nextInt(0x10000) : new BigDecimal(random.nextGaussian());
            case 16 -> random.nextInt(200) == 0 ? Optional.empty() : "plain";
            case 17 -> new LinkedHashSet<>(List.of(hostileString(random), random.nextLong()));
            case 18, 19 -> {
                List<Object> list = new ArrayList<>();
                int size = random.nextInt(6);
                for (int i = 0; i < size; i++) {
                    list.add(randomValue(random, depth + 1));
                }
                yield random.nextBoolean()
                        ? list
                        : List.copyOf(list.stream().filter(v -> v != null).toList());
            }
            case 20, 21 -> randomMap(random, depth);
            case 22 -> {
                Map<Object, Object> map = new LinkedHashMap<>(); // keys that are not strings: Jackson's
                map.put(random.nextInt(100), randomValue(random, depth + 1));
                map.put("s", randomValue(random, depth + 1));
                yield map;
            }
            default -> Map.of();
        };
    }

    private static long randomLong(Random random) {
        return switch (random.nextInt(5)) {
            case 0 -> Long.MIN_VALUE;
            case 1 -> Long.MAX_VALUE;
            case 2 -> random.nextInt(1_000) - 500;
            default -> random.nextLong();
        };
    }

    private static double randomDouble(Random random) {
        return switch (random.nextInt(8)) {
            case 0 -> new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}[random.nextInt(3)];
            case 1 ->
                new double[] {0.0, -0.0, Double.MIN_VALUE, Double.MAX_VALUE, Double.MIN_NORMAL}[random.nextInt(5)];
            case 2 -> Double.longBitsToDouble(random.nextLong());
            case 3 -> (random.nextBoolean() ? 1 : -1) * random.nextDouble() * Math.pow(10, random.nextInt(600) - 300);
            case 4 -> (double) random.nextFloat(); // a float32 from MessagePack, widened
            default -> random.nextGaussian() * 1e4;
        };
    }

    private static float randomFloat(Random random) {
        return switch (random.nextInt(4)) {
            case 0 -> new float[] {Float.NaN, Float.POSITIVE_INFINITY, -0.0f, Float.MIN_VALUE}[random.nextInt(4)];
            case 1 -> Float.intBitsToFloat(random.nextInt());
            default -> (float) (random.nextGaussian() * 1e3);
        };
    }

    private static String shortHostileString(Random random) {
        String s = hostileString(random);
        return s.length() > 1_000 ? s.substring(0, 1_000) : s;
    }

    private static String hostileString(Random random) {
        int length = switch (random.nextInt(20)) {
            case 0 -> 0;
            case 1 -> 500 + random.nextInt(5_000);
            case 2 -> random.nextInt(100) == 0 ? 70_000 : 200;
            default -> 1 + random.nextInt(24);
        };
        StringBuilder s = new StringBuilder(length);
        while (s.length() < length) {
            switch (random.nextInt(8)) {
                case 0 -> s.append((char) random.nextInt(0x20));
                case 1 -> s.append(SPECIAL[random.nextInt(SPECIAL.length)]);
                case 2 -> s.append((char) random.nextInt(0x10000)); // may be half a pair
                case 3 -> s.appendCodePoint(0x10000 + random.nextInt(0x100000));
                default -> s.append((char) ('a' + random.nextInt(26)));
            }
        }
        return s.toString();
    }
}
