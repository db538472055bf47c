package io.kaleidoscope.server;

/**
 * A request the server refuses: the HTTP status and the message the client reads in {"error": …};
 * {@link #closeConnection()} when the connection cannot carry another request (its body could not
 * be read to the end, so where the next request starts is unknown).
 */
public final class ApiException extends RuntimeException {
    private final int status;
    private final boolean closeConnection;

    public ApiException(int status, String message) {
        this(status, message, false);
    }

    private ApiException(int status, String message, boolean closeConnection) {
        super(message);
        this.status = status;
        this.closeConnection = closeConnection;
    }

    /** A refusal after which the server closes the connection (answered with Connection: close). */
    public static ApiException closing(int status, String message) {
        return new ApiException(status, message, true);
    }

    public int status() {
        return status;
    }

    public boolean closeConnection() {
        return closeConnection;
    }
}
