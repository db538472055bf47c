package io.kaleidoscope.server;

import io.kaleidoscope.model.EngineTimings;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The server's Micrometer meters in one Prometheus registry (scraped at {@code GET /metrics}).
 * Latencies are histograms with buckets around the latency objectives (5 ms … 30 s), never
 * client-side summaries, so Prometheus can aggregate them; no label carries anything per client.
 *
 * <ul>
 *   <li>{@code http_server_requests_seconds{method, uri, status}}: every request, uri = the route
 *       (unknown paths share "other", methods outside HTTP's standard ones "OTHER");</li>
 *   <li>{@code kaleido_queue_wait_seconds{model}}, {@code kaleido_inference_seconds{model}}: per
 *       request, time waiting for the engine and time in its batch;</li>
 *   <li>{@code kaleido_engine_seconds{model, part}}: per batch, where the engine's time went
 *       (encoder, kmatrix, decoder_graphs, output_projection, search);</li>
 *   <li>{@code kaleido_batch_texts{model}}: texts per engine batch;</li>
 *   <li>{@code kaleido_source_tokens_total{model}}, {@code kaleido_target_tokens_total{model}}:
 *       tokens decoded (source with eos, output without);</li>
 *   <li>{@code kaleido_queue_texts{model, engine}}: texts queued or being decoded now, per engine thread;</li>
 *   <li>{@code kaleido_rejected_requests_total{reason}}: refused translation requests (/translate,
 *       /v1/translate) by HTTP status; /ready's 503 while loading or a browser's favicon 404 are
 *       no rejection;</li>
 *   <li>JVM memory, GC, threads, class loading, CPU and uptime.</li>
 * </ul>
 */
public final class ServerMetrics {
    private static final Set<String> ROUTES = Set.of("/translate", "/languages", "/v1/translate", "/v1/models",
            "/health", "/ready", "/metrics", "/dashboard", "/openapi", "/frontend/settings");
    private static final Set<String> TRANSLATE_ROUTES = Set.of("/translate", "/v1/translate");
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "CONNECT");
    private static final Duration[] SLO = {
            Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
            Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
            Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30)};

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    ServerMetrics() {
        // Two Micrometer meters fail promtool's lint: process_cpu_time_ns_total (abbreviated unit)
        // and system_cpu_count (a gauge ending in _count). process_cpu_usage and the JVM's own
        // metrics carry the same information.
        registry.config().meterFilter(io.micrometer.core.instrument.config.MeterFilter.denyNameStartsWith("process.cpu.time"));
        registry.config().meterFilter(io.micrometer.core.instrument.config.MeterFilter.denyNameStartsWith("system.cpu.count"));
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    private Timer timer(String name, String description, String... tags) {
        return Timer.builder(name).description(description).tags(tags)
                .serviceLevelObjectives(SLO).minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(60))
                .register(registry);
    }

    void request(String method, String path, int status, long nanos) {
        String uri = ROUTES.contains(path) ? path : "other";
        // Any token is a valid method: unknown ones share one label value, so clients cannot add series.
        String knownMethod = METHODS.contains(method) ? method : "OTHER";
        timer("http.server.requests", "HTTP requests by route and status", "method", knownMethod, "uri", uri,
                "status", Integer.toString(status)).record(nanos, TimeUnit.NANOSECONDS);
        if (status >= 400 && TRANSLATE_ROUTES.contains(uri)) {
            Counter.builder("kaleido.rejected.requests").description("translation requests answered with an error, by status")
                    .tag("reason", Integer.toString(status)).register(registry).increment();
        }
    }

    void translation(String model, BatchingEngine.Result result) {
        timer("kaleido.queue.wait", "time a request waited for its model's engine", "model", model)
                .record(result.queueNanos(), TimeUnit.NANOSECONDS);
        timer("kaleido.inference", "time of the engine batch a request was decoded in", "model", model)
                .record(result.inferenceNanos(), TimeUnit.NANOSECONDS);
    }

    /** Called by an engine after each batch: its size and the time split of its decoding. */
    void batch(String model, int texts, EngineTimings.Snapshot split) {
        DistributionSummary.builder("kaleido.batch.texts").description("texts decoded together in one engine batch")
                .tag("model", model).serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128).register(registry).record(texts);
        Counter.builder("kaleido.source.tokens").description("source tokens encoded (eos included)").tag("model", model)
                .register(registry).increment(split.sourceTokens());
        Counter.builder("kaleido.target.tokens").description("output tokens decoded (eos not included)").tag("model", model)
                .register(registry).increment(split.targetTokens());
        part(model, "encoder", split.encoderNanos());
        part(model, "kmatrix", split.kmatrixNanos());
        part(model, "decoder_graphs", split.decoderGraphsNanos());
        part(model, "output_projection", split.outputProjectionNanos());
        part(model, "search", split.searchNanos());
    }

    private void part(String model, String part, long nanos) {
        timer("kaleido.engine", "engine time per batch by part of the model", "model", model, "part", part)
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    void queue(String model, int engineIndex, BatchingEngine engine) {
        io.micrometer.core.instrument.Gauge.builder("kaleido.queue.texts", engine, BatchingEngine::queuedTexts)
                .description("texts queued or being decoded").tag("model", model).tag("engine", Integer.toString(engineIndex))
                .register(registry);
    }

    /** Prometheus text exposition format. */
    String scrape() {
        return registry.scrape();
    }
}
