package io.synod.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.synod.messaging.ZmqTestSockets;
import io.synod.protocol.Envelope;
import io.synod.protocol.Limits;
import io.synod.protocol.MsgPack;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * The reference process as the course's servers meet it (issue 19): a foreign-style server that
 * ranks once and then beats every 10 s stays listed under the default timeout, a server that stops
 * beating leaves the list after a configured timeout, and no single request, however hostile, stops
 * the reference from answering {@code rank} and {@code list}.
 */
class ReferenceProcessTest {
    /** The heartbeat period of the course's servers. */
    private static final long FOREIGN_PERIOD_MILLIS = 10_000;
    /** How often the test reads {@code list} while the foreign server beats. */
    private static final long LIST_PROBE_MILLIS = 500;

    /** A REQ socket of its own, as a foreign server keeps one for its reference traffic. */
    private static final class Req implements AutoCloseable {
        private final ZContext context = new ZContext();
        private final ZMQ.Socket socket;
        private long clock;

        Req(String endpoint) {
            socket = context.createSocket(SocketType.REQ);
            socket.setLinger(0);
            socket.connect(endpoint);
        }

        /** The statement's request: {@code data} plus float epoch-seconds {@code timestamp} and {@code clock}. */
        Envelope call(String service, Map<String, Object> fields) {
            Map<String, Object> data = new LinkedHashMap<>(fields);
            data.putIfAbsent("timestamp", System.currentTimeMillis() / 1000.0);
            data.putIfAbsent("clock", ++clock);
            return send(List.of(new Envelope(service, data).encode()));
        }

        Envelope send(List<byte[]> frames) {
            for (int i = 0; i < frames.size(); i++) {
                assertThat(socket.send(frames.get(i), i < frames.size() - 1 ? ZMQ.SNDMORE : 0))
                        .isTrue();
            }
            byte[] reply = ZmqTestSockets.receiveNudging(context, socket, WireClient.RECEIVE_TIMEOUT_MILLIS);
            if (reply == null) {
                throw new AssertionError(
                        "the reference did not answer within " + WireClient.RECEIVE_TIMEOUT_MILLIS + " ms");
            }
            Envelope envelope = Envelope.decode(reply, Limits.DEFAULT);
            assertThat(envelope.data().get("clock")).isInstanceOf(Long.class);
            assertThat(envelope.data().get("timestamp")).isInstanceOf(Double.class);
            return envelope;
        }

        @Override
        public void close() {
            context.close();
        }
    }

    private static Processes.Started startReference(Processes processes, int port, List<String> extra)
            throws Exception {
        List<String> arguments = new ArrayList<>(List.of(
                "reference",
                "--bind",
                Processes.endpoint(port),
                "--data-dir",
                processes.directory().resolve("reference").toString(),
                "--log",
                processes.directory().resolve("reference.jsonl").toString()));
        arguments.addAll(extra);
        return processes.start("reference", arguments);
    }

    @SuppressWarnings("unchecked")
    private static List<String> listed(Req req) {
        Envelope reply = req.call("list", Map.of());
        assertThat(reply.service()).isEqualTo("list");
        return ((List<Object>) reply.data().get("list"))
                .stream()
                        .map(item -> (String) ((Map<String, Object>) item).get("name"))
                        .toList();
    }

    @Test
    @Timeout(60)
    void aForeignServerBeatingEveryTenSecondsStaysListedUnderTheDefaultTimeout() throws Exception {
        int port = Processes.freePort();
        try (Processes processes = new Processes("reference-foreign");
                Req foreign = new Req(Processes.endpoint(port));
                Req observer = new Req(Processes.endpoint(port))) {
            startReference(processes, port, List.of());
            Envelope rank = foreign.call("rank", Map.of("user", "server_1"));
            assertThat(rank.service()).isEqualTo("rank");
            assertThat(rank.data()).containsEntry("rank", 1L);
            long rankedAt = System.nanoTime();
            int beats = 0;
            int probes = 0;
            // two full periods, then most of a third: the list is read every half second throughout
            while (System.nanoTime() - rankedAt
                    < Duration.ofMillis(2 * FOREIGN_PERIOD_MILLIS + 4_000).toNanos()) {
                long elapsedMillis = (System.nanoTime() - rankedAt) / 1_000_000;
                if (elapsedMillis >= (beats + 1) * FOREIGN_PERIOD_MILLIS) {
                    Envelope heartbeat = foreign.call("heartbeat", Map.of("user", "server_1"));
                    assertThat(heartbeat.service()).isEqualTo("heartbeat");
                    assertThat(heartbeat.data()).doesNotContainKey("status");
                    beats++;
                }
                assertThat(listed(observer))
                        .as("list %d ms after rank", elapsedMillis)
                        .containsExactly("server_1");
                probes++;
                Thread.sleep(LIST_PROBE_MILLIS);
            }
            assertThat(beats).isEqualTo(2);
            assertThat(probes).isGreaterThan(30);
        }
    }

    @Test
    @Timeout(60)
    void aServerThatStopsBeatingLeavesTheListAfterTheConfiguredTimeout() throws Exception {
        long timeoutMillis = 1_500;
        int port = Processes.freePort();
        try (Processes processes = new Processes("reference-timeout");
                Req server = new Req(Processes.endpoint(port));
                Req observer = new Req(Processes.endpoint(port))) {
            startReference(processes, port, List.of("--heartbeat-timeout-ms", Long.toString(timeoutMillis)));
            long before = System.nanoTime();
            assertThat(server.call("rank", Map.of("user", "quiet")).data()).containsEntry("rank", 1L);
            assertThat(listed(observer)).containsExactly("quiet");
            await().atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> listed(observer).isEmpty());
            long goneAfterMillis = (System.nanoTime() - before) / 1_000_000;
            // the reference's clock and ours differ by milliseconds at most: it cannot drop the server early
            assertThat(goneAfterMillis).isGreaterThanOrEqualTo(timeoutMillis - 100);
            assertThat(server.call("heartbeat", Map.of("user", "quiet")).service())
                    .isEqualTo("heartbeat");
            assertThat(listed(observer)).containsExactly("quiet");
            assertThat(server.call("rank", Map.of("user", "quiet")).data()).containsEntry("rank", 1L);
        }
    }

    /** A MessagePack map as a frame (any value types, unlike {@link Envelope}). */
    private static byte[] frame(Object value) {
        return MsgPack.encode(value);
    }

    private static Map<String, Object> request(String service, Object data) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("service", service);
        map.put("data", data);
        return map;
    }

    private static Map<String, Object> data(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    private static Object nested(int depth) {
        Object value = 1L;
        for (int i = 0; i < depth; i++) {
            value = List.of(value);
        }
        return value;
    }

    @Test
    @Timeout(120)
    void noSingleRequestStopsTheReference() throws Exception {
        int port = Processes.freePort();
        try (Processes processes = new Processes("reference-hostile");
                Req server = new Req(Processes.endpoint(port))) {
            Processes.Started reference = startReference(processes, port, List.of());
            assertThat(server.call("rank", Map.of("user", "s1")).data()).containsEntry("rank", 1L);

            Map<String, List<byte[]>> refused = new LinkedHashMap<>();
            refused.put("not MessagePack", List.of("hello".getBytes(StandardCharsets.UTF_8)));
            refused.put("a reserved MessagePack byte", List.of(new byte[] {(byte) 0xc1}));
            refused.put("an empty frame", List.of(new byte[0]));
            refused.put("a truncated map", List.of(new byte[] {(byte) 0x82, (byte) 0xa7}));
            refused.put("trailing bytes", List.of(concat(frame(request("list", data())), new byte[] {1})));
            refused.put("an integer, not a map", List.of(frame(42L)));
            refused.put("service of the wrong type", List.of(frame(Map.of("service", 42L, "data", data()))));
            refused.put("data of the wrong type", List.of(frame(request("rank", List.of("s1")))));
            refused.put("user of the wrong type", List.of(frame(request("rank", data("user", 42L)))));
            refused.put("user a map", List.of(frame(request("heartbeat", data("user", data("a", 1L))))));
            refused.put("user too long", List.of(frame(request("rank", data("user", "x".repeat(65))))));
            refused.put("clock a string", List.of(frame(request("rank", data("user", "s1", "clock", "9")))));
            refused.put("clock negative", List.of(frame(request("rank", data("user", "s1", "clock", -1L)))));
            refused.put("clock a huge float", List.of(frame(request("list", data("clock", 1e300)))));
            refused.put("nesting too deep", List.of(frame(request("list", data("x", nested(100))))));
            refused.put("a service of clients", List.of(frame(request("login", data("user", "s1")))));
            for (Map.Entry<String, List<byte[]>> hostile : refused.entrySet()) {
                Envelope reply = server.send(hostile.getValue());
                assertThat(reply.data()).as(hostile.getKey()).containsEntry("status", "erro");
                assertThat((String) reply.data().get("description"))
                        .as(hostile.getKey())
                        .isNotBlank();
                assertServing(server);
            }
            assertThat(server.send(List.of(frame(request("rank", data("user", 42L)))))
                            .data()
                            .get("description"))
                    .asString()
                    .contains("'user'");

            // several frames in one message: the first is the request, the rest is ignored
            Envelope multi = server.send(List.of(frame(request("list", data())), new byte[] {1, 2, 3}));
            assertThat(multi.service()).isEqualTo("list");
            assertServing(server);

            // clocks at the top of the range (issue 19: "internal error: long overflow", then silence)
            server.call("rank", Map.of("user", "s1", "clock", Long.MAX_VALUE));
            assertServing(server);
            server.call("rank", Map.of("user", "s1", "clock", Long.MAX_VALUE - 1));
            assertServing(server);
            server.call("list", Map.of("clock", Long.MAX_VALUE - 1));
            server.call("list", Map.of("clock", Long.MAX_VALUE - 1));
            assertServing(server);

            assertThat(reference.process().isAlive()).isTrue();
        }
    }

    private static void assertServing(Req server) {
        Envelope rank = server.call("rank", Map.of("user", "s1"));
        assertThat(rank.service()).isEqualTo("rank");
        assertThat(rank.data()).containsEntry("rank", 1L);
        assertThat(listed(server)).containsExactly("s1");
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
