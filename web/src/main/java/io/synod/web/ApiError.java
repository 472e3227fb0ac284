package io.synod.web;

/**
 * A request the web API refuses or could not complete: the HTTP status and a text naming the
 * field or the rule, sent as {@code {"error": text}}. Nothing was sent to the cluster when the
 * status is a 4xx raised by the web process itself.
 */
final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;

    ApiError(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    static ApiError badRequest(String message) {
        return new ApiError(400, message);
    }

    int status() {
        return status;
    }
}
