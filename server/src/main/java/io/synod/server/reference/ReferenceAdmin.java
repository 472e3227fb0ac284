package io.synod.server.reference;

import io.micrometer.core.instrument.FunctionCounter;
import io.synod.messaging.admin.AdminGate;
import io.synod.messaging.admin.AdminMetrics;
import io.synod.messaging.admin.AdminServer;
import io.synod.messaging.admin.HealthCheck;
import io.synod.protocol.Envelope;
import io.synod.protocol.Limits;
import io.synod.protocol.Request;
import io.synod.protocol.RequestMeta;
import io.synod.protocol.Services;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * The reference's admin endpoint: {@code /health} asks the reference for {@code list} on a REQ socket of its own, as
 * a server would, and passes only when the answer comes within {@code PROBE_TIMEOUT_MILLIS}; {@code /metrics} has the
 * requests refused and failed and the JVM; {@code /status} the endpoint and those counts.
 *
 * <p>Thread-safety: the admin threads each open their own probe socket; the counters are atomics.
 */
final class ReferenceAdmin implements AutoCloseable {
    /** Longest wait for the reference's answer to a health probe. */
    static final int PROBE_TIMEOUT_MILLIS = 1_000;

    private final ReferenceServer reference;
    private final AdminMetrics metrics = new AdminMetrics("process", "reference");
    private final ZContext probes = new ZContext();
    private final long startedNanos = System.nanoTime();
    private AdminServer server;

    private ReferenceAdmin(ReferenceServer reference) {
        this.reference = reference;
        FunctionCounter.builder("synod.reference.requests.refused", reference, ReferenceServer::requestsRefused)
                .description("requests answered erro: malformed or against the protocol")
                .register(metrics.registry());
        FunctionCounter.builder("synod.reference.requests.failed", reference, ReferenceServer::requestsFailed)
                .description("requests whose handling failed unexpectedly")
                .register(metrics.registry());
    }

    /**
     * Serves the admin endpoint of {@code reference} on {@code address}.
     *
     * @throws java.io.UncheckedIOException if the address cannot be bound
     */
    static ReferenceAdmin start(ReferenceServer reference, InetSocketAddress address, AdminGate gate) {
        ReferenceAdmin admin = new ReferenceAdmin(reference);
        try {
            admin.server = AdminServer.builder("reference", gate)
                    .health(() -> List.of(admin.answering()))
                    .status(admin::status)
                    .metrics(admin.metrics::scrape)
                    .start(address);
        } catch (RuntimeException e) {
            admin.close();
            throw e;
        }
        return admin;
    }

    String url() {
        return server.url();
    }

    /** Sends {@code list} to the reference's own endpoint (loopback for a wildcard bind) and waits for its answer. */
    HealthCheck answering() {
        String target = probeEndpoint(reference.endpoint());
        try (ZMQ.Socket socket = probes.createSocket(SocketType.REQ)) {
            socket.setLinger(0);
            socket.setReceiveTimeOut(PROBE_TIMEOUT_MILLIS);
            reference.secureProbe(socket);
            socket.connect(target);
            long started = System.nanoTime();
            Envelope request =
                    new Request.ListServers(RequestMeta.NONE).toEnvelope().stamped(0, 0);
            socket.send(request.encode(), 0);
            byte[] reply = socket.recv(0);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            if (reply == null) {
                return HealthCheck.fail(
                        "answering", "no answer to list from " + target + " within " + PROBE_TIMEOUT_MILLIS + " ms");
            }
            Envelope answer = Envelope.decode(reply, Limits.DEFAULT);
            return HealthCheck.of(
                    "answering",
                    Services.LIST.equals(answer.service()),
                    "list answered " + answer.service() + " by " + target + " in " + millis + " ms");
        } catch (RuntimeException e) {
            return HealthCheck.fail("answering", "asking " + target + " for list failed: " + e.getMessage());
        }
    }

    /** {@code tcp://0.0.0.0:P} or {@code tcp://*:P} as {@code tcp://127.0.0.1:P}; anything else unchanged. */
    static String probeEndpoint(String bound) {
        return bound.replace("tcp://0.0.0.0:", "tcp://127.0.0.1:").replace("tcp://*:", "tcp://127.0.0.1:");
    }

    private Map<String, Object> status() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("process", "reference");
        json.put("endpoint", reference.endpoint());
        json.put("requests_refused", reference.requestsRefused());
        json.put("requests_failed", reference.requestsFailed());
        json.put("servers_known_at_start", reference.serversKnownAtStart());
        json.put("uptime_ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos));
        return json;
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
        probes.close();
        metrics.close();
    }
}
