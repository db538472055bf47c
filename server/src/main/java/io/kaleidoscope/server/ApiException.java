package io.kaleidoscope.server;

/**
 * A request the server refuses: the HTTP status and the message the client reads in {"error": …};
 * {@link #closeConnection()} when the connection cannot carry another request (its body could not
 * be read to the end, so where the next request starts is unknown).
 */
public final class ApiException extends RuntimeException {
    private final int status;
    private final boolean closeConnection;
    private final long retryAfterSeconds;

    public ApiException(int status, String message) {
        this(status, message, false, 1);
    }

    private ApiException(int status, String message, boolean closeConnection, long retryAfterSeconds) {
        super(message);
        this.status = status;
        this.closeConnection = closeConnection;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** A refusal (429, 503) whose Retry-After says when a retry can succeed. */
    public static ApiException retryAfter(int status, String message, long seconds) {
        return new ApiException(status, message, false, Math.max(1, seconds));
    }

    /** Seconds a client should wait before retrying a 429 or 503 (1 unless the refusal knows better). */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** A refusal after which the server closes the connection (answered with Connection: close). */
    public static ApiException closing(int status, String message) {
        return new ApiException(status, message, true, 1);
    }

    public int status() {
        return status;
    }

    public boolean closeConnection() {
        return closeConnection;
    }
}
