package io.kaleidoscope.server;

import io.helidon.logging.common.LogConfig;
import io.helidon.webserver.WebServer;
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
        // First, so that every record, the model loading's included, goes through logging.properties.
        LogConfig.configureRuntime();
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
        long warmUpStart = System.nanoTime();
        models.warmUp();
        LOG.log(Level.INFO, "warmed up in {0} ms", (System.nanoTime() - warmUpStart) / 1_000_000);
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
                .directHandlers(ErrorAnswers.directHandlers(config))
                // Only the features named here (CORS, the access log when configured), none found on the class path.
                .featuresDiscoverServices(false)
                .update(builder -> cors(config).ifPresent(builder::addFeature))
                .update(builder -> {
                    if (config.accessLog()) {
                        builder.addFeature(io.helidon.webserver.accesslog.AccessLogFeature.builder().defaultLogFormat().build());
                    }
                })
                .shutdownGracePeriod(Duration.ofSeconds(10))
                .routing(routing -> routing(routing, config, models, metrics))
                .build()
                .start();
        if (!server.isRunning()) {
            throw new IllegalStateException("the server did not start on port " + config.port() + " (in use?)");
        }
        return server;
    }

    /**
     * CORS for browser clients on other origins (a web page calling the LibreTranslate API):
     * preflights answered, the timing headers readable by scripts. Absent with corsOrigins=none.
     */
    private static java.util.Optional<io.helidon.webserver.cors.CorsFeature> cors(ServerConfig config) {
        if (config.corsOrigins().isEmpty()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(io.helidon.webserver.cors.CorsFeature.builder()
                .addDefaults(false)
                .addPath(io.helidon.webserver.cors.CorsPathConfig.builder()
                        .pathPattern("/*")
                        .allowOrigins(config.corsOrigins())
                        .allowMethods(java.util.Set.of("GET", "HEAD", "POST"))
                        .allowHeaders(java.util.Set.of("*"))
                        .exposeHeaders(java.util.Set.of("X-Queue-Time-Ms", "X-Inference-Time-Ms", "X-Total-Time-Ms",
                                "Retry-After", "X-Request-Id"))
                        .build())
                .build());
    }

    static void routing(HttpRouting.Builder routing, ServerConfig config, ModelRegistry models, ServerMetrics metrics) {
        TranslationGate gate = new TranslationGate(models, new TextLimits(config.maxChars(), config.maxTexts(), config.maxAlternatives()),
                new ApiKeys(config.apiKeys(), config.keyRatePerMinute()), config.deadlineMillis());
        io.helidon.webserver.http.Handler openapi = (req, res) -> {
            res.header("Content-Type", "application/yaml; charset=utf-8");
            ResponseBodies.send(req, res, OPENAPI);
        };
        io.helidon.webserver.http.Handler dashboard = (req, res) -> {
            res.header("Content-Type", "text/html; charset=utf-8");
            ResponseBodies.send(req, res, DASHBOARD);
        };
        io.helidon.webserver.http.Handler scrape = (req, res) -> {
            res.header("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            ResponseBodies.send(req, res, metrics.scrape().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        };
        io.helidon.webserver.http.Handler health = (req, res) -> Json.send(req, res, 200, Map.of("status", "UP"));
        io.helidon.webserver.http.Handler ready = (req, res) -> Json.send(req, res, models.ready() ? 200 : 503,
                Map.of("status", models.ready() ? "READY" : "LOADING"));
        routing.addFilter((chain, req, res) -> {
                    long start = System.nanoTime();
                    if (!DRAIN.enter()) {
                        res.header("Retry-After", "1");
                        Json.error(req, res, 503, "the server is shutting down");
                        return;
                    }
                    // The request's own path: routing into a service (/v1) makes req.path() relative.
                    String path = req.prologue().uriPath().path();
                    try {
                        chain.proceed();
                    } finally {
                        DRAIN.exit();
                        metrics.request(req.prologue().method().text(), path, res.status().code(), System.nanoTime() - start);
                    }
                    if (res.headers().contains(io.helidon.http.HeaderValues.CONNECTION_CLOSE)) {
                        // The answer said "Connection: close" (a body that could not be read to its end):
                        // Helidon 4.5 would read on, taking whatever follows as the next request.
                        throw new io.helidon.webserver.CloseConnectionException("answered with Connection: close");
                    }
                })
                // Every GET route answers HEAD too (the same headers, no body), as HTTP expects.
                .get("/openapi", openapi).head("/openapi", openapi)
                .get("/dashboard", dashboard).head("/dashboard", dashboard)
                .get("/metrics", scrape).head("/metrics", scrape)
                .register("/", new LibreTranslateService(gate))
                .register("/v1", new NativeTranslateService(gate))
                .get("/health", health).head("/health", health)
                .get("/ready", ready).head("/ready", ready);
        ErrorAnswers.register(routing);
    }
}
