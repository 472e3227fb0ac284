package io.synod.web;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.synod.protocol.Services;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The social network's part of the API (docs/protocol.md, "The social network"): one route per
 * service, sent as the logged-in user through the client's generic request; the reply's fields
 * come back unchanged.
 */
final class SocialRoutes {
    /** The protocol's social pages hold 1 to 100 items. */
    static final int SOCIAL_PAGE_MAX = 100;

    static final int SOCIAL_PAGE_DEFAULT = 20;

    private final ApiInput input;
    private final ClusterCalls calls;

    SocialRoutes(ApiInput input, ClusterCalls calls) {
        this.input = input;
        this.calls = calls;
    }

    void register(RoutesConfig routes, Function<Context, UserSession> sessions) {
        routes.post("/api/post", ctx -> {
            UserSession session = sessions.apply(ctx);
            ObjectNode body = input.body(ctx);
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("user", session.user());
            fields.put("message", input.text(body, "message"));
            String replyTo = input.optionalText(body, "reply_to");
            if (replyTo != null) {
                fields.put("reply_to", replyTo);
            }
            WebServer.json(ctx, calls.call(session, Services.POST, fields));
        });
        routes.post("/api/follow", ctx -> followWrite(ctx, sessions.apply(ctx), Services.FOLLOW));
        routes.post("/api/unfollow", ctx -> followWrite(ctx, sessions.apply(ctx), Services.UNFOLLOW));
        routes.post("/api/notifications_read", ctx -> {
            UserSession session = sessions.apply(ctx);
            ObjectNode body = input.body(ctx);
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("user", session.user());
            fields.put("seq", input.count(body, "seq"));
            if (body.has("post_index")) {
                fields.put("post_index", input.count(body, "post_index"));
            }
            WebServer.json(ctx, calls.call(session, Services.NOTIFICATIONS_READ, fields));
        });
        routes.post("/api/conversation_read", ctx -> {
            UserSession session = sessions.apply(ctx);
            ObjectNode body = input.body(ctx);
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("user", session.user());
            fields.put("peer", input.name(body, "peer"));
            fields.put("seq", input.count(body, "seq"));
            WebServer.json(ctx, calls.call(session, Services.CONVERSATION_READ, fields));
        });
        routes.get("/api/profile", ctx -> newestFirst(ctx, sessions.apply(ctx), Services.PROFILE, true));
        routes.get("/api/feed", ctx -> newestFirst(ctx, sessions.apply(ctx), Services.FEED, false));
        routes.get("/api/timeline", ctx -> newestFirst(ctx, sessions.apply(ctx), Services.TIMELINE, false));
        routes.get("/api/conversations", ctx -> newestFirst(ctx, sessions.apply(ctx), Services.CONVERSATIONS, false));
        routes.get("/api/followers", ctx -> people(ctx, sessions.apply(ctx), Services.FOLLOWERS));
        routes.get("/api/following", ctx -> people(ctx, sessions.apply(ctx), Services.FOLLOWING));
        routes.get("/api/notifications", ctx -> {
            UserSession session = sessions.apply(ctx);
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("user", session.user());
            fields.put("after_seq", input.queryCount(ctx, "after_seq", 0));
            fields.put("limit", input.queryLimit(ctx, SOCIAL_PAGE_DEFAULT, SOCIAL_PAGE_MAX));
            WebServer.json(ctx, calls.call(session, Services.NOTIFICATIONS, fields));
        });
    }

    private void followWrite(Context ctx, UserSession session, String service) throws Exception {
        ObjectNode body = input.body(ctx);
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("user", session.user());
        String target = input.name(body, "target");
        fields.put("target", target);
        Map<String, Object> reply = calls.call(session, service, fields);
        // The feed page updates live: the session's client listens to exactly the authors it follows.
        if (Services.FOLLOW.equals(service)) {
            session.client().social().subscribePosts(target);
        } else {
            session.client().social().unsubscribePosts(target);
        }
        WebServer.json(ctx, reply);
    }

    /**
     * A newest-first page ({@code before}, {@code limit}); {@code profile} names its user in the
     * query ({@code ?user=}), the others are the session user's (the timeline is everyone's).
     */
    private void newestFirst(Context ctx, UserSession session, String service, boolean userInQuery) throws Exception {
        Map<String, Object> fields = new LinkedHashMap<>();
        if (userInQuery) {
            String user = ctx.queryParam("user");
            fields.put("user", user == null ? session.user() : input.name("user", user));
        } else if (!Services.TIMELINE.equals(service)) {
            fields.put("user", session.user());
        }
        fields.put("before", input.queryCount(ctx, "before", 0));
        fields.put("limit", input.queryLimit(ctx, SOCIAL_PAGE_DEFAULT, SOCIAL_PAGE_MAX));
        WebServer.json(ctx, calls.call(session, service, fields));
    }

    private void people(Context ctx, UserSession session, String service) throws Exception {
        Map<String, Object> fields = new LinkedHashMap<>();
        String user = ctx.queryParam("user");
        fields.put("user", user == null ? session.user() : input.name("user", user));
        String after = ctx.queryParam("after");
        if (after != null && !after.isEmpty()) {
            fields.put("after", input.name("after", after));
        }
        fields.put("limit", input.queryLimit(ctx, SOCIAL_PAGE_DEFAULT, SOCIAL_PAGE_MAX));
        WebServer.json(ctx, calls.call(session, service, fields));
    }
}
