package io.kaleidoscope.loadtest.kernel;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A dense layer y = x·W + b written as a plain Java loop (row of x times W row by row, which
 * C2 auto-vectorises along the output): what a straightforward Java port would pay.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class JavaDenseBenchmark {
    @Param({"512x512", "512x1024", "1024x512"})
    public String shape;

    @Param({"1", "4", "16", "64"})
    public int batch;

    private int in;
    private int out;
    private float[] weight;   // [in][out]
    private float[] bias;
    private float[] x;
    private float[] y;

    @Setup
    public void setUp() {
        LayerCase c = LayerCase.parse(shape);
        in = c.in();
        out = c.out();
        var random = c.random();
        weight = LayerCase.uniform(in * out, random, 0.05f);
        bias = LayerCase.uniform(out, random, 0.1f);
        x = LayerCase.uniform(batch * in, random, 1f);
        y = new float[batch * out];
    }

    @Benchmark
    public float[] apply() {
        for (int r = 0; r < batch; r++) {
            int yRow = r * out;
            System.arraycopy(bias, 0, y, yRow, out);
            for (int k = 0; k < in; k++) {
                float xk = x[r * in + k];
                int wRow = k * out;
                for (int j = 0; j < out; j++) {
                    y[yRow + j] += xk * weight[wRow + j];
                }
            }
        }
        return y;
    }
}
