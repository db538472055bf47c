package io.kaleidoscope.server;

import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.HttpException;
import io.helidon.http.RequestException;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.DirectHandlers;
import io.helidon.webserver.http.HttpRouting;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Map;

/**
 * Starts the translation server: loads the configured models ({@link ServerConfig}), warms them
 * up, and serves the LibreTranslate-compatible and native APIs plus health endpoints on Helidon SE.
 * {@code ./kaleido serve} runs this.
 */
public final class Main {
    private static final System.Logger LOG = System.getLogger(Main.class.getName());
    /** The live dashboard: one self-contained page that polls /metrics (no external resources). */
    private static final byte[] DASHBOARD = resource("dashboard.html");
    /** Requests in flight, for the graceful stop; one per JVM like the signal handlers. */
    static final InFlight DRAIN = new InFlight();
    /** The OpenAPI description of the HTTP API. */
    private static final byte[] OPENAPI = resource("openapi.yaml");
    /** Each route's method, for the 405 answer to another method on a known path. */
    private static final Map<String, String> ROUTES = Map.of("/translate", "POST", "/v1/translate", "POST",
            "/languages", "GET", "/v1/models", "GET", "/health", "GET", "/ready", "GET", "/metrics", "GET",
            "/openapi", "GET", "/dashboard", "GET");

    private Main() {}

    private static byte[] resource(String name) {
        try (var in = Main.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return in.readAllBytes();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public static void main(String[] args) {
        ServerConfig config;
        ModelRegistry models;
        ServerMetrics metrics = new ServerMetrics();
        try {
            config = ServerConfig.fromEnvironment();
            models = new ModelRegistry(config, metrics);
        } catch (io.kaleidoscope.bundle.BundleException | IllegalArgumentException e) {
            // A damaged bundle or a bad setting: one line that names the file or setting and the
            // problem, and a non-zero exit, so a supervisor (systemd, Kubernetes) reports it plainly.
            System.err.println("kaleidoscope: cannot start: " + e.getMessage());
            System.exit(1);
            return;
        } catch (RuntimeException e) {
            System.err.println("kaleidoscope: cannot start: " + e);
            LOG.log(Level.ERROR, "start-up failed", e);
            System.exit(1);
            return;
        }
        WebServer server;
        try {
            server = start(config, models, metrics);
        } catch (IllegalStateException e) {
            System.err.println("kaleidoscope: cannot start: " + e.getMessage());
            System.exit(1);
            return;
        }
        models.warmUp();
        // SIGTERM (docker stop, kubectl, Ctrl-C as INT): stop accepting, let requests in flight
        // finish within the grace period, stop the engines, and exit 0 — a clean stop, not a crash.
        sun.misc.SignalHandler stop = signal -> {
            LOG.log(Level.INFO, "SIG{0}: stopping gracefully", signal.getName());
            DRAIN.drain(Duration.ofSeconds(10));
            server.stop();
            models.close();
            System.exit(0);
        };
        sun.misc.Signal.handle(new sun.misc.Signal("TERM"), stop);
        sun.misc.Signal.handle(new sun.misc.Signal("INT"), stop);
        System.out.printf("Kaleidoscope listening on http://localhost:%d (models: %s; ready)%n", server.port(), models.names());
    }

    /** Builds and starts the server; the routing is shared with the tests. */
    static WebServer start(ServerConfig config, ModelRegistry models, ServerMetrics metrics) {
        WebServer server = WebServer.builder()
                .port(config.port())
                .maxPayloadSize(config.maxBodyBytes())
                // A kept-alive connection with no request for this long is closed; connections beyond the
                // cap wait to be accepted (each costs a virtual thread and a socket). Helidon 4.5 has no
                // timeout for a request whose headers stop half-way: the cap bounds what such clients hold.
                .idleConnectionTimeout(Duration.ofMillis(config.idleTimeoutMillis()))
                .idleConnectionPeriod(Duration.ofMillis(Math.max(100, config.idleTimeoutMillis() / 4)))
                .maxTcpConnections(config.maxConnections())
                // Only HTTP/1.1, configured here: with the discovered default next to it, Helidon sees two
                // protocol selectors and drops a connection neither recognises instead of answering it.
                .protocolsDiscoverServices(false)
                .addProtocol(io.helidon.webserver.http1.Http1Config.builder()
                        .maxHeadersSize(config.maxHeaderBytes())
                        .maxPrologueLength(config.maxRequestLineBytes())
                        .build())
                .directHandlers(jsonDirectHandlers(config))
                .shutdownGracePeriod(Duration.ofSeconds(10))
                .routing(routing -> routing(routing, config, models, metrics))
                .build()
                .start();
        if (!server.isRunning()) {
            throw new IllegalStateException("the server did not start on port " + config.port() + " (in use?)");
        }
        return server;
    }

    static void routing(HttpRouting.Builder routing, ServerConfig config, ModelRegistry models, ServerMetrics metrics) {
        TranslationGate gate = new TranslationGate(models, new TextLimits(config.maxChars(), config.maxTexts()),
                new ApiKeys(config.apiKeys(), config.keyRatePerMinute()), config.deadlineMillis());
        routing.addFilter((chain, req, res) -> {
                    long start = System.nanoTime();
                    if (!DRAIN.enter()) {
                        res.header("Retry-After", "1");
                        Json.error(res, 503, "the server is shutting down");
                        return;
                    }
                    try {
                        chain.proceed();
                    } finally {
                        DRAIN.exit();
                        metrics.request(req.prologue().method().text(), req.path().path(), res.status().code(),
                                System.nanoTime() - start);
                    }
                })
                .get("/openapi", (req, res) -> {
                    res.header("Content-Type", "application/yaml; charset=utf-8");
                    res.send(OPENAPI);
                })
                .get("/dashboard", (req, res) -> {
                    res.header("Content-Type", "text/html; charset=utf-8");
                    res.send(DASHBOARD);
                })
                .get("/metrics", (req, res) -> {
                    res.header("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
                    res.send(metrics.scrape().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                })
                .register("/", new LibreTranslateService(gate))
                .register("/v1", new NativeTranslateService(gate))
                .get("/health", (req, res) -> Json.send(res, 200, Map.of("status", "UP")))
                .get("/ready", (req, res) -> Json.send(res, models.ready() ? 200 : 503,
                        Map.of("status", models.ready() ? "READY" : "LOADING")))
                .error(HttpException.class, (req, res, e) -> {
                    // Helidon's own refusals (no such route, ...) answer JSON like ours; a known
                    // path with another method is a 405 naming the method it takes.
                    String path = req.path().path();
                    String allowed = ROUTES.get(path);
                    if (e.status().code() == 404 && allowed != null) {
                        res.header(HeaderNames.ALLOW, allowed);
                        Json.error(res, 405, "method " + req.prologue().method().text() + " is not allowed on " + path + "; use " + allowed);
                    } else if (e.status().code() == 404) {
                        Json.error(res, 404, "no such endpoint: " + abbreviate(path) + " (see /openapi)");
                    } else if (e.status().code() >= 500) {
                        internalError(res, e);
                    } else {
                        Json.error(res, e.status().code(), e.getMessage());
                    }
                })
                .error(ApiException.class, (req, res, e) -> {
                    if (e.status() == 503 || e.status() == 429) {
                        res.header("Retry-After", "1");
                    }
                    if (e.closeConnection()) {
                        res.header(HeaderValues.CONNECTION_CLOSE);
                    }
                    Json.error(res, e.status(), e.getMessage());
                })
                .error(Exception.class, (req, res, e) -> {
                    if (readingRequestBody(e)) {
                        // The client's fault: a body announced but not sent, a broken chunked encoding.
                        // Where the next request would start is unknown, so the connection ends here.
                        boolean noBody = e instanceof IllegalStateException && "No entity".equals(e.getMessage());
                        if (!noBody) {
                            res.header(HeaderValues.CONNECTION_CLOSE);
                        }
                        Json.error(res, 400, noBody
                                ? "the request has no body"
                                : "the request body could not be read (malformed chunked encoding, or the connection closed early)");
                        return;
                    }
                    internalError(res, e);
                });
    }

    private static void internalError(io.helidon.webserver.http.ServerResponse res, Throwable e) {
        // An id in the answer and in the log ties a client's report to the stack trace.
        String id = java.util.UUID.randomUUID().toString();
        LOG.log(Level.ERROR, "request " + id + " failed", e);
        res.header("X-Request-Id", id);
        Json.send(res, 500, Map.of("error", "internal error (request id " + id + ")", "request_id", id));
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
    static DirectHandlers jsonDirectHandlers(ServerConfig config) {
        DirectHandler json = new DirectHandler() {
            @Override
            public TransportResponse handle(TransportRequest request, EventType type, Status status, ServerResponseHeaders headers,
                                            Throwable thrown, System.Logger logger) {
                // Within routing (a handler reading the body): Helidon gives the cause.
                String message = thrown instanceof RequestException re && !re.safeMessage() ? null : thrown.getMessage();
                if (type == EventType.INTERNAL_ERROR && clientCaused(thrown)) {
                    return respond(Status.BAD_REQUEST_400, "malformed HTTP request", headers);
                }
                return respond(status, message, headers);
            }

            @Override
            public TransportResponse handle(TransportRequest request, EventType type, Status status, ServerResponseHeaders headers,
                                            String message) {
                // While parsing the request line and headers, before any route: an "internal error"
                // there is Helidon's parser throwing on bytes HTTP forbids (control characters in a
                // header name, input ending mid-request) — the request's fault.
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
