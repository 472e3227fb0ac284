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
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
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
    /** The header every state-changing request carries (docs/security.md, "Web app"). */
    static final String CSRF_HEADER = "X-Synod-CSRF";

    /** No script, style, image or socket from another origin, no inline script; no framing. */
    private static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; img-src 'self' data:;"
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
        ClientConfig clientConfig = config.clientConfig(config.requestTimeoutMillis());
        Sessions sessions = new Sessions(clientConfig, clock, log, config.secure());
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
                javalin.routes.before("/api/*", ctx -> requireCsrfToken(ctx, sessions));
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
        String mode = config.secure() ? "secure" : "compat";
        log.event("web-started", clock.lamport().current(), clock.nowSeconds(), Map.of("url", url, "mode", mode));
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

    /**
     * Every request that may change something (anything but GET, HEAD and OPTIONS) carries {@link #CSRF_HEADER}: with a
     * session, its value must be the session's CSRF token (given only to the app, by {@code /api/login} and
     * {@code /api/session}, which another origin cannot read); a login, which has no session yet, needs the header with
     * any value. A cross-origin page can only add a custom header after a CORS preflight that this server never grants,
     * so a forged request is refused here, before anything reaches the cluster.
     */
    private static void requireCsrfToken(Context ctx, Sessions sessions) {
        HandlerType method = ctx.method();
        if (method == HandlerType.GET || method == HandlerType.HEAD || method == HandlerType.OPTIONS) {
            return;
        }
        String given = ctx.header(CSRF_HEADER);
        if (given == null || given.isEmpty()) {
            throw new ApiError(
                    403, "missing header " + CSRF_HEADER + ": send the token /api/login or /api/session returned");
        }
        Optional<UserSession> session = sessions.find(ctx.cookie(SESSION_COOKIE));
        if (session.isPresent()
                && !ctx.path().equals("/api/login")
                && !MessageDigest.isEqual(
                        given.getBytes(StandardCharsets.UTF_8),
                        session.get().csrfToken().getBytes(StandardCharsets.UTF_8))) {
            throw new ApiError(403, "header " + CSRF_HEADER + " does not match this session's token");
        }
    }

    /**
     * A browser always sends {@code Origin} with a WebSocket handshake, and the session cookie goes with it even from
     * another port of the same host (SameSite compares sites, not origins): a socket opened by a page of another origin
     * is closed at once (4403), so no other page reads the session's deliveries. A script without {@code Origin} is
     * accepted.
     */
    static boolean sameOrigin(String origin, String host) {
        if (origin == null) {
            return true;
        }
        return host != null
                && (origin.equalsIgnoreCase("http://" + host) || origin.equalsIgnoreCase("https://" + host));
    }

    private static void events(WsConfig ws, Sessions sessions) {
        ws.onConnect(ctx -> {
            if (!sameOrigin(ctx.header("Origin"), ctx.header("Host"))) {
                ctx.closeSession(4403, "a page of another origin may not open this socket");
                return;
            }
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
