package io.kaleidoscope.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaleidoscope.TestBundles;
import io.kaleidoscope.Translator;
import io.kaleidoscope.bundle.Manifest;
import io.kaleidoscope.kmatrix.KMatrixKernels;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The int8 options (bundle format §12). The int8 encoder takes every encoder linear and the
 * decoder's key/value projections in int8; the int8 decoder takes the dense model's linear1,
 * linear2, fc1 and fc2, both models' attention q/out projections and output projections. Their outputs stay within a
 * few percent of float32 (so the int8 graphs really run, and run the same function), they
 * translate, the int8 decoder's output projection is ONNX Runtime's int8 graph, and a bundle
 * without the graphs is refused for them with the command that adds them.
 */
class Int8PrecisionTest {
    private static final List<String> SENTENCES = List.of("Die Datei wurde nicht gefunden.",
            "Wählen Sie einen Ordner aus, in dem die Dateien gespeichert werden sollen.", "Hallo");

    @ParameterizedTest
    @ValueSource(strings = {"tiny-dense", "tiny-kmatrix"})
    void theInt8EncoderStaysCloseToTheFloat32One(String name) {
        Path bundle = TestBundles.MODELS.resolve(name);
        try (Translator f32 = load(bundle, Precision.FLOAT32); Translator i8 = load(bundle, Precision.INT8)) {
            ModelConfig config = f32.config();
            Manifest manifest = f32.bundle().manifest();
            Manifest.GraphEntry entry = manifest.onnx().graphs().get("encoder_int8");
            assertEquals(4 * manifest.architecture().encoderLayers() + 2 * config.decoderLayers(), entry.quantizedWeights().size(),
                    "linear1, linear2, fc1, fc2 per encoder layer and k_proj, v_proj per decoder layer");
            int[][] sources = SENTENCES.stream().map(f32.tokenizer()::sourceIds).toArray(int[][]::new);
            EncodedBatch a = f32.encoder().encode(sources);
            EncodedBatch b = i8.encoder().encode(sources);
            assertRelativeRms(a.encoderOut(), b.encoderOut(), "encoder_out");
            for (int l = 0; l < config.decoderLayers(); l++) {
                assertRelativeRms(a.encKeys()[l], b.encKeys()[l], "enc_keys_" + l);
                assertRelativeRms(a.encValues()[l], b.encValues()[l], "enc_values_" + l);
            }
            List<String> translated = i8.translate(SENTENCES, i8.defaultOptions());
            assertEquals(SENTENCES.size(), translated.size());
            assertTrue(translated.stream().noneMatch(String::isBlank), translated.toString());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-dense", "tiny-kmatrix"})
    void aBundleWithoutTheGraphIsRefusedForIt(String name, @TempDir Path dir) throws Exception {
        Path old = TestBundles.copy(TestBundles.MODELS.resolve(name), dir.resolve("old"));
        assertEquals(1, TestBundles.withoutGraphs(old, "encoder_int8"::equals));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> load(old, Precision.INT8));
        assertTrue(e.getMessage().endsWith("has no encoder_int8 graph for the int8 encoder; re-export its graphs with python3 -m training.regraph"),
                e.getMessage());
        try (Translator f32 = load(old, Precision.FLOAT32)) {
            assertEquals(1, f32.translate(List.of("Hallo"), f32.defaultOptions()).size());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"STANDARD", "ABSORBED"})
    void theDenseModelsInt8DecoderStaysCloseToFloat32(String attention) {
        EnginePaths f32Paths = EnginePaths.AUTO.withAttention(AbsorbedAttention.Path.valueOf(attention));
        try (Translator f32 = Translator.load(TestBundles.TINY_DENSE, KMatrixKernels.preferred(), 8, f32Paths);
             Translator i8 = Translator.load(TestBundles.TINY_DENSE, KMatrixKernels.preferred(), 8,
                     f32Paths.withDecoder(Precision.INT8))) {
            int[][] sources = SENTENCES.stream().map(f32.tokenizer()::sourceIds).toArray(int[][]::new);
            for (int[] source : sources) {
                assertRelativeRms(firstStepProbabilities(f32, source), firstStepProbabilities(i8, source), "step-0 probabilities");
            }
            List<String> translated = i8.translate(SENTENCES, i8.defaultOptions());
            assertTrue(translated.stream().noneMatch(String::isBlank), translated.toString());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"STANDARD", "ABSORBED"})
    void theKMatrixModelsInt8DecoderStaysCloseToFloat32(String attention) {
        EnginePaths paths = EnginePaths.AUTO.withAttention(AbsorbedAttention.Path.valueOf(attention));
        try (Translator f32 = Translator.load(TestBundles.TINY_KMATRIX, KMatrixKernels.preferred(), 8, paths);
             Translator i8 = Translator.load(TestBundles.TINY_KMATRIX, KMatrixKernels.preferred(), 8, paths.withDecoder(Precision.INT8))) {
            int[][] sources = SENTENCES.stream().map(f32.tokenizer()::sourceIds).toArray(int[][]::new);
            for (int[] source : sources) {
                assertRelativeRms(firstStepProbabilities(f32, source), firstStepProbabilities(i8, source), "step-0 probabilities");
            }
            List<String> translated = i8.translate(SENTENCES, i8.defaultOptions());
            assertTrue(translated.stream().noneMatch(String::isBlank), translated.toString());
        }
    }

    @org.junit.jupiter.api.Test
    void withTheInt8DecoderAutoProjectsInOnnxRuntimesInt8GraphNotTheFloat16Kernel(@TempDir Path dir) throws Exception {
        Path bundle = TestBundles.withFloat16Embedding(TestBundles.TINY_KMATRIX, dir.resolve("f16"));
        try (Translator f32 = Translator.load(bundle, KMatrixKernels.preferred(), 8, EnginePaths.AUTO);
             Translator i8 = Translator.load(bundle, KMatrixKernels.preferred(), 8, EnginePaths.AUTO.withDecoder(Precision.INT8))) {
            EncodedBatch encoded = f32.encoder().encode(new int[][] {f32.tokenizer().sourceIds("Hallo")});
            try (DecoderState a = f32.decoder().newState(encoded); DecoderState b = i8.decoder().newState(encoded)) {
                assertTrue(a.float16Output(), "float32 decoder, one row: the float16 kernel");
                assertTrue(!b.float16Output(), "int8 decoder: ONNX Runtime's int8 output graph");
            }
        }
    }

    @org.junit.jupiter.api.Test
    void aBundleWithoutTheInt8DecoderGraphsIsRefusedForThem(@TempDir Path dir) throws Exception {
        Path old = TestBundles.copy(TestBundles.TINY_DENSE, dir.resolve("old"));
        assertEquals(4, TestBundles.withoutGraphs(old, name -> name.startsWith("decoder_step") && name.endsWith("_int8")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Translator.load(old,
                KMatrixKernels.preferred(), 8, EnginePaths.AUTO.withDecoder(Precision.INT8)));
        assertTrue(e.getMessage().endsWith("has no decoder_step_int8 graph for the int8 decoder; re-export its graphs with python3 -m training.regraph"),
                e.getMessage());
        Path oldKMatrix = TestBundles.copy(TestBundles.TINY_KMATRIX, dir.resolve("old-kmatrix"));
        assertEquals(3, TestBundles.withoutGraphs(oldKMatrix, name -> name.startsWith("decoder_") && name.endsWith("_int8")));
        e = assertThrows(IllegalArgumentException.class, () -> Translator.load(oldKMatrix,
                KMatrixKernels.preferred(), 8, EnginePaths.AUTO.withDecoder(Precision.INT8)));
        assertTrue(e.getMessage().endsWith("has no decoder_output_int8 graph for the int8 decoder; re-export its graphs with python3 -m training.regraph"),
                e.getMessage());
    }

    /** The probabilities (not log-probabilities: those of unlikely tokens are noisy) of the first step. */
    private static FloatBuffer firstStepProbabilities(Translator t, int[] source) {
        EncodedBatch encoded = t.encoder().encode(new int[][] {source});
        try (DecoderState state = t.decoder().newState(encoded)) {
            state.setInputs(new int[] {t.config().bos()}, 0);
            t.decoder().step(state);
            FloatBuffer logProbs = state.logProbs();
            FloatBuffer p = FloatBuffer.allocate(t.config().vocabSize());
            for (int i = 0; i < p.capacity(); i++) {
                p.put(i, (float) Math.exp(logProbs.get(i)));
            }
            return p;
        }
    }

    private static Translator load(Path bundle, Precision precision) {
        return Translator.load(bundle, KMatrixKernels.preferred(), 8, EnginePaths.AUTO.withEncoder(precision));
    }

    /**
     * Padded positions included. Observed on encoder_out: 0.6% (the tiny fixtures, 64 test
     * sentences) and 2% (random base-size weights); above 10% would mean a wrong scale or layout,
     * below 1e-4 that nothing was quantized.
     */
    private static void assertRelativeRms(FloatBuffer expected, FloatBuffer actual, String what) {
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < expected.capacity(); i++) {
            double d = expected.get(i) - actual.get(i);
            diff += d * d;
            norm += (double) expected.get(i) * expected.get(i);
        }
        double relative = Math.sqrt(diff / norm);
        assertTrue(relative > 1e-4 && relative < 0.10, what + ": relative RMS difference " + relative);
    }
}
