package io.synod.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.synod.messaging.InteractionLog;
import java.util.Map;
import java.util.function.Supplier;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The server's admin HTTP endpoint (requirement P2), bound to 127.0.0.1 only: {@code GET /health}
 * ({@code {"status":"UP"}}), {@code /status} (the JSON built by the server), {@code /metrics}
 * (Prometheus text), {@code /logs} (the recent interaction-log lines as a JSON array).
 *
 * <p>Thread-safety: Jetty threads call the suppliers, which must be thread-safe; start and stop
 * from the owning thread.
 */
final class AdminHttp implements AutoCloseable {
    /** Jetty threads serving the admin endpoint: it is for operators and tests, not for load. */
    static final int ADMIN_THREADS_MAX = 8;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Javalin app;

    private AdminHttp(Javalin app) {
        this.app = app;
    }

    /**
     * Starts serving on 127.0.0.1:{@code port} (0 = any free port).
     *
     * @throws RuntimeException (from Javalin/Jetty) if the port cannot be bound
     */
    static AdminHttp start(
            int port, Supplier<Map<String, Object>> status, Supplier<String> metrics, InteractionLog log) {
        Javalin app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.jetty.threadPool = new QueuedThreadPool(ADMIN_THREADS_MAX, 2);
            config.routes.get("/health", ctx -> json(ctx, Map.of("status", "UP")));
            config.routes.get("/status", ctx -> json(ctx, status.get()));
            config.routes.get(
                    "/metrics",
                    ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                            .result(metrics.get()));
            config.routes.get(
                    "/logs",
                    ctx -> ctx.contentType("application/json").result("[" + String.join(",", log.recentLines()) + "]"));
        });
        app.start("127.0.0.1", port);
        return new AdminHttp(app);
    }

    int port() {
        return app.port();
    }

    private static void json(Context ctx, Object body) throws JsonProcessingException {
        ctx.contentType("application/json").result(JSON.writeValueAsString(body));
    }

    @Override
    public void close() {
        app.stop();
    }
}
