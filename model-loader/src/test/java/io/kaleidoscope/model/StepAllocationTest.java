package io.kaleidoscope.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaleidoscope.TestBundles;
import io.kaleidoscope.Translator;
import io.kaleidoscope.kmatrix.KMatrixKernels;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A decoder step allocates nothing of its own in steady state: tensors, buffers and graph
 * bindings are built once per search. What remains is ONNX Runtime Java's own bookkeeping per
 * {@code session.run} (its result object and JNI argument arrays, a few hundred bytes per graph
 * call); the bound below allows that and nothing proportional to the data (one row of
 * log-probs alone would be vocab × 4 bytes).
 */
class StepAllocationTest {

    /** Both models, with and without the shortlist, on both attention paths. */
    static Stream<Arguments> bundles() {
        return Stream.of(TestBundles.TINY_DENSE, TestBundles.TINY_KMATRIX).flatMap(bundle -> Stream.of(false, true)
                .flatMap(shortlisted -> Stream.of(AbsorbedAttention.Path.STANDARD, AbsorbedAttention.Path.ABSORBED)
                        .map(path -> Arguments.of(bundle, shortlisted, path))));
    }

    @ParameterizedTest(name = "{0}, shortlist {1}, {2}")
    @MethodSource("bundles")
    void stepsAllocateOnlyOnnxRuntimeBookkeeping(Path bundle, boolean shortlisted, AbsorbedAttention.Path path) {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (Translator t = Translator.load(bundle, KMatrixKernels.preferred(), Translator.DEFAULT_MAX_BATCH, path)) {
            ModelConfig config = t.config();
            int[] source = t.tokenizer().sourceIds("Die Datei wurde nicht gefunden.");
            int rows = 4;
            int[][] sources = {source, source, source, source};
            EncodedBatch encoded = t.encoder().encode(sources);
            int[] vocabulary = shortlisted ? t.shortlist().candidates(sources) : null;
            try (DecoderState state = t.decoder().newState(encoded, vocabulary)) {
                assertEquals(path == AbsorbedAttention.Path.ABSORBED, state.absorbedAttention());
                int[] tokens = new int[rows];
                java.util.Arrays.fill(tokens, config.bos());
                int graphCalls = t.decoder() instanceof KMatrixDecoder ? 2 + 3 * config.decoderLayers() : shortlisted ? 2 : 1;
                long bound = 1024L * graphCalls;
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
                        shortlisted, path, best, graphCalls);
                assertTrue(best < bound, "%d bytes per step, bound %d (%d graph calls)".formatted(best, bound, graphCalls));
            }
        }
    }
}
