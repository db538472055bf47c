package io.kaleidoscope.loadtest.kernel;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the layer benchmarks share: the layer shapes and batch sizes, and JMH's settings. The
 * kernel report sets a K-matrix layer against ONNX Runtime's and plain Java's dense layer of the
 * same shape and batch, so all three take their axes from here (JMH inherits the annotations
 * and parameters).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public abstract class LayerBenchmark {
    /** in × out features, as {@link LayerCase#parse} reads them. */
    @Param({"512x512", "512x1024", "1024x512"})
    public String shape;

    /** Rows per call. */
    @Param({"1", "4", "16", "64"})
    public int batch;
}
