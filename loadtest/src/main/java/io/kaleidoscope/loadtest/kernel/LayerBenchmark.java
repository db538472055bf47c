package io.kaleidoscope.loadtest.kernel;

import org.openjdk.jmh.annotations.Param;

/**
 * What the layer benchmarks share: the layer shapes and batch sizes. The kernel report sets a
 * K-matrix layer against ONNX Runtime's and plain Java's dense layer of the same shape and batch,
 * so all three take their axes from here (JMH inherits the parameters).
 */
public abstract class LayerBenchmark extends KernelBenchmarkSettings {
    /** in × out features, as {@link LayerCase#parse} reads them. */
    @Param({"512x512", "512x1024", "1024x512"})
    public String shape;

    /** Rows per call. */
    @Param({"1", "4", "16", "64"})
    public int batch;
}
