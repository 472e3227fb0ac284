package io.synod.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.synod.protocol.Limits;
import io.synod.protocol.Names;
import io.synod.protocol.ProtocolException;

/**
 * Reads and checks what a browser (or a script) sends, before anything reaches the cluster: a
 * refused input is an {@link ApiError} (400, or 413 for a body over {@link #BODY_BYTES_MAX})
 * naming the field and the rule. Names follow the protocol's name rule ({@link Names}); a text
 * may hold line breaks and tabs but no other control character.
 */
final class ApiInput {
    /** Largest request body: a 4,096-character message in UTF-8 with JSON escapes fits. */
    static final int BODY_BYTES_MAX = 64 * 1024;
    /** Largest {@code limit} of a page the API asks for (the protocol's social pages hold 100). */
    static final int PAGE_LIMIT_MAX = 500;
    /** Largest integer a JSON number carries exactly into JavaScript: 2^53 - 1. */
    static final long JSON_SAFE_INTEGER_MAX = (1L << 53) - 1;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Limits limits;

    ApiInput(Limits limits) {
        this.limits = limits;
    }

    /** The body as a JSON object. */
    ObjectNode body(Context ctx) {
        long declared = ctx.contentLength();
        if (declared > BODY_BYTES_MAX) {
            throw new ApiError(413, "body is larger than " + BODY_BYTES_MAX + " bytes");
        }
        byte[] bytes = ctx.bodyAsBytes();
        if (bytes.length > BODY_BYTES_MAX) {
            throw new ApiError(413, "body is larger than " + BODY_BYTES_MAX + " bytes");
        }
        JsonNode node;
        try {
            node = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw ApiError.badRequest("body is not valid JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw ApiError.badRequest("body could not be read");
        }
        if (node == null || !node.isObject()) {
            throw ApiError.badRequest("body must be a JSON object");
        }
        return (ObjectNode) node;
    }

    /** A required name field of the body, in NFC. */
    String name(ObjectNode body, String field) {
        return name(field, requiredText(body, field));
    }

    /** A name given in the path or query, in NFC. */
    String name(String field, String value) {
        if (value == null) {
            throw ApiError.badRequest("field '" + field + "' is required");
        }
        try {
            return Names.check(field, value, limits.nameCharsMax());
        } catch (ProtocolException e) {
            throw ApiError.badRequest(e.getMessage());
        }
    }

    /** A required message text: 1 to {@code messageCharsMax} characters, no control character but line breaks and tabs. */
    String text(ObjectNode body, String field) {
        String text = requiredText(body, field);
        if (text.isBlank()) {
            throw ApiError.badRequest("field '" + field + "' must not be blank");
        }
        int chars = text.codePointCount(0, text.length());
        if (chars > limits.messageCharsMax()) {
            throw ApiError.badRequest(
                    "field '" + field + "' has " + chars + " characters; at most " + limits.messageCharsMax());
        }
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            if (Character.getType(c) == Character.CONTROL && c != '\n' && c != '\t' && c != '\r') {
                throw ApiError.badRequest("field '" + field + "' must not contain control characters (found U+"
                        + String.format("%04X", c) + ")");
            }
            if (Character.isSurrogate(text.charAt(i)) && !Character.isSupplementaryCodePoint(c)) {
                throw ApiError.badRequest("field '" + field + "' contains an unpaired surrogate");
            }
            i += Character.charCount(c);
        }
        return text;
    }

    /** An optional text field (absent or null gives null). */
    String optionalText(ObjectNode body, String field) {
        JsonNode node = body.get(field);
        return node == null || node.isNull() ? null : text(body, field);
    }

    /**
     * The optional {@code password} of a login: absent or null gives null; otherwise a string of 1 to the protocol's
     * longest password. Any characters are accepted: the cluster only hashes it.
     */
    String password(ObjectNode body) {
        JsonNode node = body.get("password");
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw ApiError.badRequest("field 'password' must be a string");
        }
        String password = node.asText();
        int chars = password.codePointCount(0, password.length());
        if (chars < 1 || chars > limits.passwordCharsMax()) {
            throw ApiError.badRequest("field 'password' must be 1 to " + limits.passwordCharsMax() + " characters");
        }
        return password;
    }

    /** A required non-negative integer of the body. */
    long count(ObjectNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || !node.canConvertToExactIntegral() || !node.canConvertToLong()) {
            throw ApiError.badRequest("field '" + field + "' must be an integer");
        }
        return checkCount(field, node.asLong());
    }

    /** An optional non-negative integer query parameter. */
    long queryCount(Context ctx, String field, long fallback) {
        String value = ctx.queryParam(field);
        if (value == null || value.isEmpty()) {
            return fallback;
        }
        try {
            return checkCount(field, Long.parseLong(value));
        } catch (NumberFormatException e) {
            throw ApiError.badRequest("query parameter '" + field + "' must be an integer");
        }
    }

    /** The {@code limit} query parameter: 1 to {@code max}. */
    int queryLimit(Context ctx, int fallback, int max) {
        long limit = queryCount(ctx, "limit", fallback);
        if (limit < 1 || limit > max) {
            throw ApiError.badRequest("query parameter 'limit' must be 1 to " + max);
        }
        return (int) limit;
    }

    private static long checkCount(String field, long value) {
        if (value < 0 || value > JSON_SAFE_INTEGER_MAX) {
            throw ApiError.badRequest("'" + field + "' must be 0 to " + JSON_SAFE_INTEGER_MAX);
        }
        return value;
    }

    private static String requiredText(ObjectNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            throw ApiError.badRequest("field '" + field + "' is required");
        }
        if (!node.isTextual()) {
            throw ApiError.badRequest("field '" + field + "' must be a string");
        }
        return node.asText();
    }
}
