package io.kaleidoscope.loadtest.kernel;

import io.kaleidoscope.kmatrix.KMatrixKernel;
import io.kaleidoscope.kmatrix.KMatrixKernels;
import io.kaleidoscope.kmatrix.KMatrixLayer;
import io.kaleidoscope.kmatrix.KMatrixShape;
import io.kaleidoscope.kmatrix.KMatrixWeights;
import io.kaleidoscope.kmatrix.KMatrixWorkspace;
import java.util.Random;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * One K-matrix layer call (y = K·x + bias) on a batch of rows: the time the decoder pays per
 * K-matrix layer per step. Weights are random rotations/reflections as at initialisation; the
 * values do not change the work done.
 */
public class KMatrixBenchmark extends LayerBenchmark {
    /** "vector" or "scalar". */
    @Param({"vector"})
    public String kernel;

    private KMatrixLayer layer;
    private KMatrixWorkspace workspace;
    private float[] x;
    private float[] y;

    @Setup
    public void setUp() {
        LayerCase c = LayerCase.parse(shape);
        KMatrixShape s = KMatrixShape.of("bench", c.in(), c.out());
        Random random = c.random();
        float[] twiddles = new float[s.twiddleCount()];
        for (int b = 0; b < twiddles.length; b += 4) {
            double angle = random.nextDouble() * 2 * Math.PI;
            twiddles[b] = (float) Math.cos(angle);
            twiddles[b + 1] = (float) -Math.sin(angle);
            twiddles[b + 2] = (float) Math.sin(angle);
            twiddles[b + 3] = (float) Math.cos(angle);
        }
        KMatrixKernel k = switch (kernel) {
            case "vector" -> KMatrixKernels.vector();
            case "scalar" -> KMatrixKernels.scalar();
            default -> throw new IllegalArgumentException("kernel must be vector or scalar: " + kernel);
        };
        layer = KMatrixLayer.create(KMatrixWeights.fromCanonical(s, twiddles, LayerCase.uniform(c.out(), random, 0.1f)), k);
        workspace = k.newWorkspace(s.n());
        x = LayerCase.uniform(batch * c.in(), random, 1f);
        y = new float[batch * c.out()];
    }

    @Benchmark
    public float[] apply() {
        layer.apply(x, y, batch, workspace);
        return y;
    }
}
