package io.kaleidoscope.loadtest.kernel;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.kaleidoscope.onnx.DirectBuffers;
import io.kaleidoscope.onnx.OnnxGraph;
import java.nio.FloatBuffer;
import java.util.Map;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The dense baseline: the same layer shape as MatMul + Add run by ONNX Runtime on one thread
 * (intra-op 1, inter-op 1, sequential, no spinning), the way the engine runs the dense model.
 * Input and output tensors wrap direct, native-order buffers created once (zero-copy), and the
 * output is pinned, so the figure is ONNX Runtime's compute plus its fixed per-call cost.
 */
public class OnnxDenseBenchmark extends LayerBenchmark {
    private OrtSession session;
    private OnnxTensor input;
    private OnnxTensor output;
    private Map<String, OnnxTensor> inputs;
    private Map<String, OnnxTensor> outputs;

    @Setup
    public void setUp() throws OrtException {
        LayerCase c = LayerCase.parse(shape);
        var random = c.random();
        float[] weight = LayerCase.uniform(c.in() * c.out(), random, 0.05f);
        float[] bias = LayerCase.uniform(c.out(), random, 0.1f);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        // The engine's own session settings (DESIGN.md §5): one thread, sequential, no spinning.
        session = env.createSession(DenseOnnxModel.build(c.in(), c.out(), weight, bias), OnnxGraph.engineOptions());
        FloatBuffer x = DirectBuffers.floats((long) batch * c.in());
        x.put(LayerCase.uniform(batch * c.in(), random, 1f)).rewind();
        input = OnnxTensor.createTensor(env, x, new long[] {batch, c.in()});
        output = OnnxTensor.createTensor(env, DirectBuffers.floats((long) batch * c.out()), new long[] {batch, c.out()});
        inputs = Map.of("X", input);
        outputs = Map.of("Y", output);
    }

    @Benchmark
    public OnnxTensor apply() throws OrtException {
        try (OrtSession.Result ignored = session.run(inputs, outputs)) {
            return output;
        }
    }

    @TearDown
    public void tearDown() throws OrtException {
        input.close();
        output.close();
        session.close();
    }
}
