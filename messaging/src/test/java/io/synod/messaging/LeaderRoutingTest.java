package io.synod.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * The broker sends requests to the server that announced it leads ({@link LeaderMark}), through real sockets: two
 * stand-in servers (JeroMQ DEALERs) that answer by hand, one of them announcing; and a course broker (libzmq's
 * {@code zmq.proxy}) that must drop the announcement without a client ever seeing it.
 */
class LeaderRoutingTest {
    private final ZContext context = new ZContext();
    private final InteractionLog log = InteractionLog.inMemory("test");
    private Forwarder broker;

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
        context.close();
    }

    private ZMQ.Socket socket(SocketType type, String endpoint) {
        return ZmqTestSockets.connect(context, type, endpoint);
    }

    /** Sends one request from {@code client}; the server that gets it answers; returns its index in {@code servers}. */
    private static int served(ZMQ.Socket client, List<ZMQ.Socket> servers, String body) {
        ZmqTestSockets.sendMultipart(client, List.of(new byte[0], body.getBytes(StandardCharsets.UTF_8)));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            for (int i = 0; i < servers.size(); i++) {
                List<byte[]> frames = ZmqTestSockets.receiveMultipart(servers.get(i), ZMQ.DONTWAIT);
                if (frames != null) {
                    ZmqTestSockets.sendMultipart(servers.get(i), frames); // echo: [client id, empty, body]
                    List<byte[]> reply = ZmqTestSockets.receiveMultipart(client, 0);
                    assertThat(reply).isNotNull();
                    assertThat(new String(reply.get(1), StandardCharsets.UTF_8)).isEqualTo(body);
                    return i;
                }
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("no server got " + body);
    }

    @Test
    void requestsGoToTheAnnouncedLeaderAndBackToTurnsWhenItResigns() {
        broker = BrokerCommand.start("tcp://127.0.0.1:*", "tcp://127.0.0.1:*", log, ProcessClock.system());
        List<ZMQ.Socket> servers = List.of(
                socket(SocketType.DEALER, broker.backendEndpoint()),
                socket(SocketType.DEALER, broker.backendEndpoint()));
        ZMQ.Socket client = socket(SocketType.DEALER, broker.frontendEndpoint());
        boolean[] seen = new boolean[2];
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            seen[served(client, servers, "warm")] = true;
            return seen[0] && seen[1]; // both connected: the broker takes them in turn
        });

        ZmqTestSockets.sendMultipart(servers.get(1), LeaderMark.announcement(true, 2, 1));
        await().atMost(Duration.ofSeconds(10)).until(() -> served(client, servers, "probe") == 1);
        ZmqTestSockets.sendMultipart(servers.get(1), LeaderMark.announcement(true, 2, 1)); // renewed, as a leader does
        for (int i = 0; i < 10; i++) {
            assertThat(served(client, servers, "w" + i)).as("request %d", i).isEqualTo(1);
        }

        ZmqTestSockets.sendMultipart(servers.get(1), LeaderMark.announcement(false, 2, 1));
        await().atMost(Duration.ofSeconds(10)).until(() -> served(client, servers, "after") == 0);
        int first = served(client, servers, "t0");
        assertThat(served(client, servers, "t1")).isEqualTo(1 - first); // round robin again
    }

    @Test
    void aCourseBrokerDropsTheAnnouncementAndItsClientSeesOnlyReplies(@TempDir Path directory) throws Exception {
        Path script = PythonScript.fromResource("/course_broker_announcement.py", directory);
        HexFormat hex = HexFormat.of();
        List<byte[]> announcement = LeaderMark.announcement(true, 7, 3);
        PythonScript.runPassing(
                "course broker check",
                script,
                List.of(hex.formatHex(announcement.get(0)), hex.formatHex(announcement.get(1))),
                directory.resolve("python.out"),
                60,
                "all checks passed");
    }

    @Test
    void theBrokersStatsSayWhetherALeaderIsKnownAndHowManyRequestsWentToIt() {
        var stats = new java.util.concurrent.atomic.AtomicReference<Map<String, Object>>(Map.of());
        broker = BrokerCommand.start("tcp://127.0.0.1:*", "tcp://127.0.0.1:*", log, ProcessClock.system());
        broker.onStats(stats::set);
        List<ZMQ.Socket> servers = List.of(socket(SocketType.DEALER, broker.backendEndpoint()));
        ZMQ.Socket client = socket(SocketType.DEALER, broker.frontendEndpoint());
        served(client, servers, "warm");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> Boolean.FALSE.equals(stats.get().get("leader_known")));
        ZmqTestSockets.sendMultipart(servers.get(0), LeaderMark.announcement(true, 1, 0));
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            ZmqTestSockets.sendMultipart(servers.get(0), LeaderMark.announcement(true, 1, 0));
            served(client, servers, "w");
            return Boolean.TRUE.equals(stats.get().get("leader_known"))
                    && ((Number) stats.get().get("to_leader")).longValue() > 0;
        });
    }
}
