package io.synod.web;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.synod.protocol.Services;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The session and chat part of the API. Each route sends the statement's service of the same
 * name (or Synod's history extensions) as the logged-in user: the browser never names the sender,
 * the session does.
 */
final class ChatRoutes {
    /** A channel's first page: what the app shows on opening it. */
    static final int HISTORY_LIMIT_DEFAULT = 100;

    private final Sessions sessions;
    private final ApiInput input;
    private final ClusterCalls calls;

    ChatRoutes(Sessions sessions, ApiInput input, ClusterCalls calls) {
        this.sessions = sessions;
        this.input = input;
        this.calls = calls;
    }

    void register(RoutesConfig routes) {
        routes.post("/api/login", this::login);
        routes.post("/api/logout", ctx -> {
            boolean revoked = sessions.logout(ctx.cookie(WebServer.SESSION_COOKIE));
            ctx.header("Set-Cookie", cookie(ctx, "", 0));
            WebServer.json(ctx, Map.of("status", "OK", "cluster_logout", revoked));
        });
        routes.get("/api/session", ctx -> {
            UserSession session = session(ctx);
            WebServer.json(
                    ctx, Map.of("user", session.user(), "csrf", session.csrfToken(), "secure", sessions.secure()));
        });
        routes.get("/api/users", ctx -> WebServer.json(ctx, calls.call(session(ctx), Services.USERS, Map.of())));
        routes.get("/api/channels", ctx -> {
            UserSession session = session(ctx);
            Map<String, Object> reply = calls.call(session, Services.CHANNELS, Map.of());
            reply.put("subscribed", session.client().subscribedChannels());
            WebServer.json(ctx, reply);
        });
        routes.post("/api/channel", ctx -> {
            String channel = input.name(input.body(ctx), "channel");
            WebServer.json(ctx, calls.call(session(ctx), Services.CHANNEL, Map.of("channel", channel)));
        });
        routes.post("/api/subscribe", ctx -> {
            UserSession session = session(ctx);
            String channel = input.name(input.body(ctx), "channel");
            session.client().subscribe(channel, false);
            WebServer.json(ctx, Map.of("status", "OK", "channel", channel));
        });
        routes.post("/api/unsubscribe", ctx -> {
            UserSession session = session(ctx);
            String channel = input.name(input.body(ctx), "channel");
            session.client().unsubscribe(channel);
            WebServer.json(ctx, Map.of("status", "OK", "channel", channel));
        });
        routes.get("/api/history", ctx -> {
            UserSession session = session(ctx);
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("channel", input.name("channel", ctx.queryParam("channel")));
            fields.put("after_seq", input.queryCount(ctx, "after_seq", 0));
            fields.put("limit", input.queryLimit(ctx, HISTORY_LIMIT_DEFAULT, ApiInput.PAGE_LIMIT_MAX));
            WebServer.json(ctx, calls.call(session, Services.HISTORY, fields));
        });
        routes.post("/api/publish", ctx -> {
            UserSession session = session(ctx);
            ObjectNode body = input.body(ctx);
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("user", session.user());
            fields.put("channel", input.name(body, "channel"));
            fields.put("message", input.text(body, "message"));
            WebServer.json(ctx, calls.call(session, Services.PUBLISH, fields));
        });
        routes.post("/api/message", ctx -> {
            UserSession session = session(ctx);
            ObjectNode body = input.body(ctx);
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("src", session.user());
            fields.put("dst", input.name(body, "dst"));
            fields.put("message", input.text(body, "message"));
            WebServer.json(ctx, calls.call(session, Services.MESSAGE, fields));
        });
        routes.get("/api/private_history", ctx -> {
            UserSession session = session(ctx);
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("user", session.user());
            String peer = ctx.queryParam("peer");
            if (peer != null) {
                fields.put("peer", input.name("peer", peer));
            }
            fields.put("after_seq", input.queryCount(ctx, "after_seq", 0));
            fields.put("limit", input.queryLimit(ctx, HISTORY_LIMIT_DEFAULT, ApiInput.PAGE_LIMIT_MAX));
            WebServer.json(ctx, calls.call(session, Services.PRIVATE_HISTORY, fields));
        });
    }

    private void login(Context ctx) throws Exception {
        ObjectNode body = input.body(ctx);
        String user = input.name(body, "user");
        String password = input.password(body);
        sessions.logout(ctx.cookie(WebServer.SESSION_COOKIE));
        UserSession session = sessions.login(user, password);
        ctx.header("Set-Cookie", cookie(ctx, session.token(), -1));
        WebServer.json(
                ctx,
                Map.of(
                        "status",
                        "OK",
                        "user",
                        session.user(),
                        "csrf",
                        session.csrfToken(),
                        "secure",
                        sessions.secure()));
    }

    /** The session of the request's cookie. @throws ApiError 401 without one */
    UserSession session(Context ctx) {
        return sessions.find(ctx.cookie(WebServer.SESSION_COOKIE))
                .orElseThrow(() -> new ApiError(401, "log in first (POST /api/login)"));
    }

    /**
     * HttpOnly (no script reads it), SameSite=Strict (no other site's page sends it; the app has no link from another
     * site that must arrive logged in), and Secure when the page came over HTTPS: directly, or through a proxy that says
     * so in {@code X-Forwarded-Proto} (a header that can only make the cookie stricter).
     */
    static String cookie(Context ctx, String value, int maxAgeSeconds) {
        boolean https =
                "https".equalsIgnoreCase(ctx.scheme()) || "https".equalsIgnoreCase(ctx.header("X-Forwarded-Proto"));
        return WebServer.SESSION_COOKIE + "=" + value + "; Path=/; HttpOnly; SameSite=Strict"
                + (https ? "; Secure" : "")
                + (maxAgeSeconds >= 0 ? "; Max-Age=" + maxAgeSeconds : "");
    }
}
