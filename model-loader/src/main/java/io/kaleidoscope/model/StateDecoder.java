package io.kaleidoscope.model;

import io.kaleidoscope.bundle.Bundle;
import io.kaleidoscope.bundle.BundleException;
import io.kaleidoscope.bundle.Manifest;
import io.kaleidoscope.onnx.OnnxWeights;

/**
 * What both decoders share around their step: the optional shortlist projection, absorbed
 * attention and float16 output projection of the bundle, and how a search's state is made —
 * fresh (the attention path chosen per search) or by compaction (the path and the absorbed
 * tensors of the kept sentences carried over). Subclasses build the state's graph bindings in
 * {@link #bind}.
 */
abstract sealed class StateDecoder implements Decoder permits DenseDecoder, KMatrixDecoder {
    /** The tied embedding that is also the output projection. */
    static final String EMBEDDING = "embed_tokens.weight";

    final ModelConfig config;
    final EngineTimings timings;
    /** The projection onto a shortlist's candidates; null when the bundle has no shortlist. */
    final ShortlistOutput shortlist;
    /** The absorbed attention path; null when searches always take the standard one. */
    final AbsorbedAttention absorbed;
    /** The Java projection over float16 weights; null when searches always use ONNX Runtime's. */
    final HalfPrecisionProjection float16Output;
    private final OutputProjection outputPath;

    /**
     * @param float16Possible whether this decoder can stop its graphs before the projection
     *                        (the dense model needs the bundle's hidden-state step graph)
     * @throws IllegalArgumentException when a forced float16 output is impossible for the bundle
     */
    StateDecoder(Bundle bundle, OnnxWeights weights, ModelConfig config, EngineTimings timings, EnginePaths paths,
                 boolean float16Possible) {
        requirePerSentenceAttention(bundle);
        this.config = config;
        this.timings = timings;
        this.shortlist = bundle.manifest().shortlist() == null ? null : new ShortlistOutput(bundle, weights, config);
        this.absorbed = AbsorbedAttention.open(bundle, weights, config, paths.attention());
        // With the int8 decoder the output graph multiplies by int8 weights too, and reads half the
        // bytes of the float16 kernel: at batch 1 it was the faster (docs/engine.md, "int8 options"),
        // so AUTO means ONNX Runtime's graph there.
        this.outputPath = paths.output() == OutputProjection.AUTO && paths.decoder() == Precision.INT8
                ? OutputProjection.ONNX : paths.output();
        this.float16Output = outputPath == OutputProjection.ONNX || !float16Possible ? null
                : HalfPrecisionProjection.of(bundle.weights().get(EMBEDDING));
        if (outputPath == OutputProjection.FLOAT16 && float16Output == null) {
            throw new IllegalArgumentException("bundle " + bundle.directory() + " cannot take the float16 output projection: "
                    + (float16Possible ? "its " + EMBEDDING + " is not exactly float16"
                                       : "it has no hidden-state step graph, which comes with the lexical shortlist"
                                         + " (python3 -m training.shortlist --bundle DIR)"));
        }
    }

    @Override
    public void warmUpKernels() {
        if (float16Output != null) {
            float16Output.warmUp();
        }
    }

    /** How this engine hands the step graphs the encoder's keys, values and bias (bundle format §6). */
    static final String STEP_ATTENTION = "per_sentence";

    /**
     * Refuses a bundle whose step graphs take the encoder's keys, values and bias per row (exported
     * before they were held once per sentence; docs/bundle-format.md §6): its weights are fine,
     * its graphs need re-exporting.
     */
    static void requirePerSentenceAttention(Bundle bundle) {
        String form = bundle.manifest().onnx().stepAttention();
        if (!STEP_ATTENTION.equals(form)) {
            throw new BundleException(bundle.directory(), "manifest.json", "its decoder step graphs take the encoder's"
                    + " keys and values " + (form == null ? "per row" : "'" + form + "'") + ", not per sentence as this"
                    + " engine keeps them (onnx.step_attention, docs/bundle-format.md §6); re-export its graphs with"
                    + " python3 -m training.regraph --bundle " + bundle.directory());
        }
    }

    /**
     * Refuses a step graph that takes shifted conv states instead of a conv ring (input
     * {@code ringInput}), as bundles exported before the rings have (docs/bundle-format.md §6):
     * their weights are fine, their graphs need re-exporting.
     */
    static void requireConvRing(Bundle bundle, String graph, String ringInput) {
        Manifest.GraphEntry entry = bundle.graph(graph);
        if (!entry.inputs().contains(ringInput)) {
            throw new BundleException(bundle.directory(), entry.file(), "its decoder step takes conv states, not the"
                    + " conv ring this engine keeps (input '" + ringInput + "', docs/bundle-format.md §6); re-export"
                    + " its graphs with python3 -m training.regraph --bundle " + bundle.directory());
        }
    }

    /**
     * A fresh state, its output projection chosen: float16 for a full-vocabulary search whose row
     * count the path allows.
     */
    private DecoderState newDecoderState(EncodedBatch encoded, int[] vocabulary, AbsorbedAttention.Tensors absorbedTensors) {
        return new DecoderState(config, encoded, vocabulary, absorbedTensors, float16For(encoded.rows(), vocabulary));
    }

    private boolean float16For(int rows, int[] vocabulary) {
        return vocabulary == null && float16Output != null && outputPath.float16For(rows);
    }

    @Override
    public final DecoderState newState(EncodedBatch encoded, int[] vocabulary) {
        if (vocabulary != null && shortlist == null) {
            throw new IllegalStateException("this bundle has no shortlist");
        }
        return bind(newDecoderState(encoded, vocabulary, AbsorbedAttention.forSearch(absorbed, encoded, timings)));
    }

    /** In place: the kept rows move to the front of the state's buffers ({@link DecoderState#compact}). */
    @Override
    public final DecoderState compact(DecoderState state, int[] keep) {
        return bind(state.compact(keep, float16For(keep.length, state.vocabulary)));
    }

    @Override
    public final DecoderState expand(DecoderState state, int beam) {
        return state.expand(beam, (encoded, absorbedTensors) -> bind(newDecoderState(encoded, state.vocabulary, absorbedTensors)));
    }

    /**
     * Builds this decoder's per-search tensors and graph bindings for {@code state}, which from now
     * on is the one {@code step} accepts; on failure closes the state and throws.
     */
    abstract DecoderState bind(DecoderState state);

    /** Closes the shortlist projection and the absorbed attention's graph; subclasses close their own graphs too. */
    @Override
    public void close() {
        if (shortlist != null) {
            shortlist.close();
        }
        if (absorbed != null) {
            absorbed.close();
        }
    }
}
