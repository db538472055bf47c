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
 * The dense baseline: the whole decoder step is {@code decoder_step.onnx}, run by ONNX Runtime
 * with the state as inputs and pinned outputs; its outputs include each layer's conv input, which
 * this class writes into the layer's conv ring after the step. The input and output maps are
 * built once per state, so a step allocates nothing.
 *
 * <p>With the int8 decoder ({@link EnginePaths#decoder}) each of these graphs is its
 * {@code _int8} variant (bundle format §12).
 *
 * <p>A shortlisted search (a state with a vocabulary) runs the bundle's step graph without the
 * output projection ({@code decoder_step_hidden}), then {@link ShortlistOutput}; a search that
 * takes the float16 output projection runs the same graph, then {@link HalfPrecisionProjection},
 * exactly as the K-matrix model does.
 */
public final class DenseDecoder extends StateDecoder {
    private final OnnxGraph graph;
    private final OnnxGraph hiddenGraph;
    /** The absorbed path's two step graphs (full and hidden-only); null when not used. */
    private final OnnxGraph absorbedGraph;
    private final OnnxGraph absorbedHiddenGraph;
    /** The graphs the bound state's search runs: its step, and its hidden-only step when shortlisted. */
    private OnnxGraph stepGraph;
    private OnnxGraph stepHiddenGraph;
    /** The state of the search in progress (one at a time on the engine thread) and its bindings. */
    private DecoderState bound;
    /** The bound state's step inputs and outputs. */
    private Bindings bindings;
    /** Per layer: the step's conv inputs (R, d), which go into the conv rings after the step. */
    private FloatBuffer[] convInputs;
    private final List<OnnxTensor> convInputTensors = new ArrayList<>();
    /** For a shortlisted or float16-projected search: the hidden state (buffer and tensor). */
    private FloatBuffer hiddenBuffer;
    private OnnxTensor hidden;
    /** For a shortlisted search: the projection onto the candidates. */
    private ShortlistOutput.Binding projection;

    private record Bindings(Map<String, OnnxTensor> inputs, Map<String, OnnxTensor> outputs) {}

    public DenseDecoder(Bundle bundle, OnnxWeights weights, ModelConfig config, EngineTimings timings,
                        EnginePaths paths) {
        super(bundle, weights, config, timings, paths, bundle.manifest().shortlist() != null);
        Precision precision = paths.decoder();
        this.graph = open(bundle, "decoder_step", precision, weights);
        var index = bundle.manifest().shortlist();
        this.hiddenGraph = index == null ? null : open(bundle, index.hiddenGraph(), precision, weights);
        this.absorbedGraph = absorbed == null ? null : open(bundle, "decoder_step" + AbsorbedAttention.SUFFIX, precision, weights);
        this.absorbedHiddenGraph = absorbed == null || index == null ? null
                : open(bundle, index.hiddenGraph() + AbsorbedAttention.SUFFIX, precision, weights);
    }

    /** Step graph {@code name}, or its variant with the int8 decoder. */
    private static OnnxGraph open(Bundle bundle, String name, Precision precision, OnnxWeights weights) {
        String graph = Precision.graphOf(bundle, name, precision, "decoder");
        requireConvRing(bundle, graph, "conv_ring_0");
        return OnnxGraph.open(bundle, graph, weights);
    }

    @Override
    DecoderState bind(DecoderState state) {
        releaseSearchTensors();
        int[] vocabulary = state.vocabulary;
        stepGraph = state.absorbed == null ? graph : absorbedGraph;
        stepHiddenGraph = state.absorbed == null ? hiddenGraph : absorbedHiddenGraph;
        if (vocabulary != null || state.float16Output) {
            try {
                hiddenBuffer = DirectBuffers.floats((long) state.rows * config.dModel());
                hidden = OnnxTensor.createTensor(OrtEnvironment.getEnvironment(), hiddenBuffer,
                        new long[] {state.rows, config.dModel()});
            } catch (OrtException e) {
                state.close();
                throw new IllegalStateException("cannot create the hidden-state tensor", e);
            }
        }
        if (vocabulary != null) {
            projection = shortlist.bind(state, hidden);
        }
        convInputs = new FloatBuffer[config.decoderLayers()];
        try {
            for (int l = 0; l < convInputs.length; l++) {
                convInputs[l] = DirectBuffers.floats((long) state.rows * config.dModel());
                convInputTensors.add(OnnxTensor.createTensor(OrtEnvironment.getEnvironment(), convInputs[l],
                        new long[] {state.rows, config.dModel()}));
            }
        } catch (OrtException e) {
            releaseSearchTensors();
            state.close();
            throw new IllegalStateException("cannot create the conv input tensors", e);
        }
        Map<String, OnnxTensor> inputs = new HashMap<>();
        Map<String, OnnxTensor> outputs = new HashMap<>();
        inputs.put("tokens", state.tokensTensor);
        inputs.put("step", state.stepTensor);
        if (state.absorbed == null) {
            inputs.put("enc_bias", state.encBias);
        }
        if (hidden == null) {
            outputs.put("log_probs", state.logProbsTensor);
        } else {
            outputs.put("x", hidden);
        }
        for (int l = 0; l < config.decoderLayers(); l++) {
            if (state.absorbed == null) {
                inputs.put("enc_keys_" + l, state.encKeys[l]);
                inputs.put("enc_values_" + l, state.encValues[l]);
            } else {
                state.absorbed.putInto(inputs, l, "_" + l);
            }
            inputs.put("conv_ring_" + l, state.convRingTensors[l]);
            inputs.put("conv_order_" + l, state.convOrderTensors[l]);
            outputs.put("conv_input_" + l, convInputTensors.get(l));
        }
        this.bound = state;
        this.bindings = new Bindings(Map.copyOf(inputs), Map.copyOf(outputs));
        return state;
    }

    @Override
    public void step(DecoderState state) {
        if (state != bound) {
            throw new IllegalStateException("step() on a state this decoder did not create last");
        }
        Bindings b = bindings;
        long start = System.nanoTime();
        if (hidden == null) {
            stepGraph.run(b.inputs(), b.outputs());
            writeConvInputs(state);
            timings.decoderGraphs += System.nanoTime() - start;
        } else {
            stepHiddenGraph.run(b.inputs(), b.outputs());
            writeConvInputs(state);
            long projected = System.nanoTime();
            if (state.float16Output) {
                float16Output.logProbs(hiddenBuffer, state.rows, state.logProbs);
            } else {
                projection.run();
            }
            timings.decoderGraphs += projected - start;
            timings.outputProjection += System.nanoTime() - projected;
        }
        timings.steps++;
    }

    private void writeConvInputs(DecoderState state) {
        for (int l = 0; l < convInputs.length; l++) {
            state.writeConvInput(l, convInputs[l]);
        }
    }

    private void releaseSearchTensors() {
        if (projection != null) {
            projection.close();
            projection = null;
        }
        if (hidden != null) {
            hidden.close();
            hidden = null;
            hiddenBuffer = null;
        }
        convInputTensors.forEach(OnnxTensor::close);
        convInputTensors.clear();
        convInputs = null;
    }

    @Override
    public void close() {
        releaseSearchTensors();
        super.close();
        graph.close();
        if (hiddenGraph != null) {
            hiddenGraph.close();
        }
        if (absorbedGraph != null) {
            absorbedGraph.close();
        }
        if (absorbedHiddenGraph != null) {
            absorbedHiddenGraph.close();
        }
    }
}
