package io.synod.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.synod.messaging.admin.AdminGate;
import io.synod.protocol.Envelope;
import io.synod.protocol.Limits;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/** The broker's admin endpoint on a real broker: its checks, and the figures it forwards, holds and counts. */
class ForwarderAdminTest {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ZContext context = new ZContext();
    private Forwarder forwarder;
    private ForwarderAdmin admin;

    @AfterEach
    void stop() {
        if (admin != null) {
            admin.close();
        }
        if (forwarder != null) {
            forwarder.close();
        }
        context.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(admin.url() + path))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private ZMQ.Socket socket(SocketType type, String endpoint) {
        return ZmqTestSockets.connect(context, type, endpoint);
    }

    @Test
    void theBrokersHealthAndMetricsFollowWhatItDoes() throws Exception {
        InteractionLog log = InteractionLog.inMemory("broker");
        forwarder = BrokerCommand.start("tcp://127.0.0.1:*", "tcp://127.0.0.1:*", log, ProcessClock.system());
        admin = ForwarderAdmin.start(
                "broker", forwarder, ForwarderConfig.DEFAULT, new InetSocketAddress("127.0.0.1", 0), AdminGate.OPEN);

        HttpResponse<String> health = get("/health");
        assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
        assertThat(health.body()).contains("\"bound\"").contains("\"loop_alive\"");

        // no server yet: the request is held, and the next stats interval says so
        ZMQ.Socket client = socket(SocketType.REQ, forwarder.frontendEndpoint());
        assertThat(ZmqTestSockets.sendEnvelope(client, new Envelope("users", Map.of())))
                .isTrue();
        // JeroMQ's connect race (ZmqOptions): a fresh socket may send nothing until its context is nudged
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            ZmqOptions.nudge(context);
            return get("/metrics").body().contains("synod_forwarder_held{process=\"broker\"} 1.0");
        });

        ZMQ.Socket server = socket(SocketType.REP, forwarder.backendEndpoint());
        byte[] request = ZmqTestSockets.receiveNudging(context, server, 10_000);
        assertThat(request).as("the held request, once a server connects").isNotNull();
        assertThat(Envelope.decode(request, Limits.DEFAULT).service()).isEqualTo("users");
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            String metrics = get("/metrics").body();
            return metrics.contains("synod_forwarded_total{direction=\"frontend_to_backend\",process=\"broker\"} 1.0")
                    && metrics.contains("synod_forwarder_held{process=\"broker\"} 0.0")
                    && metrics.contains("synod_forwarder_connections{process=\"broker\",side=\"backend\"} 1.0");
        });
        String metrics = get("/metrics").body();
        assertThat(metrics).contains("jvm_memory_used_bytes").contains("process_uptime_seconds");
        assertThat(get("/status").body()).contains("\"frontend\":\"" + forwarder.frontendEndpoint() + "\"");

        forwarder.close(); // the loop stops: the endpoint says so
        HttpResponse<String> down = get("/health");
        assertThat(down.statusCode()).isEqualTo(503);
        assertThat(down.body()).contains("the forwarding loop stopped");
    }
}
