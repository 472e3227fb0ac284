package io.synod.server.reference;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.messaging.InteractionLog;
import io.synod.messaging.ProcessClock;
import io.synod.messaging.admin.AdminGate;
import io.synod.registry.RegistryConfig;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The reference's admin endpoint asks the reference itself: healthy while it answers, not once it stopped. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ReferenceAdminTest {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path dir;

    private static HttpResponse<String> get(ReferenceAdmin admin, String path) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(admin.url() + path))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void healthIsTheReferenceAnsweringList() throws Exception {
        ReferenceServer reference = ReferenceServer.start(
                "tcp://127.0.0.1:*",
                dir,
                RegistryConfig.DEFAULT,
                InteractionLog.inMemory("reference"),
                ProcessClock.system());
        try (ReferenceAdmin admin =
                ReferenceAdmin.start(reference, new InetSocketAddress("127.0.0.1", 0), AdminGate.OPEN)) {
            // a few tries, as a health checker makes: the probe's first request on a cold JVM (JeroMQ's context and
            // sockets) may outlast its 1 s; a reference that never answers fails them all
            HttpResponse<String> up = get(admin, "/health");
            for (int i = 1; i < 5 && up.statusCode() != 200; i++) {
                up = get(admin, "/health");
            }
            assertThat(up.statusCode()).as(up.body()).isEqualTo(200);
            assertThat(up.body()).contains("\"answering\"").contains("list answered list");
            assertThat(reference.requestsRefused())
                    .as("the probe is a valid request")
                    .isZero();
            assertThat(get(admin, "/metrics").body())
                    .contains("synod_reference_requests_refused_total{process=\"reference\"} 0.0")
                    .contains("jvm_threads_live_threads");
            assertThat(get(admin, "/status").body()).contains(reference.endpoint());

            reference.close();
            HttpResponse<String> down = get(admin, "/health");
            assertThat(down.statusCode()).isEqualTo(503);
            assertThat(down.body()).contains("no answer to list");
        } finally {
            reference.close();
        }
    }

    @Test
    void aWildcardBindIsProbedOnLoopback() {
        assertThat(ReferenceAdmin.probeEndpoint("tcp://0.0.0.0:5559")).isEqualTo("tcp://127.0.0.1:5559");
        assertThat(ReferenceAdmin.probeEndpoint("tcp://*:5559")).isEqualTo("tcp://127.0.0.1:5559");
        assertThat(ReferenceAdmin.probeEndpoint("tcp://10.0.0.5:5559")).isEqualTo("tcp://10.0.0.5:5559");
    }
}
