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
 * The int8 encoder (bundle format §12): the graph takes every encoder linear and the decoder's
 * key/value projections in int8, its outputs stay within a few percent of the float32 encoder's
 * (so the int8 graph really runs, and runs the same function), it translates, and a bundle without
 * the graph is refused for it with the command that adds it.
 */
class Int8EncoderTest {
    private static final List<String> SENTENCES = List.of("Die Datei wurde nicht gefunden.",
            "Wählen Sie einen Ordner aus, in dem die Dateien gespeichert werden sollen.", "Hallo");

    @ParameterizedTest
    @ValueSource(strings = {"tiny-dense", "tiny-kmatrix"})
    void theInt8EncoderStaysCloseToTheFloat32One(String name) {
        Path bundle = TestBundles.MODELS.resolve(name);
        try (Translator f32 = load(bundle, EncoderPrecision.FLOAT32); Translator i8 = load(bundle, EncoderPrecision.INT8)) {
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
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> load(old, EncoderPrecision.INT8));
        assertTrue(e.getMessage().endsWith("has no encoder_int8 graph for the int8 encoder; re-export its graphs with python3 -m training.regraph"),
                e.getMessage());
        try (Translator f32 = load(old, EncoderPrecision.FLOAT32)) {
            assertEquals(1, f32.translate(List.of("Hallo"), f32.defaultOptions()).size());
        }
    }

    private static Translator load(Path bundle, EncoderPrecision precision) {
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
