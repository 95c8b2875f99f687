package dev.chorus.ai;

/**
 * The provider could not answer. {@code code} is short and stable, for the invocation record and clients
 * (e.g. "overloaded_error", "rate_limit_error", "stream_interrupted", "timeout"); the message is the provider's
 * own words where it gave any.
 */
public class AiProviderException extends RuntimeException {

    private final String code;
    private final int httpStatus;

    public AiProviderException(String code, String message, int httpStatus) {
        super(message);
        this.code = code;
        this.httpStatus = httpStatus;
    }

    public AiProviderException(String code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.httpStatus = 0;
    }

    public String code() {
        return code;
    }

    /** The provider's HTTP status, or 0 when the failure was not an HTTP answer. */
    public int httpStatus() {
        return httpStatus;
    }

    /**
     * Worth another attempt: the provider is overloaded, rate-limited, or failed on its side, whether it said so
     * with an HTTP status or with an error event at the start of the stream.
     */
    public boolean retryable() {
        return httpStatus == 429
                || httpStatus == 529
                || httpStatus >= 500
                || code.equals("connection_failed")
                || code.equals("overloaded_error")
                || code.equals("rate_limit_error")
                || code.equals("api_error");
    }
}
