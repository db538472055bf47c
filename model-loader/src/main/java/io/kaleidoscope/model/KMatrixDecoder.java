package io.kaleidoscope.model;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import io.kaleidoscope.bundle.Bundle;
import io.kaleidoscope.kmatrix.KMatrixKernel;
import io.kaleidoscope.kmatrix.KMatrixLayer;
import io.kaleidoscope.onnx.DirectBuffers;
import io.kaleidoscope.onnx.OnnxGraph;
import io.kaleidoscope.onnx.OnnxWeights;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The K-matrix decoder step (docs/bundle-format.md §6): ONNX Runtime runs the pieces between the
 * K-matrix layers, the Java kernel runs linear1, linear2, fc1 and fc2 of every layer, and the
 * ReLU between fc1 and fc2 is applied here.
 *
 * <pre>
 *   x = decoder_embed(tokens, step)
 *   for each layer l:
 *       h = linear1(x); c = conv_l(h, ring_l); h into ring_l; u = linear2(c)
 *       y = attend_l(x, u, encoder state); g = fc2(relu(fc1(y))); x = ffn_out_l(y, g)
 *   log_probs = decoder_output(x)     (or the float16 projection in Java, {@link HalfPrecisionProjection})
 * </pre>
 * Activations live in direct buffers with ONNX Runtime tensors over them, built once per search;
 * the kernel reads and writes heap arrays, so each K-matrix layer copies its (R, in) input out of
 * and its (R, out) output into a direct buffer (bulk copies, a few KB per step). The layer
 * input {@code x} alternates between two buffers so no graph reads and writes the same memory.
 */
public final class KMatrixDecoder extends StateDecoder {
    private final OnnxGraph embed;
    private final OnnxGraph output;
    private final OnnxGraph[] conv;
    private final OnnxGraph[] attend;
    /** The absorbed path's per-layer attend graphs; null when not used. */
    private final OnnxGraph[] attendAbsorbed;
    private final OnnxGraph[] ffnOut;
    private final KMatrixLinears kmatrix;
    private final List<OnnxGraph> graphs = new ArrayList<>();

    private DecoderState bound;
    private Activations act;

    public KMatrixDecoder(Bundle bundle, OnnxWeights weights, ModelConfig config, KMatrixKernel kernel,
                          EngineTimings timings, EnginePaths paths) {
        super(bundle, weights, config, timings, paths, true);
        int layers = config.decoderLayers();
        embed = open(bundle, "decoder_embed", weights);
        output = open(bundle, Precision.graphOf(bundle, "decoder_output", paths.decoder(), "decoder"), weights);
        conv = new OnnxGraph[layers];
        attend = new OnnxGraph[layers];
        ffnOut = new OnnxGraph[layers];
        attendAbsorbed = absorbed == null ? null : new OnnxGraph[layers];
        for (int l = 0; l < layers; l++) {
            requireConvRing(bundle, "decoder_layer" + l + "_conv", "conv_ring");
            conv[l] = open(bundle, "decoder_layer" + l + "_conv", weights);
            attend[l] = open(bundle, Precision.graphOf(bundle, "decoder_layer" + l + "_attend", paths.decoder(), "decoder"), weights);
            ffnOut[l] = open(bundle, "decoder_layer" + l + "_ffn_out", weights);
            if (absorbed != null) {
                attendAbsorbed[l] = open(bundle, "decoder_layer" + l + "_attend" + AbsorbedAttention.SUFFIX, weights);
            }
        }
        kmatrix = new KMatrixLinears(bundle, kernel, "decoder", layers);
    }

    @Override
    public void warmUpKernels() {
        super.warmUpKernels();
        kmatrix.warmUp();
    }

    private OnnxGraph open(Bundle bundle, String name, OnnxWeights weights) {
        OnnxGraph graph = OnnxGraph.open(bundle, name, weights);
        graphs.add(graph);
        return graph;
    }

    /** Direct buffers and tensors for the activations of R rows, plus heap staging for the kernel. */
    private final class Activations implements AutoCloseable {
        final int rows;
        final FloatBuffer[] x = new FloatBuffer[2];
        final FloatBuffer h, c, u, y, g;
        final OnnxTensor[] xT = new OnnxTensor[2];
        final OnnxTensor hT, cT, yT, gT;
        /** The attend graphs' views of x, u and y: (sentences, rows per sentence, d). */
        final OnnxTensor[] xBySentence = new OnnxTensor[2];
        final OnnxTensor uBySentence, yBySentence;
        final float[] stageIn;
        final float[] stageOut;
        final float[] hidden;
        /** The attend graph per layer: standard or absorbed, as the state's search takes. */
        final OnnxGraph[] attendGraphs;
        /** Conv graph inputs per layer. */
        final Map<String, OnnxTensor>[] convIn;
        final Map<String, OnnxTensor>[] convOut;
        final Map<String, OnnxTensor>[] attendIn, attendOut, ffnIn, ffnOut;
        final Map<String, OnnxTensor> embedIn, embedOut, outputIn, outputOut;
        /** A shortlisted search's output projection (null: the full one). */
        final ShortlistOutput.Binding projection;
        private final List<OnnxTensor> owned = new ArrayList<>();

        @SuppressWarnings("unchecked")
        Activations(DecoderState state) throws OrtException {
            rows = state.rows;
            int d = config.dModel();
            int f = config.ffnDim();
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            long[] rowShape = {rows, d};
            for (int i = 0; i < 2; i++) {
                x[i] = DirectBuffers.floats((long) rows * d);
                xT[i] = own(OnnxTensor.createTensor(env, x[i], rowShape));
            }
            h = DirectBuffers.floats((long) rows * d);
            c = DirectBuffers.floats((long) rows * d);
            u = DirectBuffers.floats((long) rows * d);
            y = DirectBuffers.floats((long) rows * d);
            g = DirectBuffers.floats((long) rows * d);
            hT = own(OnnxTensor.createTensor(env, h, rowShape));
            cT = own(OnnxTensor.createTensor(env, c, rowShape));
            yT = own(OnnxTensor.createTensor(env, y, rowShape));
            gT = own(OnnxTensor.createTensor(env, g, rowShape));
            long[] sentenceShape = {rows / state.encoded.group(), state.encoded.group(), d};
            for (int i = 0; i < 2; i++) {
                xBySentence[i] = own(OnnxTensor.createTensor(env, x[i], sentenceShape));
            }
            uBySentence = own(OnnxTensor.createTensor(env, u, sentenceShape));
            yBySentence = own(OnnxTensor.createTensor(env, y, sentenceShape));
            int widest = Math.max(d, f);
            stageIn = new float[rows * widest];
            stageOut = new float[rows * widest];
            hidden = new float[rows * f];

            int layers = config.decoderLayers();
            embedIn = Map.of("tokens", state.tokensTensor, "step", state.stepTensor);
            embedOut = Map.of("x", xT[0]);
            // After layer l the input of layer l + 1 is in x[(l + 1) % 2].
            outputIn = Map.of("x", xT[layers % 2]);
            outputOut = Map.of("log_probs", state.logProbsTensor);
            convIn = new Map[layers];
            convOut = new Map[layers];
            attendIn = new Map[layers];
            attendOut = new Map[layers];
            ffnIn = new Map[layers];
            ffnOut = new Map[layers];
            for (int l = 0; l < layers; l++) {
                convIn[l] = Map.of("h", hT, "conv_ring", state.convRingTensors[l], "conv_order", state.convOrderTensors[l]);
                convOut[l] = Map.of("c", cT);
                // Both attention paths take the rows grouped by sentence, (sentences, beam, d).
                Map<String, OnnxTensor> in = new HashMap<>(Map.of("x", xBySentence[l % 2], "u", uBySentence));
                if (state.absorbed == null) {
                    in.putAll(Map.of("enc_bias", state.encBias, "enc_keys", state.encKeys[l],
                            "enc_values", state.encValues[l]));
                } else {
                    state.absorbed.putInto(in, l, "");
                }
                attendIn[l] = Map.copyOf(in);
                attendOut[l] = Map.of("y", yBySentence);
                ffnIn[l] = Map.of("y", yT, "g", gT);
                ffnOut[l] = Map.of("x_out", xT[(l + 1) % 2]);
            }
            projection = state.vocabulary == null ? null : shortlist.bind(state, xT[layers % 2]);
            attendGraphs = state.absorbed == null ? attend : attendAbsorbed;
        }

        private OnnxTensor own(OnnxTensor t) {
            owned.add(t);
            return t;
        }

        @Override
        public void close() {
            if (projection != null) {
                projection.close();
            }
            owned.forEach(OnnxTensor::close);
        }
    }

    @Override
    DecoderState bind(DecoderState state) {
        if (act != null) {
            act.close();
        }
        try {
            act = new Activations(state);
        } catch (OrtException e) {
            state.close();
            throw new IllegalStateException("cannot create decoder activation tensors", e);
        }
        bound = state;
        return state;
    }

    @Override
    public void step(DecoderState state) {
        if (state != bound) {
            throw new IllegalStateException("step() on a state this decoder did not create last");
        }
        Activations a = act;
        int rows = state.rows;
        int d = config.dModel();
        long graphs = 0;
        long kernels = 0;
        long t0 = System.nanoTime();
        embed.run(a.embedIn, a.embedOut);
        long t1 = System.nanoTime();
        graphs += t1 - t0;
        for (int l = 0; l < config.decoderLayers(); l++) {
            t0 = System.nanoTime();
            kmatrix.apply(l, KMatrixLinears.LINEAR1, a.x[l % 2], a.h, rows, a.stageIn, a.stageOut);   // h = linear1(x)
            t1 = System.nanoTime();
            conv[l].run(a.convIn[l], a.convOut[l]);                      // c
            state.writeConvInput(l, a.h);                                       // h into the ring
            long t2 = System.nanoTime();
            kmatrix.apply(l, KMatrixLinears.LINEAR2, a.c, a.u, rows, a.stageIn, a.stageOut);          // u = linear2(c)
            long t3 = System.nanoTime();
            a.attendGraphs[l].run(a.attendIn[l], a.attendOut[l]);              // y
            long t4 = System.nanoTime();
            a.y.get(0, a.stageIn, 0, rows * d);
            kmatrix.feedForward(l, a.stageIn, a.hidden, a.stageOut, rows);      // g = fc2(relu(fc1(y)))
            a.g.put(0, a.stageOut, 0, rows * d);
            long t5 = System.nanoTime();
            ffnOut[l].run(a.ffnIn[l], a.ffnOut[l]);                            // x = ffn_norm(y + g)
            long t6 = System.nanoTime();
            kernels += (t1 - t0) + (t3 - t2) + (t5 - t4);
            graphs += (t2 - t1) + (t4 - t3) + (t6 - t5);
        }
        t0 = System.nanoTime();
        if (a.projection != null) {
            a.projection.run();
        } else if (state.float16Output) {
            float16Output.logProbs(a.x[config.decoderLayers() % 2], rows, state.logProbs);
        } else {
            output.run(a.outputIn, a.outputOut);
        }
        timings.outputProjection += System.nanoTime() - t0;
        timings.kmatrix += kernels;
        timings.decoderGraphs += graphs;
        timings.steps++;
    }

    /** The kernel layers of decoder layer l: linear1, linear2, fc1, fc2 (for tests and benchmarks). */
    public KMatrixLayer[] layers(int l) {
        return kmatrix.of(l);
    }

    @Override
    public void close() {
        if (act != null) {
            act.close();
        }
        super.close();
        graphs.forEach(OnnxGraph::close);
    }
}
