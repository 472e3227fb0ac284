package io.synod.server.coordination;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.synod.messaging.Forwarder;
import io.synod.messaging.InteractionLog;
import io.synod.messaging.ProcessClock;
import io.synod.messaging.ProxyCommand;
import io.synod.messaging.ZmqOptions;
import io.synod.messaging.ZmqTestSockets;
import io.synod.protocol.Envelope;
import io.synod.protocol.Limits;
import io.synod.registry.RegistryConfig;
import io.synod.server.reference.ReferenceServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * Three coordination services in one JVM with a real reference and proxy on loopback, each on an event loop of
 * its own ({@link CoordinationLoop}). Each has its own {@link ProcessClock} with an injected skew; the test reads
 * the offsets each loop published.
 */
class CoordinationServiceTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** Clock rounds every 200 ms to keep the test short. */
    private static final long SYNC_INTERVAL_MILLIS = 200;

    @TempDir
    Path root;

    private Forwarder proxy;
    private ReferenceServer reference;
    private final ZContext testContext = new ZContext();
    private final Map<String, CoordinationService> services = new LinkedHashMap<>();
    private final Map<String, CoordinationLoop> loops = new LinkedHashMap<>();
    private final Map<String, ProcessClock> clocks = new LinkedHashMap<>();
    private final Map<String, InteractionLog> logs = new LinkedHashMap<>();

    @BeforeEach
    void startInfrastructure() {
        proxy = ProxyCommand.start(
                "tcp://127.0.0.1:*", "tcp://127.0.0.1:*", InteractionLog.inMemory("proxy"), ProcessClock.system());
        reference = ReferenceServer.start(
                "tcp://127.0.0.1:*",
                root.resolve("reference"),
                RegistryConfig.withHeartbeatTimeout(2_000),
                InteractionLog.inMemory("reference"),
                ProcessClock.system());
    }

    @AfterEach
    void stopAll() {
        loops.values().forEach(CoordinationLoop::close);
        if (reference != null) {
            reference.close();
        }
        proxy.close();
        testContext.close();
    }

    private CoordinationService start(String name, long skewMillis, long expectedRank) {
        ProcessClock clock = new ProcessClock(skewMillis);
        InteractionLog log = InteractionLog.inMemory(name);
        CoordinationConfig config = CoordinationConfig.defaults(
                        name, "tcp://127.0.0.1:0", reference.endpoint(), proxy.frontendEndpoint())
                .withClockSyncIntervalMillis(SYNC_INTERVAL_MILLIS);
        CoordinationLoop loop = new CoordinationLoop(config, clock, log);
        CoordinationService service = loop.service;
        loops.put(name, loop);
        services.put(name, service);
        clocks.put(name, clock);
        logs.put(name, log);
        await().atMost(WAIT).until(() -> service.status().selfRank() == expectedRank);
        return service;
    }

    private void awaitCoordinator(String expected, List<String> among) {
        await().atMost(WAIT).untilAsserted(() -> {
            for (String name : among) {
                assertThat(services.get(name).coordinator()).as(name).contains(expected);
            }
        });
    }

    /** Displayed clock minus the shared underlying clock: what each server adds to the machine's time. */
    private long correctionMillis(String name) {
        return clocks.get(name).skewMillis() + services.get(name).clockOffsetMillis(); // the loop owns the clock
    }

    private void stop(String name) {
        services.remove(name);
        loops.remove(name).close();
    }

    @Test
    void electsTheHighestRankAnnouncesItAndSynchronisesTheClocks() {
        ZMQ.Socket subscriber = testContext.createSocket(SocketType.SUB);
        subscriber.setReceiveTimeOut(200);
        subscriber.connect(proxy.backendEndpoint());
        subscriber.subscribe("servers".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        start("s1", -150, 1);
        start("s2", 20, 2);
        start("s3", 60, 3);
        awaitCoordinator("s3", List.of("s1", "s2", "s3"));
        assertThat(services.get("s3").role()).isEqualTo("COORDINATOR");
        assertThat(services.get("s1").members()).containsOnlyKeys("s1", "s2", "s3");

        List<Map<String, Object>> announcements = new ArrayList<>();
        await().atMost(WAIT).pollInSameThread().untilAsserted(() -> {
            ZmqOptions.nudge(testContext); // JeroMQ race: see ZmqOptions
            for (ZmqTestSockets.ReceivedPublication p = ZmqTestSockets.receivePublication(subscriber, Limits.DEFAULT);
                    p != null;
                    p = ZmqTestSockets.receivePublication(subscriber, Limits.DEFAULT)) {
                if (p.topic().equals("servers")) {
                    announcements.add(p.payload());
                }
            }
            assertThat(announcements)
                    .as("announcements; s3 log: %s", logs.get("s3").recentLines())
                    .anyMatch(a -> a.toString().contains("coordinator=s3"));
        });
        Map<String, Object> last = announcements.get(announcements.size() - 1);
        assertThat(last).containsOnlyKeys("service", "data").containsEntry("service", "election");
        @SuppressWarnings("unchecked")
        Map<String, Object> data = (Map<String, Object>) last.get("data");
        assertThat(data).containsOnlyKeys("coordinator", "timestamp", "clock").containsEntry("coordinator", "s3");

        await().atMost(WAIT).untilAsserted(() -> {
            for (String name : services.keySet()) {
                Optional<CoordinationStatus.RoundSummary> round =
                        services.get(name).lastRound();
                assertThat(round).as(name).isPresent();
                assertThat(round.get().spreadMillis()).as(name).isLessThan(5);
                assertThat(services.get(name).pendingAdjustmentMillis())
                        .as(name)
                        .isBetween(-2L, 2L);
            }
            // Each process anchors its own underlying clock once (1 ms granularity): allow 2 ms for that.
            assertThat(correctionMillis("s1") - correctionMillis("s3")).isBetween(-7L, 7L);
            assertThat(correctionMillis("s2") - correctionMillis("s3")).isBetween(-7L, 7L);
        });
        assertThat(logs.get("s3").recentLines()).anyMatch(l -> l.contains("\"kind\":\"clock-round\""));
        // Which servers get corrected depends on who ran the rounds while the others joined.
        assertThat(logs.values().stream().flatMap(l -> l.recentLines().stream()))
                .anyMatch(l -> l.contains("\"kind\":\"clock-correction\""));
        assertThat(logs.get("s1").recentLines()).anyMatch(l -> l.contains("\"kind\":\"membership\""));
        assertThat(services.get("s1").statusFields())
                .containsKeys("coordinator", "clock_offset_ms", "clock", "members", "election");
    }

    @Test
    void theNextRankTakesOverWhenTheCoordinatorStopsAndAHigherJoinerTakesOverAgain() {
        start("s1", 0, 1);
        start("s2", 0, 2);
        awaitCoordinator("s2", List.of("s1", "s2"));
        start("s3", 0, 3);
        awaitCoordinator("s3", List.of("s1", "s2", "s3"));
        stop("s3");
        awaitCoordinator("s2", List.of("s1", "s2"));
        assertThat(logs.get("s1").recentLines()).anyMatch(l -> l.contains("\"kind\":\"coordinator-changed\""));
    }

    @Test
    void keepsItsMembershipAndElectsWhileTheReferenceIsDown() {
        start("s1", 0, 1);
        start("s2", 0, 2);
        start("s3", 0, 3);
        awaitCoordinator("s3", List.of("s1", "s2", "s3"));
        reference.close();
        reference = null;
        stop("s3");
        awaitCoordinator("s2", List.of("s1", "s2"));
        assertThat(services.get("s1").members()).containsKeys("s1", "s2");
        await().atMost(WAIT).until(() -> !services.get("s1").status().referenceReachable());
    }

    @Test
    void everyTenthChatMessageAFollowerAsksTheCoordinatorForItsClock() {
        start("s1", 0, 1);
        start("s2", 0, 2);
        awaitCoordinator("s2", List.of("s1", "s2"));
        loops.get("s1").noteMessages(10);
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(logs.get("s1").recentLines())
                    .anyMatch(l -> l.contains("\"dir\":\"out\"") && l.contains("\"kind\":\"clock\""));
            assertThat(logs.get("s1").recentLines())
                    .anyMatch(l ->
                            l.contains("\"dir\":\"in\"") && l.contains("\"kind\":\"clock\"") && l.contains("\"time\""));
        });
    }

    /**
     * What a foreign server's REQ (or DEALER) connected to the peer port gets back for one request. A JeroMQ socket
     * may lose a message sent while it connects (the race {@link ZmqOptions} describes), so each of a few attempts
     * uses a fresh socket; the server must answer every request it receives.
     */
    private Envelope ask(SocketType type, String endpoint, String service) {
        byte[] request = new Envelope(service, Map.of("timestamp", 1.0, "clock", 7L)).encode();
        for (int attempt = 0; attempt < 5; attempt++) {
            try (ZMQ.Socket socket = testContext.createSocket(type)) {
                socket.setLinger(0);
                socket.setReceiveTimeOut(2_000);
                if (type == SocketType.DEALER) {
                    socket.setIdentity("foreign".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                }
                socket.connect(endpoint);
                assertThat(socket.send(request, 0)).isTrue();
                byte[] reply = socket.recv();
                if (reply != null) {
                    return Envelope.decode(reply, Limits.DEFAULT);
                }
            }
        }
        throw new AssertionError("no reply to '" + service + "' from a " + type + " in 5 attempts");
    }

    /**
     * The statement's {@code clock} service on the peer port, asked by a foreign server's ZeroMQ REQ or DEALER (any
     * server answers it; an {@code election} request is answered to the members the reference lists).
     */
    @Test
    void aForeignServersReqOrDealerIsAnsweredOnThePeerPort() {
        CoordinationService s1 = start("s1", 0, 1);
        awaitCoordinator("s1", List.of("s1"));
        for (SocketType type : List.of(SocketType.REQ, SocketType.DEALER)) {
            Envelope clock = ask(type, s1.advertisedEndpoint(), "clock");
            assertThat(clock.service()).isEqualTo("clock");
            assertThat(clock.data()).containsKeys("time", "timestamp", "clock");
            assertThat((Long) clock.data().get("clock")).isGreaterThan(7L);
        }
        assertThat(s1.coordinator()).contains("s1");
    }
}
