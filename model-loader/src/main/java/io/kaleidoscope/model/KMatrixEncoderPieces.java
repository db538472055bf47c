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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The encoder of a {@code kmatrix-encoder} bundle (docs/bundle-format.md §13), whose encoder
 * linears are K-matrices too: ONNX Runtime runs the pieces between them, the Java kernel runs each
 * layer's linear1, linear2, fc1 and fc2 over all B·S positions of a bucket (padding included: the
 * conv piece reads padded positions as zeros, as the one-graph encoder does), and the ReLU is
 * applied here.
 *
 * <pre>
 *   x, enc_bias = encoder_embed(src_tokens)
 *   for each layer l:
 *       h = linear1(x); c = encoder_layer{l}_conv(h, enc_bias); u = linear2(c)
 *       y = encoder_layer{l}_conv_out(x, u); g = fc2(relu(fc1(y))); x = encoder_layer{l}_ffn_out(y, g)
 *   enc_keys_l, enc_values_l = encoder_kv(x)        (the last x is encoder_out)
 * </pre>
 * Buffers and tensors are made per call: the encoder runs once per bucket of sentences, not per
 * step. Not thread-safe: the engine thread's.
 */
final class KMatrixEncoderPieces implements AutoCloseable {
    private final ModelConfig config;
    private final OnnxGraph embed;
    private final OnnxGraph[] conv;
    private final OnnxGraph[] convOut;
    private final OnnxGraph[] ffnOut;
    private final OnnxGraph keysValues;
    private final KMatrixLinears kmatrix;
    private final List<OnnxGraph> graphs = new ArrayList<>();

    KMatrixEncoderPieces(Bundle bundle, OnnxWeights weights, ModelConfig config, KMatrixKernel kernel) {
        this.config = config;
        int layers = bundle.manifest().architecture().encoderLayers();
        kmatrix = new KMatrixLinears(bundle, kernel, "encoder", layers);   // first: a bad entry opens no session
        embed = open(bundle, "encoder_embed", weights);
        conv = new OnnxGraph[layers];
        convOut = new OnnxGraph[layers];
        ffnOut = new OnnxGraph[layers];
        for (int l = 0; l < layers; l++) {
            conv[l] = open(bundle, "encoder_layer" + l + "_conv", weights);
            convOut[l] = open(bundle, "encoder_layer" + l + "_conv_out", weights);
            ffnOut[l] = open(bundle, "encoder_layer" + l + "_ffn_out", weights);
        }
        keysValues = open(bundle, "encoder_kv", weights);
    }

    private OnnxGraph open(Bundle bundle, String name, OnnxWeights weights) {
        OnnxGraph graph = OnnxGraph.open(bundle, name, weights);
        graphs.add(graph);
        return graph;
    }

    /** Encodes {@code b} sentences, their ids (each ending in eos) in {@code tokens}, (b, s), padded on the right. */
    EncodedBatch encode(LongBuffer tokens, int b, int s) {
        int rows = b * s;
        int d = config.dModel();
        int f = config.ffnDim();
        FloatBuffer[] x = {DirectBuffers.floats((long) rows * d), DirectBuffers.floats((long) rows * d)};
        FloatBuffer h = DirectBuffers.floats((long) rows * d);
        FloatBuffer c = DirectBuffers.floats((long) rows * d);
        FloatBuffer u = DirectBuffers.floats((long) rows * d);
        FloatBuffer y = DirectBuffers.floats((long) rows * d);
        FloatBuffer g = DirectBuffers.floats((long) rows * d);
        FloatBuffer encBias = DirectBuffers.floats(rows);
        int decoderLayers = config.decoderLayers();
        FloatBuffer[] keys = new FloatBuffer[decoderLayers];
        FloatBuffer[] values = new FloatBuffer[decoderLayers];
        float[] stageIn = new float[rows * Math.max(d, f)];
        float[] stageOut = new float[rows * Math.max(d, f)];
        float[] hidden = new float[rows * f];
        List<OnnxTensor> owned = new ArrayList<>();
        try {
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            long[] positions = {b, s, d};
            OnnxTensor[] xT = new OnnxTensor[2];
            for (int i = 0; i < 2; i++) {
                xT[i] = own(owned, OnnxTensor.createTensor(env, x[i], positions));
            }
            OnnxTensor hT = own(owned, OnnxTensor.createTensor(env, h, positions));
            OnnxTensor cT = own(owned, OnnxTensor.createTensor(env, c, positions));
            OnnxTensor uT = own(owned, OnnxTensor.createTensor(env, u, positions));
            OnnxTensor yT = own(owned, OnnxTensor.createTensor(env, y, positions));
            OnnxTensor gT = own(owned, OnnxTensor.createTensor(env, g, positions));
            OnnxTensor biasT = own(owned, OnnxTensor.createTensor(env, encBias, new long[] {b, s}));
            OnnxTensor tokensT = own(owned, OnnxTensor.createTensor(env, tokens, new long[] {b, s}));
            Map<String, OnnxTensor> kvOut = new HashMap<>();
            long[] kvShape = {b, config.heads(), s, config.headDim()};
            for (int l = 0; l < decoderLayers; l++) {
                keys[l] = DirectBuffers.floats((long) rows * d);
                values[l] = DirectBuffers.floats((long) rows * d);
                kvOut.put("enc_keys_" + l, own(owned, OnnxTensor.createTensor(env, keys[l], kvShape)));
                kvOut.put("enc_values_" + l, own(owned, OnnxTensor.createTensor(env, values[l], kvShape)));
            }

            embed.run(Map.of("src_tokens", tokensT), Map.of("x", xT[0], "enc_bias", biasT));
            int in = 0;   // x[in] is the layer's input, x[1 − in] receives its output
            for (int l = 0; l < conv.length; l++) {
                kmatrix.apply(l, KMatrixLinears.LINEAR1, x[in], h, rows, stageIn, stageOut);
                conv[l].run(Map.of("h", hT, "enc_bias", biasT), Map.of("c", cT));
                kmatrix.apply(l, KMatrixLinears.LINEAR2, c, u, rows, stageIn, stageOut);
                convOut[l].run(Map.of("x", xT[in], "u", uT), Map.of("y", yT));
                y.get(0, stageIn, 0, rows * d);
                kmatrix.feedForward(l, stageIn, hidden, stageOut, rows);
                g.put(0, stageOut, 0, rows * d);
                ffnOut[l].run(Map.of("y", yT, "g", gT), Map.of("x_out", xT[1 - in]));
                in = 1 - in;
            }
            keysValues.run(Map.of("encoder_out", xT[in]), kvOut);
            return new EncodedBatch(b, s, x[in], encBias, keys, values);
        } catch (OrtException e) {
            throw new IllegalStateException("cannot create encoder tensors", e);
        } finally {
            owned.forEach(OnnxTensor::close);
        }
    }

    private static OnnxTensor own(List<OnnxTensor> owned, OnnxTensor tensor) {
        owned.add(tensor);
        return tensor;
    }

    @Override
    public void close() {
        graphs.forEach(OnnxGraph::close);
    }
}
