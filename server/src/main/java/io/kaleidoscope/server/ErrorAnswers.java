package io.kaleidoscope.server;

import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.HttpException;
import io.helidon.http.RequestException;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.http.DirectHandlers;
import io.helidon.webserver.http.HttpRouting;
import java.lang.System.Logger.Level;
import java.util.Map;

/**
 * How every failure is answered: as {"error": "…"} with the right status, whether our code refused
 * the request ({@link ApiException}), Helidon's routing did (404, 405), Helidon's HTTP parser did
 * before any route (direct handlers: 400, 413, 414, 431), or something broke (500 with a request
 * id that is also logged with the stack trace). A client's malformed request is never a 5xx.
 */
final class ErrorAnswers {
    private static final System.Logger LOG = System.getLogger(ErrorAnswers.class.getName());
    /** Each route's method, for the 405 answer to another method on a known path. */
    private static final Map<String, String> ROUTES = Map.of("/translate", "POST", "/v1/translate", "POST",
            "/languages", "GET, HEAD", "/v1/models", "GET, HEAD", "/health", "GET, HEAD", "/ready", "GET, HEAD",
            "/metrics", "GET, HEAD", "/openapi", "GET, HEAD", "/dashboard", "GET, HEAD", "/frontend/settings", "GET, HEAD");

    private ErrorAnswers() {}

    /** The error handlers of the routing, and the answer to OPTIONS. */
    static void register(HttpRouting.Builder routing) {
        routing.options("/*", (req, res) -> {
            if (req.headers().contains(HeaderNames.ORIGIN) && req.headers().contains(HeaderNames.ACCESS_CONTROL_REQUEST_METHOD)) {
                res.next();   // a CORS preflight: the CORS feature answers it
                return;
            }
            // A plain OPTIONS asks what a path takes (Helidon's CORS route would leave it unanswered).
            String path = req.path().path();
            String allowed = ROUTES.get(path);
            if (allowed == null) {
                Json.error(req, res, 404, "no such endpoint: " + abbreviate(path) + " (see /openapi)");
                return;
            }
            res.header(HeaderNames.ALLOW, allowed + ", OPTIONS");
            res.status(204).send();
        });
        routing.error(HttpException.class, (req, res, e) -> {
            // Helidon's own refusals (no such route, ...) answer JSON like ours; a known
            // path with another method is a 405 naming the method it takes.
            String path = req.path().path();
            String allowed = ROUTES.get(path);
            if (e.status().code() == 404 && allowed != null) {
                res.header(HeaderNames.ALLOW, allowed);
                Json.error(req, res, 405, "method " + req.prologue().method().text() + " is not allowed on " + path + "; use " + allowed);
            } else if (e.status().code() == 404) {
                Json.error(req, res, 404, "no such endpoint: " + abbreviate(path) + " (see /openapi)");
            } else if (e.status().code() >= 500) {
                internalError(req, res, e);
            } else {
                Json.error(req, res, e.status().code(), e.getMessage());
            }
        })
        .error(ApiException.class, (req, res, e) -> {
            if (e.status() == 503 || e.status() == 429) {
                res.header("Retry-After", Long.toString(e.retryAfterSeconds()));
            }
            if (e.closeConnection()) {
                res.header(HeaderValues.CONNECTION_CLOSE);
            }
            Json.error(req, res, e.status(), e.getMessage());
        })
        .error(Exception.class, (req, res, e) -> {
            if (readingRequestBody(e)) {
                // The client's fault: a body announced but not sent, a broken chunked encoding.
                // Where the next request would start is unknown, so the connection ends here.
                boolean noBody = e instanceof IllegalStateException && "No entity".equals(e.getMessage());
                if (!noBody) {
                    res.header(HeaderValues.CONNECTION_CLOSE);
                }
                Json.error(req, res, 400, noBody
                        ? "the request has no body"
                        : "the request body could not be read (malformed chunked encoding, or the connection closed early)");
                return;
            }
            internalError(req, res, e);
        });
    }

    private static void internalError(io.helidon.webserver.http.ServerRequest req, io.helidon.webserver.http.ServerResponse res, Throwable e) {
        // An id in the answer and in the log ties a client's report to the stack trace.
        String id = java.util.UUID.randomUUID().toString();
        LOG.log(Level.ERROR, "request " + id + " failed", e);
        res.header("X-Request-Id", id);
        Json.send(req, res, 500, Map.of("error", "internal error (request id " + id + ")", "request_id", id));
    }

    /**
     * Whether e was thrown while Helidon read the request entity for a handler (a handler that
     * reads with {@code req.content().as(byte[].class)} rather than {@link Json#body}): then it is
     * the request that is broken, not the server.
     */
    static boolean readingRequestBody(Throwable e) {
        for (StackTraceElement frame : e.getStackTrace()) {
            if (frame.getClassName().startsWith("io.helidon.http.media.ReadableEntityBase")) {
                return true;
            }
        }
        return false;
    }

    private static String abbreviate(String s) {
        return s.length() <= 100 ? s : s.substring(0, 100) + "…";
    }

    /**
     * Errors Helidon answers itself, before any route (a request it cannot parse, headers or a
     * request line over the limits, a body over kaleido.maxBodyBytes), as {"error": "…"} like every
     * other refusal. A request line or header with characters HTTP forbids reaches Helidon's parser
     * as an "internal error"; it is the client's, so a 400.
     */
    static DirectHandlers directHandlers(ServerConfig config) {
        DirectHandler json = new DirectHandler() {
            @Override
            public TransportResponse handle(TransportRequest request, EventType type, Status status, ServerResponseHeaders headers,
                                            Throwable thrown, System.Logger logger) {
                // Within routing (a handler reading the body): Helidon gives the cause.
                String message = thrown instanceof RequestException re && !re.safeMessage() ? null : thrown.getMessage();
                if (type == EventType.INTERNAL_ERROR && clientCaused(thrown)) {
                    return respond(Status.BAD_REQUEST_400, "malformed HTTP request", headers);
                }
                if (status.code() == 400 && request.headers().contains(HeaderNames.CONTENT_ENCODING)) {
                    return unsupportedEncoding(request, headers);
                }
                return respond(status, message, headers);
            }

            @Override
            public TransportResponse handle(TransportRequest request, EventType type, Status status, ServerResponseHeaders headers,
                                            String message) {
                // While parsing the request line and headers, before any route: an "internal error"
                // there is Helidon's parser throwing on bytes HTTP forbids (control characters in a
                // header name, input ending mid-request) — the request's fault.
                if (status.code() == 400 && request.headers().contains(HeaderNames.CONTENT_ENCODING)) {
                    return unsupportedEncoding(request, headers);
                }
                if (type == EventType.INTERNAL_ERROR) {
                    LOG.log(Level.DEBUG, "unparsable request from a client: {0}", message);
                    return respond(Status.BAD_REQUEST_400, "malformed HTTP request", headers);
                }
                if (type == EventType.HTTP_VERSION_NOT_SUPPORTED) {
                    // Helidon speaks HTTP/1.1 only (no 1.0, no 2 here): the client's choice, so a 4xx, not a 505.
                    return respond(Status.BAD_REQUEST_400, "HTTP version " + request.protocolVersion()
                            + " is not supported; use HTTP/1.1", headers);
                }
                return respond(status, message, headers);
            }

            /**
             * Helidon refuses a body with any Content-Encoding (no decoder is installed, so not even
             * "identity"): say so with the status for it, not as a malformed request.
             */
            private TransportResponse unsupportedEncoding(TransportRequest request, ServerResponseHeaders headers) {
                String encoding = request.headers().first(HeaderNames.CONTENT_ENCODING).orElse("");
                return respond(Status.UNSUPPORTED_MEDIA_TYPE_415, "Content-Encoding '" + abbreviate(encoding)
                        + "' is not supported: send the body uncompressed, without a Content-Encoding header", headers);
            }

            private TransportResponse respond(Status status, String message, ServerResponseHeaders headers) {
                boolean vague = message == null || message.isBlank() || message.startsWith("Bad request, see server log");
                String text = switch (status.code()) {
                    case 413 -> "the request body is larger than the limit of " + config.maxBodyBytes() + " bytes (kaleido.maxBodyBytes)";
                    case 414 -> "the request line is longer than the limit of " + config.maxRequestLineBytes() + " bytes (kaleido.maxRequestLineBytes)";
                    case 431 -> "the request headers are larger than the limit of " + config.maxHeaderBytes() + " bytes (kaleido.maxHeaderBytes)";
                    case 400 -> vague ? "malformed HTTP request (request line or headers), or headers over the limit of "
                            + config.maxHeaderBytes() + " bytes (kaleido.maxHeaderBytes)" : message;
                    default -> vague ? "request refused" : message;
                };
                headers.set(HeaderValues.CONTENT_TYPE_JSON);
                return TransportResponse.builder().status(status).headers(headers).entity(Json.errorBytes(text, status.code())).build();
            }
        };
        DirectHandlers.Builder builder = DirectHandlers.builder();
        for (DirectHandler.EventType type : DirectHandler.EventType.values()) {
            builder.addHandler(type, json);
        }
        return builder.build();
    }

    /** Parse failures of the request line or headers that Helidon reports as internal errors. */
    private static boolean clientCaused(Throwable thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            if (t instanceof IllegalArgumentException || t.getClass().getName().startsWith("io.helidon.common.buffers.DataReader")) {
                return true;   // "Token contains control character", malformed numbers, input ended mid-request
            }
        }
        return false;
    }
}
