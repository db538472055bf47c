package io.kaleidoscope.loadtest.kernel;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.kaleidoscope.bundle.WeightStore;
import io.kaleidoscope.model.HalfPrecisionProjection;
import io.kaleidoscope.onnx.DirectBuffers;
import io.kaleidoscope.onnx.OnnxGraph;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.Random;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The base model's output projection with log-softmax (512 → 8,000) for a given number of rows:
 * ONNX Runtime on float32 weights (the engine's {@code decoder_output} graph) against the Java
 * kernel on the same weights in float16 ({@link HalfPrecisionProjection}). The weights are
 * float16 values, as in a bundle, so both compute the same products.
 *
 * <p>{@code cache=flushed} reads 64 MB before every call, so the weights come from memory, as in
 * a decoder step where the layers in between evict them; {@code warm} repeats the call.
 */
@Warmup(iterations = 3, time = 1)       // fewer than the other kernel benchmarks: 20 configurations
@Measurement(iterations = 4, time = 1)
public class OutputProjectionBenchmark extends KernelBenchmarkSettings {
    static final int D_MODEL = 512;
    static final int VOCAB = 8000;

    @Param({"onnx", "float16"})
    public String projection;

    @Param({"1", "4", "8", "16", "32"})
    public int rows;

    @Param({"flushed", "warm"})
    public String cache;

    private OrtSession session;
    private OnnxTensor input;
    private OnnxTensor output;
    private Map<String, OnnxTensor> inputs;
    private Map<String, OnnxTensor> outputs;
    private HalfPrecisionProjection half;
    private FloatBuffer hidden;
    private FloatBuffer logProbs;
    private long[] evict;
    private long evictSum;

    @Setup
    public void setUp() throws OrtException {
        Random random = new Random(8000);
        float[] embedding = new float[VOCAB * D_MODEL];   // [V][d], as stored in a bundle
        for (int i = 0; i < embedding.length; i++) {
            embedding[i] = Float.float16ToFloat(Float.floatToFloat16((float) random.nextGaussian() * 0.05f));
        }
        hidden = DirectBuffers.floats((long) rows * D_MODEL);
        hidden.put(LayerCase.uniform(rows * D_MODEL, random, 1f)).rewind();
        logProbs = DirectBuffers.floats((long) rows * VOCAB);
        if (projection.equals("onnx")) {
            float[] transposed = new float[D_MODEL * VOCAB];
            for (int v = 0; v < VOCAB; v++) {
                for (int i = 0; i < D_MODEL; i++) {
                    transposed[i * VOCAB + v] = embedding[v * D_MODEL + i];
                }
            }
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            session = env.createSession(DenseOnnxModel.buildProjection(D_MODEL, VOCAB, transposed), OnnxGraph.engineOptions());
            input = OnnxTensor.createTensor(env, hidden, new long[] {rows, D_MODEL});
            output = OnnxTensor.createTensor(env, logProbs, new long[] {rows, VOCAB});
            inputs = Map.of("X", input);
            outputs = Map.of("Y", output);
        } else {
            FloatBuffer weights = DirectBuffers.floats(embedding.length);
            weights.put(embedding).rewind();
            half = HalfPrecisionProjection.of(new WeightStore.Tensor(new long[] {VOCAB, D_MODEL}, weights));
        }
        evict = new long[cache.equals("flushed") ? 8 << 20 : 0];
    }

    /** Pushes the weights out of the caches (64 MB, twice the last-level cache of these machines). */
    @Setup(Level.Invocation)
    public void evictCaches() {
        long sum = 0;
        for (int i = 0; i < evict.length; i += 8) {   // one read per 64-byte line
            sum += evict[i];
        }
        evictSum += sum;
    }

    @Benchmark
    public FloatBuffer project() throws OrtException {
        if (half != null) {
            half.logProbs(hidden, rows, logProbs);
        } else {
            try (OrtSession.Result ignored = session.run(inputs, outputs)) {
                // pinned output
            }
        }
        return logProbs;
    }

    @TearDown
    public void tearDown() throws OrtException {
        if (session != null) {
            input.close();
            output.close();
            session.close();
        }
    }
}
