package io.kaleidoscope.model;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import io.kaleidoscope.bundle.Bundle;
import io.kaleidoscope.onnx.DirectBuffers;
import io.kaleidoscope.onnx.OnnxGraph;
import io.kaleidoscope.onnx.OnnxWeights;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Map;

/**
 * The output projection restricted to a search's candidate tokens (its shortlist): log-softmax of
 * x · E_Sᵀ over the candidates S, where E_S are the candidates' rows of the (tied) output
 * embedding, gathered once per search. The results are scattered into the state's (R, V)
 * log-probs, whose other entries are −∞ for the whole search, so the searches run unchanged.
 *
 * <p>Why: at batch 1 the full projection reads all V × d floats every step, the largest single
 * cost of a K-matrix step (docs/engine.md); the candidates' rows are a small fraction of that.
 */
final class ShortlistOutput implements AutoCloseable {
    private final OnnxGraph graph;
    private final FloatBuffer embedding;
    private final int d;
    private final int vocab;

    ShortlistOutput(Bundle bundle, OnnxWeights weights, ModelConfig config) {
        this.graph = OnnxGraph.open(bundle, bundle.manifest().shortlist().outputGraph(), weights);
        this.embedding = bundle.weights().get(StateDecoder.EMBEDDING).data();
        this.d = config.dModel();
        this.vocab = config.vocabSize();
    }

    /** The projection for one search: gathers the candidates' embedding rows, sets the rest to −∞. */
    Binding bind(DecoderState state, OnnxTensor hidden) {
        return new Binding(state, hidden);
    }

    /** Per-search buffers and tensors; {@link #run} allocates nothing. */
    final class Binding implements AutoCloseable {
        private final int[] ids;
        private final int rows;
        private final FloatBuffer scores;
        private final FloatBuffer logProbs;
        private final OnnxTensor weightTensor;
        private final OnnxTensor scoresTensor;
        private final Map<String, OnnxTensor> inputs;
        private final Map<String, OnnxTensor> outputs;

        private Binding(DecoderState state, OnnxTensor hidden) {
            ids = state.vocabulary;
            rows = state.rows;
            int s = ids.length;
            FloatBuffer weight = DirectBuffers.floats((long) s * d);
            for (int j = 0; j < s; j++) {
                weight.put(j * d, embedding, ids[j] * d, d);
            }
            scores = DirectBuffers.floats((long) rows * s);
            logProbs = state.logProbs;
            float[] minusInfinity = new float[vocab];
            Arrays.fill(minusInfinity, Float.NEGATIVE_INFINITY);
            for (int r = 0; r < rows; r++) {
                logProbs.put(r * vocab, minusInfinity);
            }
            try {
                OrtEnvironment env = OrtEnvironment.getEnvironment();
                weightTensor = OnnxTensor.createTensor(env, weight, new long[] {s, d});
                scoresTensor = OnnxTensor.createTensor(env, scores, new long[] {rows, s});
            } catch (OrtException e) {
                throw new IllegalStateException("cannot create shortlist tensors", e);
            }
            inputs = Map.of("x", hidden, "weight", weightTensor);
            outputs = Map.of("log_probs", scoresTensor);
        }

        /** Projects the step's hidden state onto the candidates and scatters the log-probs. */
        void run() {
            graph.run(inputs, outputs);
            int s = ids.length;
            for (int r = 0; r < rows; r++) {
                int from = r * s;
                int to = r * vocab;
                for (int j = 0; j < s; j++) {
                    logProbs.put(to + ids[j], scores.get(from + j));
                }
            }
        }

        @Override
        public void close() {
            weightTensor.close();
            scoresTensor.close();
        }
    }

    @Override
    public void close() {
        graph.close();
    }
}
