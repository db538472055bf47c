package io.kaleidoscope.loadtest.kernel;

import io.kaleidoscope.kmatrix.KMatrixKernels;
import io.kaleidoscope.kmatrix.KMatrixShape;
import io.kaleidoscope.loadtest.Machine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * {@code ./kaleido bench kernel}: runs the kernel benchmarks in one JMH run and prints the table
 * the foundation issue asks for — per layer shape and batch: K-matrix time per call, its
 * GFLOP/s (2 flops per multiply-add, 4·n·log2 n multiply-adds per n-point product), that as a
 * share of the measured FMA peak, the dense layer in ONNX Runtime and in plain Java, the speed-up
 * over ONNX Runtime, and bytes allocated per call (JMH's GC profiler).
 *
 * <p>Every figure is JMH's average time per call on one thread; pin the JVM to one core
 * ({@code taskset -c 1}, as the launcher does) so the forks run where the figures claim.
 * Options: {@code --quick} (1 warm-up + 2 measurement iterations of 1 s; for a smoke run),
 * {@code --out DIR} (default {@code target/bench}), {@code --scalar} (adds the scalar kernel).
 */
public final class KernelBenchmarkReport {
    private static final String[] SHAPES = {"512x512", "512x1024", "1024x512"};
    private static final int[] BATCHES = {1, 4, 16, 64};

    private static final String USAGE = "usage: ./kaleido bench kernel [--quick] [--scalar] [--out DIR]";

    private KernelBenchmarkReport() {}

    public static void main(String[] args) throws RunnerException, IOException {
        boolean quick = false;
        boolean scalar = false;
        Path out = Path.of("target", "bench");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--scalar" -> scalar = true;
                case "--out" -> out = Path.of(args[++i]);
                case "-h", "--help" -> {
                    System.out.println(USAGE);
                    return;
                }
                default -> {
                    System.err.println(USAGE);
                    System.exit(2);
                }
            }
        }
        Files.createDirectories(out);
        Path json = out.resolve("kernel-bench.json");
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include(KMatrixBenchmark.class.getSimpleName())
                .include(OnnxDenseBenchmark.class.getSimpleName())
                .include(JavaDenseBenchmark.class.getSimpleName())
                .include(PeakFmaBenchmark.class.getSimpleName())
                .include(OutputProjectionBenchmark.class.getSimpleName())
                .param("kernel", scalar ? new String[] {"vector", "scalar"} : new String[] {"vector"})
                .addProfiler(GCProfiler.class)
                .resultFormat(ResultFormatType.JSON)
                .result(json.toString());
        if (quick) {
            options.warmupIterations(1).measurementIterations(2)
                    .warmupTime(TimeValue.seconds(1)).measurementTime(TimeValue.seconds(1));
        }
        Collection<RunResult> results = new Runner(options.build()).run();
        String table = render(results, quick);
        System.out.println();
        System.out.println(table);
        Files.writeString(out.resolve("kernel-bench.md"), table);
        System.out.println("Written: " + out.resolve("kernel-bench.md") + " and " + json);
    }

    /** Key of one measurement: benchmark class, kernel ("" for the baselines), shape, batch. */
    private record Key(String benchmark, String kernel, String shape, int batch) {}

    private record Measurement(double nanos, double error, double bytesPerCall) {}

    /** Key of one output-projection measurement: implementation, rows, cache state. */
    private record ProjectionKey(String projection, int rows, String cache) {}

    static String render(Collection<RunResult> results, boolean quick) {
        Map<Key, Measurement> m = new HashMap<>();
        Map<ProjectionKey, Measurement> projections = new HashMap<>();
        double peakNanos = Double.NaN;
        for (RunResult run : results) {
            var params = run.getParams();
            String name = params.getBenchmark();
            Result<?> primary = run.getPrimaryResult();
            Result<?> alloc = run.getSecondaryResults().get("gc.alloc.rate.norm");
            Measurement value = new Measurement(primary.getScore(), primary.getScoreError(),
                    alloc == null ? Double.NaN : alloc.getScore());
            if (name.endsWith("PeakFmaBenchmark.fmaChains")) {
                peakNanos = value.nanos();
                continue;
            }
            if (name.contains("OutputProjectionBenchmark")) {
                projections.put(new ProjectionKey(params.getParam("projection"), Integer.parseInt(params.getParam("rows")),
                        params.getParam("cache")), value);
                continue;
            }
            String benchmark = name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1, name.lastIndexOf('.'));
            String kernel = params.getParamsKeys().contains("kernel") ? params.getParam("kernel") : "";
            m.put(new Key(benchmark, kernel, params.getParam("shape"), Integer.parseInt(params.getParam("batch"))), value);
        }
        double peak = PeakFmaBenchmark.flopsPerCall() / peakNanos;   // flops per ns = GFLOP/s

        StringBuilder s = new StringBuilder();
        s.append("## K-matrix kernel benchmark\n\n");
        s.append("Machine: %s; kernel: %s%s.%n".formatted(Machine.describe(), KMatrixKernels.preferred().description(),
                quick ? "; QUICK run (few iterations)" : ""));
        s.append("Measured FMA peak of one core: %.1f GFLOP/s (%d-lane FloatVector, %d independent chains).%n%n"
                .formatted(peak, jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length(), PeakFmaBenchmark.CHAINS));
        s.append("Times are JMH averages per call on one pinned thread (± 99.9% CI half-width). GFLOP/s counts 2 flops per\n");
        s.append("multiply-add of the structured product (4·n·log2 n per n-point BB*); the dense layers do in·out per row.\n\n");
        s.append("| layer | batch | K-matrix µs | K-matrix GFLOP/s | % of peak | ONNX Runtime dense µs | Java dense µs | speed-up vs ORT | K-matrix B/call |\n");
        s.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        List<String> kernels = new ArrayList<>(List.of("vector"));
        if (m.keySet().stream().anyMatch(k -> k.kernel().equals("scalar"))) {
            kernels.add("scalar");
        }
        for (String kernel : kernels) {
            for (String shape : SHAPES) {
                LayerCase c = LayerCase.parse(shape);
                long flopsPerRow = 2 * KMatrixShape.of("report", c.in(), c.out()).multiplyAddsPerRow();
                for (int batch : BATCHES) {
                    Measurement k = m.get(new Key("KMatrixBenchmark", kernel, shape, batch));
                    Measurement ort = m.get(new Key("OnnxDenseBenchmark", "", shape, batch));
                    Measurement java = m.get(new Key("JavaDenseBenchmark", "", shape, batch));
                    if (k == null) {
                        continue;
                    }
                    double gflops = flopsPerRow * batch / k.nanos();
                    s.append("| %s%s | %d | %s | %.1f | %.0f%% | %s | %s | %s | %.0f |%n".formatted(
                            shape.replace("x", "→"), kernel.equals("vector") ? "" : " (scalar)", batch,
                            micros(k), gflops, 100 * gflops / peak, micros(ort), micros(java),
                            ort == null ? "–" : "%.1f×".formatted(ort.nanos() / k.nanos()), k.bytesPerCall()));
                }
            }
        }
        s.append('\n').append(targets(m, peak));
        s.append('\n').append(projections(projections));
        return s.toString();
    }

    /** The output projection table: ONNX Runtime float32 against the Java float16 kernel. */
    private static String projections(Map<ProjectionKey, Measurement> p) {
        if (p.isEmpty()) {
            return "";
        }
        StringBuilder s = new StringBuilder("""
                ### Output projection with log-softmax, 512 → 8,000 (docs/engine.md, "Output projection in float16")

                ONNX Runtime on float32 weights against the Java kernel on the same (float16) weights. Flushed: 64 MB
                read before each call, so the weights come from memory as in a decoder step; warm: repeated calls.

                | rows | ONNX Runtime µs, flushed | float16 µs, flushed | speed-up | ONNX Runtime µs, warm | float16 µs, warm | speed-up |
                |---:|---:|---:|---:|---:|---:|---:|
                """);
        p.keySet().stream().mapToInt(ProjectionKey::rows).distinct().sorted().forEach(rows -> {
            s.append("| %d".formatted(rows));
            for (String cache : new String[] {"flushed", "warm"}) {
                Measurement onnx = p.get(new ProjectionKey("onnx", rows, cache));
                Measurement half = p.get(new ProjectionKey("float16", rows, cache));
                s.append(" | %s | %s | %s".formatted(micros(onnx), micros(half),
                        onnx == null || half == null ? "–" : "%.2f×".formatted(onnx.nanos() / half.nanos())));
            }
            s.append(" |\n");
        });
        return s.toString();
    }

    /** The foundation issue's targets, each with the measured value. */
    private static String targets(Map<Key, Measurement> m, double peak) {
        StringBuilder s = new StringBuilder("Targets (512→512):\n");
        Measurement k1 = m.get(new Key("KMatrixBenchmark", "vector", "512x512", 1));
        Measurement o1 = m.get(new Key("OnnxDenseBenchmark", "", "512x512", 1));
        Measurement k16 = m.get(new Key("KMatrixBenchmark", "vector", "512x512", 16));
        Measurement o16 = m.get(new Key("OnnxDenseBenchmark", "", "512x512", 16));
        if (k1 != null && o1 != null) {
            double x = o1.nanos() / k1.nanos();
            s.append("- batch 1: %.1f× faster than ONNX Runtime dense (target ≥ 8×): %s%n".formatted(x, x >= 8 ? "met" : "NOT met"));
        }
        if (k16 != null && o16 != null) {
            double x = o16.nanos() / k16.nanos();
            s.append("- batch 16: %.1f× faster than ONNX Runtime dense (target ≥ 5×): %s%n".formatted(x, x >= 5 ? "met" : "NOT met"));
        }
        for (String shape : SHAPES) {
            LayerCase c = LayerCase.parse(shape);
            long flopsPerRow = 2 * KMatrixShape.of("report", c.in(), c.out()).multiplyAddsPerRow();
            for (int batch : new int[] {16, 64}) {
                Measurement k = m.get(new Key("KMatrixBenchmark", "vector", shape, batch));
                if (k != null) {
                    double share = flopsPerRow * batch / k.nanos() / peak;
                    s.append("- %s batch %d: %.0f%% of the measured peak (target ≥ 30%%): %s%n"
                            .formatted(shape.replace("x", "→"), batch, 100 * share, share >= 0.30 ? "met" : "NOT met"));
                }
            }
        }
        return s.toString();
    }

    private static String micros(Measurement m) {
        if (m == null) {
            return "–";
        }
        if (Double.isNaN(m.error())) {
            return String.format(Locale.ROOT, "%.2f", m.nanos() / 1000);
        }
        return String.format(Locale.ROOT, "%.2f ± %.2f", m.nanos() / 1000, m.error() / 1000);
    }
}
