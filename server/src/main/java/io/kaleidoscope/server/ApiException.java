package io.kaleidoscope.server;

/** A request the server refuses: the HTTP status and the message the client reads in {"error": …}. */
public final class ApiException extends RuntimeException {
    private final int status;

    public ApiException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
