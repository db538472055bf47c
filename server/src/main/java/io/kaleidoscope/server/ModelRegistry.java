package io.kaleidoscope.server;

import io.kaleidoscope.SearchOptions;
import io.kaleidoscope.Translator;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The loaded models by name, each with its own batching engine thread ({@link BatchingEngine}),
 * or {@code kaleido.enginesPerModel} of them (each with its own copy of the model, one core each):
 * a request goes to the engine of its model with the fewest texts queued. The first model is the
 * default. {@link #ready()} turns true once every engine has loaded and translated a warm-up sentence.
 */
public final class ModelRegistry implements AutoCloseable {
    private static final String WARM_UP = "Die Datei wurde nicht gefunden.";

    private final Map<String, List<BatchingEngine>> models = new LinkedHashMap<>();
    private final String defaultModel;
    private final int defaultBeam;
    /** Texts in the warm-up's batch: four, or the queue's whole room when it is smaller. */
    private final int warmUpBatch;
    /** Whether searches use each bundle's lexical shortlist (kaleido.shortlist). */
    private final boolean shortlist;
    private final ServerMetrics metrics;
    private volatile boolean ready;

    public ModelRegistry(ServerConfig config) {
        this(config, null);
    }

    /** With the server's metrics (engine batches report to them); null for none. */
    public ModelRegistry(ServerConfig config, ServerMetrics metrics) {
        this(config, metrics, translator -> translator::translate);
    }

    /** With the decoding call made from each translator: the translator itself, or a failing stand-in in tests. */
    ModelRegistry(ServerConfig config, ServerMetrics metrics, java.util.function.Function<Translator, BatchingEngine.Decode> decode) {
        this.metrics = metrics;
        for (Path bundle : config.models()) {
            List<BatchingEngine> engines = new java.util.ArrayList<>();
            for (int e = 0; e < config.enginesPerModel(); e++) {
                Translator translator = Translator.load(bundle);
                String name = translator.bundle().manifest().name();
                if (e == 0 && models.containsKey(name)) {
                    translator.close();
                    close();
                    throw new IllegalArgumentException("two bundles named '" + name + "' in kaleido.models (" + bundle
                            + "); list each model once (kaleido.enginesPerModel runs more engines of it)");
                }
                BatchingEngine engine = new BatchingEngine(translator, decode.apply(translator), name, config.queueTexts(),
                        config.batchChars(), config.maxWaitMillis(), config.maxQueueWaitMillis(), metrics);
                engines.add(engine);
                models.put(name, engines);
                if (metrics != null) {
                    metrics.queue(name, e, engine);
                }
            }
        }
        this.defaultModel = models.keySet().iterator().next();
        this.defaultBeam = config.beam();
        this.warmUpBatch = Math.min(4, config.queueTexts());
        this.shortlist = config.shortlist();
    }

    /**
     * Warms every engine up (JIT, ONNX Runtime arenas): first the decoder's Java kernels until C2
     * has compiled them, once per model ({@link io.kaleidoscope.model.Decoder#warmUpKernels}: about
     * 1.2 s for the small K-matrix model, without which the first seconds of traffic had 0.3–1.1 s
     * batches), then
     * a sentence at the default beam, greedily and at the default beam again, each alone and in a
     * batch of four, so both the one-row and the row-group code paths run; then marks the registry
     * ready. The pace those cold batches measure is forgotten before each of them and after the
     * last ({@link BatchingEngine#forgetPace}): it would refuse the next warm-up batches, and then
     * real requests.
     */
    public void warmUp() {
        List<String> one = List.of(WARM_UP);
        List<String> batch = java.util.Collections.nCopies(warmUpBatch, WARM_UP);
        // The JIT's code is shared by a model's engines, so its kernels warm up once, on the first.
        models.values().forEach(engines -> engines.getFirst().translator().decoder().warmUpKernels());
        for (BatchingEngine engine : models.values().stream().flatMap(List::stream).toList()) {
            SearchOptions beam = engine.translator().defaultOptions().withBeam(defaultBeam).withShortlist(shortlist);
            for (SearchOptions options : List.of(beam, beam.withBeam(1), beam)) {
                for (List<String> texts : List.of(one, batch)) {
                    engine.forgetPace();
                    engine.submit(texts, options).join();
                }
            }
            engine.forgetPace();
        }
        ready = true;
    }


    public boolean ready() {
        return ready;
    }

    public List<String> names() {
        return List.copyOf(models.keySet());
    }

    public String defaultModel() {
        return defaultModel;
    }

    /**
     * Translates on the named model's engine thread, waiting at most {@code deadlineMillis}.
     *
     * @param maxTokens    output tokens per sentence at most ({@link SearchOptions#NO_CAP}: the model's own limit)
     * @param alternatives alternative translations per text (0: none; the beam must be wider)
     * @throws ApiException 400 for an unknown model, 504 past the deadline
     */
    public BatchingEngine.Result translate(String model, List<String> texts, int beam, int maxTokens, int alternatives,
                                           long deadlineMillis) {
        List<BatchingEngine> engines = models.get(model == null ? defaultModel : model);
        if (engines == null) {
            throw new ApiException(400, "unknown model '" + model + "'; loaded: " + String.join(", ", models.keySet()));
        }
        BatchingEngine engine = engines.stream().min(java.util.Comparator.comparingInt(BatchingEngine::queuedTexts)).orElseThrow();
        SearchOptions options = engine.translator().defaultOptions().withBeam(beam).withMaxTokens(maxTokens)
                .withShortlist(shortlist);
        var future = engine.submit(texts, options, alternatives);
        try {
            BatchingEngine.Result result = future.get(deadlineMillis, TimeUnit.MILLISECONDS);
            if (metrics != null) {
                metrics.translation(model == null ? defaultModel : model, result);
            }
            return result;
        } catch (TimeoutException e) {
            future.cancel(false);
            throw new ApiException(504, "translation did not finish within the deadline of " + deadlineMillis + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "interrupted");
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof ApiException api) {
                throw api;
            }
            throw new IllegalStateException("translation failed: " + e.getCause().getMessage(), e.getCause());
        }
    }

    public int defaultBeam() {
        return defaultBeam;
    }

    @Override
    public void close() {
        models.values().forEach(engines -> engines.forEach(BatchingEngine::close));
    }
}
