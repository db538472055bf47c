package io.kaleidoscope.model;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import io.kaleidoscope.bundle.Bundle;
import io.kaleidoscope.kmatrix.KMatrixKernel;
import io.kaleidoscope.onnx.DirectBuffers;
import io.kaleidoscope.onnx.OnnxGraph;
import io.kaleidoscope.onnx.OnnxWeights;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Runs the encoder once per batch of sentences: token ids (each ending in eos) padded on the right
 * to the longest, into an {@link EncodedBatch}. Outputs are written by ONNX Runtime straight into
 * the batch's direct buffers (pinned outputs). The encoder is {@code encoder.onnx}, or in a
 * {@code kmatrix-encoder} bundle its pieces around the K-matrix kernel ({@link KMatrixEncoderPieces}).
 * Not thread-safe: the engine thread's.
 */
public final class Encoder implements AutoCloseable {
    private final ModelConfig config;
    /** The one-graph encoder, or null when the pieces run. */
    private final OnnxGraph graph;
    private final KMatrixEncoderPieces pieces;
    private final EngineTimings timings;

    /**
     * @param precision which of the bundle's encoder graphs runs ({@link Precision#graph});
     *                  a bundle without {@code encoder_int8} is refused for INT8
     * @param kernel    the K-matrix kernel, for a bundle whose encoder has K-matrix linears
     * @throws IllegalArgumentException for INT8 with a bundle whose encoder has K-matrix linears
     */
    public Encoder(Bundle bundle, OnnxWeights weights, ModelConfig config, EngineTimings timings, Precision precision,
                   KMatrixKernel kernel) {
        this.config = config;
        this.timings = timings;
        if (bundle.manifest().hasKMatrixEncoder()) {
            if (precision != Precision.FLOAT32) {
                throw new IllegalArgumentException("bundle " + bundle.directory() + " has K-matrix encoder linears: its"
                        + " encoder runs in float32 around the kernel, there is no " + precision.name().toLowerCase(Locale.ROOT)
                        + " encoder");
            }
            this.graph = null;
            this.pieces = new KMatrixEncoderPieces(bundle, weights, config, kernel);
        } else {
            this.graph = OnnxGraph.open(bundle, Precision.graphOf(bundle, "encoder", precision, "encoder"), weights);
            this.pieces = null;
        }
    }

    /**
     * Sentences encoded per graph call at most. Measured on the base architecture: 32 sentences
     * in one padded call took 2.4× as long as 32 single calls, four calls of 8 (sorted by length)
     * 0.9× — a large padded batch costs more in padding and cache misses than the calls save.
     * Again after the band-matrix convolution (docs/engine.md), 96 test sentences × 2 at batch 32:
     * 4.1–4.2 ms of encoder time per sentence in calls of 4, 4.1–4.6 of 8, 4.9–5.0 of 16 and
     * 6.9–7.0 of 32, about what single calls cost.
     */
    public static final int ENCODER_BUCKET = 8;

    /**
     * Encodes the sentences in calls of at most {@link #ENCODER_BUCKET} consecutive sentences
     * (callers pass them sorted by length) and joins the results, padded to the longest.
     */
    public EncodedBatch encode(int[][] sources) {
        if (sources.length <= ENCODER_BUCKET) {
            return encodeOnce(sources);
        }
        java.util.List<EncodedBatch> parts = new java.util.ArrayList<>();
        for (int start = 0; start < sources.length; start += ENCODER_BUCKET) {
            parts.add(encodeOnce(java.util.Arrays.copyOfRange(sources, start, Math.min(sources.length, start + ENCODER_BUCKET))));
        }
        return EncodedBatch.concat(parts, config);
    }

    private EncodedBatch encodeOnce(int[][] sources) {
        int b = sources.length;
        int s = 0;
        for (int[] ids : sources) {
            s = Math.max(s, ids.length);
        }
        LongBuffer tokens = DirectBuffers.longs((long) b * s);
        for (int r = 0; r < b; r++) {
            for (int i = 0; i < s; i++) {
                tokens.put(r * s + i, i < sources[r].length ? sources[r][i] : config.pad());
            }
        }
        if (pieces != null) {
            long start = System.nanoTime();
            EncodedBatch encoded = pieces.encode(tokens, b, s);
            timings.addEncoder(System.nanoTime() - start);
            return encoded;
        }
        int d = config.dModel();
        int layers = config.decoderLayers();
        FloatBuffer encoderOut = DirectBuffers.floats((long) b * s * d);
        FloatBuffer encBias = DirectBuffers.floats((long) b * s);
        FloatBuffer[] keys = new FloatBuffer[layers];
        FloatBuffer[] values = new FloatBuffer[layers];
        long[] kvShape = {b, config.heads(), s, config.headDim()};
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Map<String, OnnxTensor> outputs = new HashMap<>();
        try (OnnxTensor input = OnnxTensor.createTensor(env, tokens, new long[] {b, s})) {
            outputs.put("encoder_out", OnnxTensor.createTensor(env, encoderOut, new long[] {b, s, d}));
            outputs.put("enc_bias", OnnxTensor.createTensor(env, encBias, new long[] {b, s}));
            for (int l = 0; l < layers; l++) {
                keys[l] = DirectBuffers.floats((long) b * config.heads() * s * config.headDim());
                values[l] = DirectBuffers.floats((long) b * config.heads() * s * config.headDim());
                outputs.put("enc_keys_" + l, OnnxTensor.createTensor(env, keys[l], kvShape));
                outputs.put("enc_values_" + l, OnnxTensor.createTensor(env, values[l], kvShape));
            }
            long start = System.nanoTime();
            graph.run(Map.of("src_tokens", input), outputs);
            timings.addEncoder(System.nanoTime() - start);
        } catch (OrtException e) {
            throw new IllegalStateException("cannot create encoder tensors", e);
        } finally {
            outputs.values().forEach(OnnxTensor::close);
        }
        return new EncodedBatch(b, s, encoderOut, encBias, keys, values);
    }

    @Override
    public void close() {
        if (graph != null) {
            graph.close();
        }
        if (pieces != null) {
            pieces.close();
        }
    }
}
