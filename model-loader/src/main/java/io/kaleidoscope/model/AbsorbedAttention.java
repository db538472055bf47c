package io.kaleidoscope.model;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import io.kaleidoscope.bundle.Bundle;
import io.kaleidoscope.onnx.DirectBuffers;
import io.kaleidoscope.onnx.OnnxGraph;
import io.kaleidoscope.onnx.OnnxWeights;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The absorbed encoder-decoder attention (docs/engine.md, "Absorbed attention"; bundle format
 * §11). With one query per row, a decoder step's attention can skip its two d×d projections:
 * once per search, {@code decoder_absorb} folds the query projection into each sentence's keys
 * and the output projection into its values, giving per layer {@code bias_q} (B, H·S),
 * {@code keys_q} (B, d, H·S) and {@code values_o} (B, H·S, d). A step then reads those instead
 * of the projections' 2·d² weights — fewer bytes while B·(H − 1)·S is no more than d, which,
 * for searches of a few sentences, is the rule {@link Path#AUTO} applies ({@link #chosenFor}).
 * The beam's rows of a sentence share its tensors, as they share its keys and values on the
 * standard path.
 */
public final class AbsorbedAttention implements AutoCloseable {
    /** The graph that computes the absorbed tensors. */
    public static final String GRAPH = "decoder_absorb";
    /** Suffix of the step graphs that take absorbed tensors instead of keys and values. */
    public static final String SUFFIX = "_absorbed";

    /** Which attention a search uses. */
    public enum Path {
        /** Absorbed for searches of a few sentences that read fewer floats per step with it (see {@link #chosenFor}). */
        AUTO,
        /** Always the keys/values and projections of the standard graphs. */
        STANDARD,
        /** Always absorbed (the bundle must have the graphs). */
        ABSORBED
    }

    private final ModelConfig config;
    private final OnnxGraph graph;
    private final Path path;

    private AbsorbedAttention(ModelConfig config, OnnxGraph graph, Path path) {
        this.config = config;
        this.graph = graph;
        this.path = path;
    }

    /**
     * The absorbed path of a bundle, or null when searches always take the standard one (the
     * path is STANDARD, or AUTO and the bundle predates the graphs).
     *
     * @throws IllegalArgumentException when the path is ABSORBED and the bundle lacks the graphs
     */
    static AbsorbedAttention open(Bundle bundle, OnnxWeights weights, ModelConfig config, Path path) {
        if (path == Path.STANDARD || (path == Path.AUTO && !bundle.hasGraph(GRAPH))) {
            return null;
        }
        if (!bundle.hasGraph(GRAPH)) {
            throw new IllegalArgumentException("bundle " + bundle.directory() + " has no absorbed-attention graphs ("
                    + GRAPH + "); re-export its graphs with python3 -m training.regraph");
        }
        return new AbsorbedAttention(config, OnnxGraph.open(bundle, GRAPH, weights), path);
    }

    /**
     * Searches over more sentences than this take the standard path under AUTO. Measured on the
     * base architecture (docs/engine.md): the absorbed form saved 24–40% of a batch-1 search, but
     * 7–9% at most from 8 sentences up, and a benchmark with real sentences at batch 32 (padded
     * to the longest, compacted as they finish) measured it 3–5% slower; on the tiny fixtures it
     * was up to 19% slower at batch 32. Its gain is latency at small batches.
     */
    static final int MAX_SENTENCES = 4;

    /**
     * Whether a search over these sentences takes the absorbed path. Under AUTO: at most
     * {@link #MAX_SENTENCES} sentences, and no more floats read per layer and step than the
     * standard path, 2·B·H·S·d against the two d×d projections plus each sentence's keys and values
     * (held once per sentence, whatever the beam), 2·d² + 2·B·S·d (B sentences, S source
     * positions): B·(H − 1)·S ≤ d. At batch 1 that holds for sources up to d/(H − 1) tokens.
     */
    boolean chosenFor(EncodedBatch encoded) {
        if (path == Path.ABSORBED) {
            return true;
        }
        long b = encoded.sentences();
        return b <= MAX_SENTENCES && b * (config.heads() - 1) * encoded.sourceLength() <= config.dModel();
    }

    /**
     * The absorbed tensors for a search over these sentences when it takes that path, else null
     * (also when {@code absorbed} is null). Their preparation counts as encoder time: once per search.
     */
    static Tensors forSearch(AbsorbedAttention absorbed, EncodedBatch encoded, EngineTimings timings) {
        if (absorbed == null || !absorbed.chosenFor(encoded)) {
            return null;
        }
        long start = System.nanoTime();
        Tensors tensors = absorbed.prepare(encoded);
        timings.addEncoder(System.nanoTime() - start);
        return tensors;
    }

    /** Runs {@code decoder_absorb} over the batch's sentences (one row per group). */
    Tensors prepare(EncodedBatch encoded) {
        EncodedBatch sentences = encoded.oneRowPerSentence();
        int b = sentences.rows();
        int s = sentences.sourceLength();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        List<OnnxTensor> inputsOwned = new ArrayList<>();
        Tensors tensors;
        try {
            tensors = new Tensors(config, b, s);
        } catch (OrtException e) {
            throw new IllegalStateException("cannot create the absorbed attention's tensors", e);
        }
        try {
            Map<String, OnnxTensor> inputs = new HashMap<>();
            long[] kvShape = {b, config.heads(), s, config.headDim()};
            inputs.put("enc_bias", own(inputsOwned, OnnxTensor.createTensor(env, sentences.encBias(), new long[] {b, s})));
            Map<String, OnnxTensor> outputs = new HashMap<>();
            for (int l = 0; l < config.decoderLayers(); l++) {
                inputs.put("enc_keys_" + l, own(inputsOwned, OnnxTensor.createTensor(env, sentences.encKeys()[l], kvShape)));
                inputs.put("enc_values_" + l, own(inputsOwned, OnnxTensor.createTensor(env, sentences.encValues()[l], kvShape)));
                tensors.putInto(outputs, l, "_" + l);
            }
            graph.run(inputs, outputs);
            return tensors;
        } catch (OrtException | RuntimeException e) {
            tensors.close();
            throw new IllegalStateException("cannot prepare the absorbed attention", e);
        } finally {
            inputsOwned.forEach(OnnxTensor::close);
        }
    }

    private static OnnxTensor own(List<OnnxTensor> owned, OnnxTensor tensor) {
        owned.add(tensor);
        return tensor;
    }

    /**
     * One search's absorbed tensors, per decoder layer, in direct buffers; owned by its
     * {@link DecoderState}. [layer][0, 1, 2] = bias_q (B, H, 1, S), keys_q (B, H, d, S), values_o (B, H, S, d).
     */
    static final class Tensors implements AutoCloseable {
        private static final String[] NAMES = {"bias_q", "keys_q", "values_o"};
        private final ModelConfig config;
        private final int sentences;
        private final int sourceLength;
        private final FloatBuffer[][] buffers;
        private final OnnxTensor[][] tensors;

        private Tensors(ModelConfig config, int sentences, int sourceLength) throws OrtException {
            this.config = config;
            this.sentences = sentences;
            this.sourceLength = sourceLength;
            int layers = config.decoderLayers();
            long h = config.heads();
            long s = sourceLength;
            long d = config.dModel();
            long[][] shapes = {{sentences, h, 1, s}, {sentences, h, d, s}, {sentences, h, s, d}};
            buffers = new FloatBuffer[layers][3];
            tensors = new OnnxTensor[layers][3];
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            try {
                for (int l = 0; l < layers; l++) {
                    for (int i = 0; i < 3; i++) {
                        buffers[l][i] = DirectBuffers.floats(sentences * (long) rowFloats(i));
                        tensors[l][i] = OnnxTensor.createTensor(env, buffers[l][i], shapes[i]);
                    }
                }
            } catch (OrtException e) {
                close();
                throw e;
            }
        }

        private int rowFloats(int i) {
            int hs = config.heads() * sourceLength;
            return i == 0 ? hs : hs * config.dModel();
        }

        /** Layer l's tensors by graph name plus suffix ("" for attend graphs, "_l" for the dense step and decoder_absorb). */
        void putInto(Map<String, OnnxTensor> map, int l, String suffix) {
            for (int i = 0; i < 3; i++) {
                map.put(NAMES[i] + suffix, tensors[l][i]);
            }
        }

        /** The tensors of the given sentences only, in that order (copies; for a compacted search). */
        Tensors select(int[] kept) {
            try {
                Tensors out = new Tensors(config, kept.length, sourceLength);
                for (int l = 0; l < buffers.length; l++) {
                    for (int i = 0; i < 3; i++) {
                        int width = rowFloats(i);
                        for (int b = 0; b < kept.length; b++) {
                            out.buffers[l][i].put(b * width, buffers[l][i], kept[b] * width, width);
                        }
                    }
                }
                return out;
            } catch (OrtException e) {
                throw new IllegalStateException("cannot create the absorbed attention's tensors", e);
            }
        }

        @Override
        public void close() {
            for (OnnxTensor[] perLayer : tensors) {
                for (int i = 0; i < perLayer.length; i++) {
                    if (perLayer[i] != null) {
                        perLayer[i].close();
                        perLayer[i] = null;   // closing twice is harmless
                    }
                }
            }
        }
    }

    @Override
    public void close() {
        graph.close();
    }
}
