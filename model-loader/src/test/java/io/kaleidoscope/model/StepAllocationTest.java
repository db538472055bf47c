package io.kaleidoscope.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaleidoscope.TestBundles;
import io.kaleidoscope.Translator;
import io.kaleidoscope.kmatrix.KMatrixKernels;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A decoder step allocates nothing of its own in steady state: tensors, buffers and graph
 * bindings are built once per search. What remains is ONNX Runtime Java's own bookkeeping per
 * {@code session.run} (its result object and JNI argument arrays, about 500–1,000 bytes per graph
 * call, growing with the graph's inputs: the dense absorbed step has 4 + 4·layers); the bound
 * below allows that and nothing proportional to the data (one row of log-probs alone would be
 * vocab × 4 bytes).
 */
class StepAllocationTest {

    /**
     * Both models: with the shortlist, or with each full-vocabulary output projection, or with the
     * int8 encoder and decoder; each on both attention paths.
     */
    static Stream<Arguments> bundles() {
        return Stream.of(TestBundles.TINY_DENSE, TestBundles.TINY_KMATRIX).flatMap(bundle -> Stream.of(
                        new Object[] {true, OutputProjection.ONNX, Precision.FLOAT32},
                        new Object[] {false, OutputProjection.ONNX, Precision.FLOAT32},
                        new Object[] {false, OutputProjection.FLOAT16, Precision.FLOAT32},
                        new Object[] {false, OutputProjection.AUTO, Precision.INT8})
                .flatMap(variant -> Stream.of(AbsorbedAttention.Path.STANDARD, AbsorbedAttention.Path.ABSORBED)
                        .map(path -> Arguments.of(bundle, variant[0], new EnginePaths(path, (OutputProjection) variant[1],
                                (Precision) variant[2], (Precision) variant[2])))));
    }

    @ParameterizedTest(name = "{0}, shortlist {1}, {2}")
    @MethodSource("bundles")
    void stepsAllocateOnlyOnnxRuntimeBookkeeping(Path fixture, boolean shortlisted, EnginePaths paths, @TempDir Path dir)
            throws Exception {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        // The float16 projection needs a float16-exact embedding; the fixtures are float32.
        Path bundle = paths.output() == OutputProjection.FLOAT16
                ? TestBundles.withFloat16Embedding(fixture, dir.resolve(fixture.getFileName())) : fixture;
        try (Translator t = Translator.load(bundle, KMatrixKernels.preferred(), Translator.DEFAULT_MAX_BATCH, paths)) {
            ModelConfig config = t.config();
            int[] source = t.tokenizer().sourceIds("Die Datei wurde nicht gefunden.");
            int rows = 4;
            int[][] sources = {source, source, source, source};
            EncodedBatch encoded = t.encoder().encode(sources);
            int[] vocabulary = shortlisted ? t.shortlist().candidates(sources) : null;
            try (DecoderState state = t.decoder().newState(encoded, vocabulary)) {
                assertEquals(paths.attention() == AbsorbedAttention.Path.ABSORBED, state.absorbedAttention());
                assertEquals(!shortlisted && paths.output() == OutputProjection.FLOAT16, state.float16Output());
                int[] tokens = new int[rows];
                java.util.Arrays.fill(tokens, config.bos());
                boolean separateProjection = shortlisted || state.float16Output();
                int projectionCalls = state.float16Output() ? 0 : 1;
                int graphCalls = t.decoder() instanceof KMatrixDecoder ? 1 + 3 * config.decoderLayers() + projectionCalls
                        : separateProjection ? 1 + projectionCalls : 1;
                long bound = 1536L * graphCalls;
                // Steady state: measured in rounds of 100 steps until C2 has compiled the step path
                // (before that the Vector API boxes every vector); the best round must be under the bound.
                long best = Long.MAX_VALUE;
                for (int round = 0; round < 60 && best >= bound; round++) {
                    long before = threads.getCurrentThreadAllocatedBytes();
                    for (int step = 0; step < 100; step++) {
                        state.setInputs(tokens, step % 8);
                        t.decoder().step(state);
                    }
                    best = Math.min(best, (threads.getCurrentThreadAllocatedBytes() - before) / 100);
                }
                System.out.printf("%s, shortlist %b, %s: %d bytes allocated per step (%d graph calls)%n", bundle.getFileName(),
                        shortlisted, paths, best, graphCalls);
                assertTrue(best < bound, "%d bytes per step, bound %d (%d graph calls)".formatted(best, bound, graphCalls));
            }
        }
    }
}
