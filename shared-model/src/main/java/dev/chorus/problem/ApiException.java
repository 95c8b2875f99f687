package dev.chorus.problem;

import java.time.Duration;

/** A failure the client can act on, with the status and words it gets back as problem+json. */
public class ApiException extends RuntimeException {

    private final int status;
    private final String type;
    private final String title;
    private final Duration retryAfter;

    private ApiException(int status, String type, String title, String detail, Duration retryAfter) {
        super(detail, null, false, false);
        this.status = status;
        this.type = type;
        this.title = title;
        this.retryAfter = retryAfter;
    }

    public static ApiException badRequest(String type, String detail) {
        return new ApiException(400, type, "Bad request", detail, null);
    }

    public static ApiException unauthorized(String detail) {
        return new ApiException(401, "unauthorized", "Unauthorized", detail, null);
    }

    public static ApiException forbidden(String detail) {
        return new ApiException(403, "forbidden", "Forbidden", detail, null);
    }

    public static ApiException notFound(String detail) {
        return new ApiException(404, "not-found", "Not found", detail, null);
    }

    public static ApiException conflict(String type, String detail) {
        return new ApiException(409, type, "Conflict", detail, null);
    }

    public static ApiException gone(String type, String detail) {
        return new ApiException(410, type, "Gone", detail, null);
    }

    public static ApiException tooLarge(String detail) {
        return new ApiException(413, "payload-too-large", "Payload too large", detail, null);
    }

    public static ApiException tooManyRequests(Duration retryAfter) {
        return new ApiException(
                429, "rate-limited", "Too many requests", "Slow down and retry after the given time.", retryAfter);
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String title() {
        return title;
    }

    /** For 429: how long the client should wait. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
