package io.synod.web;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.synod.protocol.Services;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * {@code GET /api/search}: the {@code search} service (docs/protocol.md, "search") as the
 * logged-in user, so a page sees its own user's private messages and never another's. The web
 * process checks only what it must (shapes and bounds, so a hostile query costs the cluster
 * nothing); the words, the cursor and the filters' meaning are the server's.
 */
final class SearchRoutes {
    /** The protocol's bounds, checked here too so a refused query never reaches the cluster. */
    static final int QUERY_CHARS_MAX = 256;

    static final int CURSOR_CHARS_MAX = 128;
    static final int SEARCH_PAGE_MAX = 100;
    static final int SEARCH_PAGE_DEFAULT = 20;

    private static final Set<String> SORTS = Set.of("newest", "best");
    private static final Set<String> KINDS = Set.of("channel", "post", "private");

    private final ApiInput input;
    private final ClusterCalls calls;

    SearchRoutes(ApiInput input, ClusterCalls calls) {
        this.input = input;
        this.calls = calls;
    }

    void register(RoutesConfig routes, Function<Context, UserSession> sessions) {
        routes.get("/api/search", ctx -> {
            UserSession session = sessions.apply(ctx);
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("user", session.user());
            fields.put("query", bounded(ctx, "query", QUERY_CHARS_MAX, true));
            String sort = ctx.queryParam("sort");
            if (sort != null && !sort.isEmpty()) {
                fields.put("sort", oneOf("sort", sort, SORTS));
            }
            String kind = ctx.queryParam("kind");
            if (kind != null && !kind.isEmpty()) {
                fields.put("kind", oneOf("kind", kind, KINDS));
            }
            for (String name : new String[] {"channel", "author"}) {
                String value = ctx.queryParam(name);
                if (value != null && !value.isEmpty()) {
                    fields.put(name, input.name(name, value));
                }
            }
            String cursor = bounded(ctx, "cursor", CURSOR_CHARS_MAX, false);
            if (cursor != null) {
                fields.put("cursor", cursor);
            }
            fields.put("limit", input.queryLimit(ctx, SEARCH_PAGE_DEFAULT, SEARCH_PAGE_MAX));
            WebServer.json(ctx, calls.call(session, Services.SEARCH, fields));
        });
    }

    /** A query parameter of at most {@code max} characters with no control character. */
    private static String bounded(Context ctx, String field, int max, boolean required) {
        String value = ctx.queryParam(field);
        if (value == null || value.isEmpty()) {
            if (required) {
                throw ApiError.badRequest("query parameter '" + field + "' is required");
            }
            return null;
        }
        int chars = value.codePointCount(0, value.length());
        if (chars > max) {
            throw ApiError.badRequest("query parameter '" + field + "' has " + chars + " characters; at most " + max);
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c)) {
                throw ApiError.badRequest("query parameter '" + field + "' must not contain control characters");
            }
            if (Character.isHighSurrogate(c)
                    ? i + 1 >= value.length() || !Character.isLowSurrogate(value.charAt(++i))
                    : Character.isLowSurrogate(c)) {
                throw ApiError.badRequest("query parameter '" + field + "' contains an unpaired surrogate");
            }
        }
        return value;
    }

    private static String oneOf(String field, String value, Set<String> allowed) {
        if (!allowed.contains(value)) {
            throw ApiError.badRequest("query parameter '" + field + "' must be one of "
                    + String.join(", ", allowed.stream().sorted().toList()));
        }
        return value;
    }
}
