package io.synod.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.staticfiles.Location;
import io.javalin.websocket.WsConfig;
import io.synod.client.ClientConfig;
import io.synod.messaging.InteractionLog;
import io.synod.messaging.ProcessClock;
import io.synod.protocol.Limits;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web process: Javalin serving the app (static ES modules from this jar, uPlot from its
 * WebJar), the JSON API under {@code /api} ({@link ChatRoutes}, {@link SocialRoutes}, {@link SearchRoutes}), the
 * WebSocket {@code /api/events} and the dashboard's {@code /api/cluster}. Every failure of a
 * request is a JSON {@code {"error"}} with a 4xx or 5xx status; none stops the process.
 *
 * <p>Thread-safety: Jetty threads serve requests; {@link #start} and {@link #close} from the
 * owning thread.
 */
public final class WebServer implements AutoCloseable {
    /** Jetty threads: requests wait on the cluster, so more than the cores, but bounded. */
    static final int HTTP_THREADS_MAX = 64;
    /** Largest WebSocket text a browser may send (the app sends only pings). */
    static final int WS_TEXT_BYTES_MAX = 4 * 1024;

    static final long WS_PING_SECONDS = 15;
    static final String SESSION_COOKIE = "synod_session";

    /** No script, style, image or socket from another origin; no framing. */
    private static final String CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' data:;"
            + " object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

    private static final Logger LOG = LoggerFactory.getLogger(WebServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Javalin app;
    private final Sessions sessions;
    private final ClusterMonitor monitor;
    private final InteractionLog log;
    private final String url;

    private WebServer(Javalin app, Sessions sessions, ClusterMonitor monitor, InteractionLog log, String url) {
        this.app = app;
        this.sessions = sessions;
        this.monitor = monitor;
        this.log = log;
        this.url = url;
    }

    /**
     * Starts serving.
     *
     * @throws RuntimeException (from Jetty) if the port cannot be bound
     */
    public static WebServer start(WebConfig config) {
        InteractionLog log = InteractionLog.open(config.logFile(), "web");
        ProcessClock clock = ProcessClock.system();
        ClientConfig clientConfig = ClientConfig.defaults(config.brokerEndpoint(), config.proxyEndpoint())
                .withRequestTimeoutMillis(config.requestTimeoutMillis());
        Sessions sessions = new Sessions(clientConfig, clock, log);
        ClusterMonitor monitor = new ClusterMonitor(config.adminUrls());
        ApiInput input = new ApiInput(Limits.DEFAULT);
        ClusterCalls calls = new ClusterCalls(clientConfig);
        ChatRoutes chat = new ChatRoutes(sessions, input, calls);
        SocialRoutes social = new SocialRoutes(input, calls);
        SearchRoutes search = new SearchRoutes(input, calls);
        Javalin app;
        try {
            app = Javalin.create(javalin -> {
                javalin.startup.showJavalinBanner = false;
                javalin.startup.showOldJavalinVersionWarning = false;
                javalin.jetty.threadPool = new QueuedThreadPool(HTTP_THREADS_MAX, 4);
                javalin.http.maxRequestSize = ApiInput.BODY_BYTES_MAX;
                javalin.jetty.modifyWebSocketServletFactory(factory -> {
                    factory.setMaxTextMessageSize(WS_TEXT_BYTES_MAX);
                    factory.setMaxBinaryMessageSize(WS_TEXT_BYTES_MAX);
                });
                javalin.staticFiles.add(files -> {
                    files.hostedPath = "/";
                    files.directory = "/io/synod/web/app";
                    files.location = Location.CLASSPATH;
                    files.headers = Map.of("Cache-Control", "no-cache");
                });
                javalin.staticFiles.enableWebjars();
                javalin.routes.before(ctx -> {
                    ctx.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
                    ctx.header("X-Content-Type-Options", "nosniff");
                    ctx.header("Referrer-Policy", "no-referrer");
                });
                javalin.routes.before("/api/*", WebServer::requireJsonBody);
                javalin.routes.exception(
                        ApiError.class, (error, ctx) -> error(ctx, error.status(), error.getMessage()));
                javalin.routes.exception(Exception.class, (error, ctx) -> {
                    LOG.warn("request {} {} failed", ctx.method(), ctx.path(), error);
                    ApiError mapped = ClusterCalls.failure(error);
                    error(ctx, mapped.status(), mapped.getMessage());
                });
                javalin.routes.error(404, ctx -> {
                    if (ctx.path().startsWith("/api/")) {
                        error(ctx, 404, "no such route: " + ctx.method() + " " + ctx.path());
                    }
                });
                chat.register(javalin.routes);
                social.register(javalin.routes, chat::session);
                search.register(javalin.routes, chat::session);
                javalin.routes.get("/api/cluster", ctx -> json(ctx, monitor.snapshot()));
                javalin.routes.ws("/api/events", ws -> events(ws, sessions));
            });
            app.start(config.host(), config.port());
        } catch (RuntimeException e) {
            monitor.close();
            sessions.close();
            log.close();
            throw e;
        }
        String url = "http://" + config.host() + ":" + app.port() + "/";
        log.event("web-started", clock.lamport().current(), clock.nowSeconds(), Map.of("url", url));
        return new WebServer(app, sessions, monitor, log, url);
    }

    /** The base URL of the app, e.g. {@code http://127.0.0.1:8080/}. */
    public String url() {
        return url;
    }

    public int port() {
        return app.port();
    }

    int sessionCount() {
        return sessions.size();
    }

    /** A POST with a body must say it is JSON: a cross-site form cannot, so it cannot act for a user. */
    private static void requireJsonBody(Context ctx) {
        if (ctx.method() == HandlerType.POST && ctx.contentLength() != 0) {
            String type = ctx.contentType();
            if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
                throw new ApiError(415, "a request body must be sent as Content-Type: application/json");
            }
        }
    }

    private static void events(WsConfig ws, Sessions sessions) {
        ws.onConnect(ctx -> {
            Optional<UserSession> session = sessions.find(ctx.cookie(SESSION_COOKIE));
            if (session.isEmpty()) {
                ctx.closeSession(4401, "log in first");
                return;
            }
            if (!session.get().addSocket(ctx)) {
                ctx.closeSession(4429, "too many open sockets for this session");
                return;
            }
            ctx.attribute("session", session.get());
            ctx.enableAutomaticPings(WS_PING_SECONDS, TimeUnit.SECONDS);
            ctx.send("{\"type\":\"hello\",\"user\":"
                    + JSON.writeValueAsString(session.get().user()) + "}");
        });
        ws.onMessage(ctx -> {
            if ("ping".equals(ctx.message())) {
                ctx.send("{\"type\":\"pong\"}");
            }
        });
        ws.onClose(ctx -> {
            UserSession session = ctx.attribute("session");
            if (session != null) {
                session.removeSocket(ctx);
            }
        });
        ws.onError(ctx -> {
            UserSession session = ctx.attribute("session");
            if (session != null) {
                session.removeSocket(ctx);
            }
        });
    }

    static void json(Context ctx, Object body) throws JsonProcessingException {
        ctx.contentType("application/json; charset=utf-8").result(JSON.writeValueAsString(body));
    }

    private static void error(Context ctx, int status, String message) {
        ctx.status(status);
        try {
            json(ctx, Map.of("error", message == null ? "error" : message));
        } catch (JsonProcessingException e) {
            ctx.result("{\"error\":\"error\"}");
        }
    }

    @Override
    public void close() {
        app.stop();
        monitor.close();
        sessions.close();
        log.close();
    }
}
