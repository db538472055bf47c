package io.kaleidoscope;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kaleidoscope.golden.GoldenData;
import io.kaleidoscope.kmatrix.KMatrixKernels;
import io.kaleidoscope.kmatrix.KMatrixLayer;
import io.kaleidoscope.model.AbsorbedAttention;
import io.kaleidoscope.model.DecoderState;
import io.kaleidoscope.model.EncodedBatch;
import io.kaleidoscope.model.EnginePaths;
import io.kaleidoscope.model.KMatrixDecoder;
import io.kaleidoscope.model.OutputProjection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Java engine against the PyTorch reference outputs shipped in each bundle: token ids equal;
 * encoder output and first-step log-probs within 1e-4; the K-matrix layers' inputs and outputs
 * at the first step within 1e-4; greedy and beam-4 outputs token for token equal.
 *
 * <p>Runs on the tiny fixtures (always present: the test fails without them) and on the small
 * (CPU-trained, float16) and base bundles when they are in models/; the decoding tests once per forced combination of the
 * encoder-decoder attention path (standard, absorbed) and the output projection (ONNX Runtime,
 * float16 in Java).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GoldenParityTest {
    private static final double TOLERANCE = 1e-4;
    private final List<Translator> open = new ArrayList<>();

    static Stream<Path> bundles() {
        List<Path> paths = new ArrayList<>(List.of(TestBundles.TINY_DENSE, TestBundles.TINY_KMATRIX,
                TestBundles.TINY_KMATRIX_ENCODER));
        for (String trained : new String[] {"small-dense", "small-kmatrix", "de-en-dense", "de-en-kmatrix", "de-en-kmatrix-encoder"}) {
            Path p = TestBundles.MODELS.resolve(trained);
            if (Files.isDirectory(p)) {
                paths.add(p);
            }
        }
        return paths.stream();
    }

    /**
     * Every bundle with each forced combination of attention path and output projection; the
     * float16 projection only for bundles stored in float16 (the small and base ones: the tiny fixtures are
     * float32, so Float16OutputTest compares the two projections on float16-rounded copies).
     */
    static Stream<Arguments> bundlesAndPaths() {
        return bundles().flatMap(b -> Stream.of(AbsorbedAttention.Path.STANDARD, AbsorbedAttention.Path.ABSORBED)
                .flatMap(attention -> (storedInFloat16(b) ? Stream.of(OutputProjection.ONNX, OutputProjection.FLOAT16)
                        : Stream.of(OutputProjection.ONNX))
                        .map(output -> Arguments.of(b, new EnginePaths(attention, output)))));
    }

    private static boolean storedInFloat16(Path bundle) {
        try {
            return new ObjectMapper().readTree(bundle.resolve("manifest.json").toFile())
                    .get("weights").get("dtype").asText().equals("float16");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Translator translator(Path bundle) {
        return translator(bundle, new EnginePaths(AbsorbedAttention.Path.STANDARD, OutputProjection.ONNX));
    }

    private Translator translator(Path bundle, EnginePaths paths) {
        Translator t = Translator.load(bundle, KMatrixKernels.preferred(), Translator.DEFAULT_MAX_BATCH, paths);
        open.add(t);
        return t;
    }

    @AfterAll
    void closeAll() {
        open.forEach(Translator::close);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bundles")
    void tokenIdsMatchTheTrainingTokenizer(Path bundle) {
        Translator t = translator(bundle);
        for (GoldenData.Sentence s : GoldenData.of(t.bundle()).sentences()) {
            assertArrayEquals(s.srcIds(), t.tokenizer().sourceIds(s.source()), "source ids of '" + s.source() + "'");
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("bundlesAndPaths")
    void encoderOutputAndFirstStepMatch(Path bundle, EnginePaths paths) {
        Translator t = translator(bundle, paths);
        GoldenData golden = GoldenData.of(t.bundle());
        for (GoldenData.Sentence s : golden.sentences()) {
            String p = "sentence" + s.index() + ".";
            EncodedBatch encoded = t.encoder().encode(new int[][] {s.srcIds()});
            assertClose(golden.floats(p + "encoder_out"), floats(encoded.encoderOut()), "encoder_out of " + s.index());
            try (DecoderState state = t.decoder().newState(encoded)) {
                assertEquals(paths.attention() == AbsorbedAttention.Path.ABSORBED, state.absorbedAttention(),
                        "the search's attention path");
                assertEquals(paths.output() == OutputProjection.FLOAT16, state.float16Output(), "the search's output projection");
                state.setInputs(new int[] {t.config().bos()}, 0);
                t.decoder().step(state);
                assertClose(golden.floats(p + "step0.log_probs"), floats(state.logProbs()), "step 0 log-probs of " + s.index());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bundles")
    void kmatrixLayersMatchAtTheFirstStep(Path bundle) {
        Translator t = translator(bundle);
        if (!(t.decoder() instanceof KMatrixDecoder decoder)) {
            return;   // dense: its linear layers run inside ONNX Runtime, covered by the step test
        }
        GoldenData golden = GoldenData.of(t.bundle());
        String[] names = {"linear1", "linear2", "fc1", "fc2"};
        int checked = 0;
        for (int l = 0; l < t.config().decoderLayers(); l++) {
            KMatrixLayer[] layers = decoder.layers(l);
            for (int i = 0; i < 4; i++) {
                String p = "sentence0.step0.decoder.layers." + l + "." + names[i];
                float[] in = golden.floats(p + ".input");
                float[] expected = golden.floats(p + ".output");
                float[] out = new float[expected.length];
                layers[i].apply(in, out, 1, layers[i].kernel().newWorkspace(layers[i].shape().n()));
                assertClose(expected, out, p);
                checked++;
            }
        }
        assertEquals(4 * t.config().decoderLayers(), checked);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("bundlesAndPaths")
    void greedyAndBeamOutputsMatchTokenForToken(Path bundle, EnginePaths paths) {
        Translator t = translator(bundle, paths);
        GoldenData golden = GoldenData.of(t.bundle());
        int[][] sources = golden.sentences().stream().map(GoldenData.Sentence::srcIds).toArray(int[][]::new);
        SearchOptions options = t.defaultOptions();
        // As one padded batch, then one at a time (as the reference was produced).
        for (int[][] batch : new int[][][] {sources}) {
            int[][] greedy = t.translateIds(batch, options.withBeam(1));
            int[][] beam = t.translateIds(batch, options.withBeam(golden.beam()));
            for (int i = 0; i < sources.length; i++) {
                GoldenData.Sentence s = golden.sentences().get(i);
                assertArrayEquals(s.greedyIds(), greedy[i], "greedy ids of sentence " + i);
                assertArrayEquals(s.beamIds(), beam[i], "beam ids of sentence " + i);
                assertEquals(s.greedyText(), t.tokenizer().decode(greedy[i]), "greedy text of sentence " + i);
            }
        }
        for (GoldenData.Sentence s : golden.sentences()) {
            int[][] single = t.translateIds(new int[][] {s.srcIds()}, options.withBeam(golden.beam()));
            assertArrayEquals(s.beamIds(), single[0], "beam ids of sentence " + s.index() + " alone");
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("bundlesAndPaths")
    void batchesLargerThanAnEncoderBucketMatchTheGoldenOutputs(Path bundle, EnginePaths paths) {
        // 3 × 6 sentences: encoded in several calls of Encoder.ENCODER_BUCKET and joined, padded;
        // with beam 4, 72 rows: the float16 projection's row groups.
        Translator t = translator(bundle, paths);
        GoldenData golden = GoldenData.of(t.bundle());
        List<GoldenData.Sentence> sentences = new ArrayList<>();
        for (int copy = 0; copy < 3; copy++) {
            sentences.addAll(golden.sentences());
        }
        assertTrue(sentences.size() > io.kaleidoscope.model.Encoder.ENCODER_BUCKET);
        int[][] sources = sentences.stream().map(GoldenData.Sentence::srcIds).toArray(int[][]::new);
        int[][] greedy = t.translateIds(sources, t.defaultOptions().withBeam(1), sources.length);
        int[][] beam = t.translateIds(sources, t.defaultOptions().withBeam(golden.beam()), sources.length);
        for (int i = 0; i < sources.length; i++) {
            assertArrayEquals(sentences.get(i).greedyIds(), greedy[i], "greedy ids of batch row " + i);
            assertArrayEquals(sentences.get(i).beamIds(), beam[i], "beam ids of batch row " + i);
        }
    }

    static float[] floats(java.nio.FloatBuffer b) {
        float[] out = new float[b.capacity()];
        b.get(0, out);
        return out;
    }

    static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        double worst = 0;
        int at = -1;
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs((double) expected[i] - actual[i]);
            if (!(err <= worst)) {
                worst = err;
                at = i;
            }
        }
        assertTrue(worst <= TOLERANCE, "%s: max abs difference %.3g at %d (expected %.6g, got %.6g)"
                .formatted(what, worst, at, at < 0 ? 0 : expected[at], at < 0 ? 0 : actual[at]));
    }
}
