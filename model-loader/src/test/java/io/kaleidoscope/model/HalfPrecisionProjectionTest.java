package io.kaleidoscope.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaleidoscope.SearchOptions;
import io.kaleidoscope.TestBundles;
import io.kaleidoscope.Translator;
import io.kaleidoscope.bundle.WeightStore;
import io.kaleidoscope.kmatrix.KMatrixKernels;
import io.kaleidoscope.onnx.DirectBuffers;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The float16 output projection: its widening is exact for every finite float16, its
 * log-probabilities match a double-precision reference for any row count (one row, row groups,
 * a partial group) and activations of any size, it refuses weights that are not float16, and in
 * the engine it gives the same log-probs and translations as ONNX Runtime's float32 projection
 * of the same weights, for both models and both attention paths.
 */
class HalfPrecisionProjectionTest {
    private static final int LANES = FloatVector.SPECIES_PREFERRED.length();

    @Test
    void wideningIsExactForEveryFiniteFloat16() {
        short[] all = new short[1 << 16];
        for (int bits = 0; bits < all.length; bits++) {
            all[bits] = (short) bits;
        }
        int checked = 0;
        for (int at = 0; at < all.length; at += LANES) {
            FloatVector widened = HalfPrecisionProjection.widen(all, at);
            for (int lane = 0; lane < LANES; lane++) {
                short half = all[at + lane];
                if ((half & 0x7c00) == 0x7c00) {
                    continue;   // infinities and NaNs: refused at load
                }
                assertEquals(Float.floatToRawIntBits(Float.float16ToFloat(half)), Float.floatToRawIntBits(widened.lane(lane)),
                        "float16 bits 0x%04x".formatted(half & 0xffff));
                checked++;
            }
        }
        assertEquals(63488, checked);   // 2^16 minus the 2 · 1024 with exponent 31
    }

    @ParameterizedTest(name = "{0} rows")
    @ValueSource(ints = {1, 2, 3, 4, 5, 8, 9})
    void logProbsMatchADoublePrecisionReference(int rows) {
        int vocab = 1000;   // not a multiple of 4 vectors: the padded blocks must not leak in
        int d = 48;
        Random random = new Random(rows);
        float[] embedding = new float[vocab * d];
        for (int i = 0; i < embedding.length; i++) {
            embedding[i] = Float.float16ToFloat(Float.floatToFloat16((float) random.nextGaussian() * 0.3f));
        }
        embedding[7] = Float.float16ToFloat((short) 0x0001);   // a subnormal float16
        embedding[8] = -0f;
        float[] hidden = new float[rows * d];
        for (int i = 0; i < hidden.length; i++) {
            hidden[i] = (float) random.nextGaussian();
        }
        if (rows > 1) {
            for (int i = 0; i < d; i++) {
                hidden[d + i] *= 1e5f;   // beyond 2^15: the activations' rescaling must not overflow
            }
        }
        HalfPrecisionProjection projection = HalfPrecisionProjection.of(tensor(embedding, vocab, d));
        assertNotNull(projection);
        FloatBuffer out = DirectBuffers.floats((long) rows * vocab);
        projection.logProbs(FloatBuffer.wrap(hidden), rows, out);
        for (int r = 0; r < rows; r++) {
            double[] expected = referenceLogProbs(embedding, hidden, r, vocab, d);
            // float32 sums of d products: their rounding grows with the size of the products
            double scale = 0;
            for (int i = 0; i < d; i++) {
                scale += Math.abs(hidden[r * d + i]);
            }
            double tolerance = 1e-5 * Math.max(1, scale);
            for (int v = 0; v < vocab; v++) {
                assertEquals(expected[v], out.get(r * vocab + v), tolerance, "row " + r + " token " + v);
            }
        }
    }

    @Test
    void weightsThatAreNotFloat16AreRefused() {
        float[] values = new float[64 * 4];
        assertNotNull(HalfPrecisionProjection.of(tensor(values, 64, 4)));
        values[5] = 0.1f;   // not representable in float16
        assertNull(HalfPrecisionProjection.of(tensor(values, 64, 4)));
        values[5] = Float.POSITIVE_INFINITY;
        assertNull(HalfPrecisionProjection.of(tensor(values, 64, 4)));
        values[5] = Float.NaN;
        assertNull(HalfPrecisionProjection.of(tensor(values, 64, 4)));
    }

    static Stream<Arguments> modelsAndAttention() {
        return Stream.of(TestBundles.TINY_DENSE, TestBundles.TINY_KMATRIX).flatMap(bundle -> Stream.of(
                AbsorbedAttention.Path.STANDARD, AbsorbedAttention.Path.ABSORBED).map(path -> Arguments.of(bundle, path)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("modelsAndAttention")
    void theEngineGivesTheSameLogProbsAndTranslationsAsOnnxRuntime(Path fixture, AbsorbedAttention.Path attention,
                                                                     @TempDir Path dir) throws Exception {
        Path bundle = TestBundles.withFloat16Embedding(fixture, dir.resolve(fixture.getFileName()));
        try (Translator onnx = load(bundle, new EnginePaths(attention, OutputProjection.ONNX));
             Translator float16 = load(bundle, new EnginePaths(attention, OutputProjection.FLOAT16))) {
            int[][] sources = {
                onnx.tokenizer().sourceIds("Die Datei wurde nicht gefunden."),
                onnx.tokenizer().sourceIds("Klicken Sie auf die Schaltfläche, um das Dokument zu speichern."),
                onnx.tokenizer().sourceIds("Fehler"),
            };
            float[] expected = firstStep(onnx, sources);
            float[] actual = firstStep(float16, sources);
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], actual[i], 1e-5, "log-prob " + i);
            }
            SearchOptions options = onnx.defaultOptions();
            for (int beam : new int[] {1, 4}) {
                assertArrayEquals(onnx.translateIds(sources, options.withBeam(beam)),
                        float16.translateIds(sources, options.withBeam(beam)), "batch of 3, beam " + beam);
                for (int[] source : sources) {
                    assertArrayEquals(onnx.translateIds(new int[][] {source}, options.withBeam(beam)),
                            float16.translateIds(new int[][] {source}, options.withBeam(beam)), "one sentence, beam " + beam);
                }
            }
        }
    }

    @Test
    void autoTakesFloat16UpToItsRowLimitAndOnlyForFloat16Weights(@TempDir Path dir) throws Exception {
        Path bundle = TestBundles.withFloat16Embedding(TestBundles.TINY_KMATRIX, dir.resolve("k"));
        try (Translator t = load(bundle, EnginePaths.AUTO);
             Translator float32 = load(TestBundles.TINY_KMATRIX, EnginePaths.AUTO)) {
            int[] source = t.tokenizer().sourceIds("Fehler");
            int limit = OutputProjection.FLOAT16_MAX_ROWS;
            assertTrue(float16Output(t, source, limit));
            assertFalse(float16Output(t, source, limit + 1));
            assertFalse(float16Output(float32, source, 1));
            int[][] one = {source};
            try (DecoderState shortlisted = t.decoder().newState(t.encoder().encode(one), t.shortlist().candidates(one))) {
                assertFalse(shortlisted.float16Output());
            }
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> load(TestBundles.TINY_DENSE,
                EnginePaths.AUTO.withOutput(OutputProjection.FLOAT16)));
        assertTrue(e.getMessage().contains("cannot take the float16 output projection: its embed_tokens.weight is not exactly float16"),
                e.getMessage());
    }

    @Test
    void aDenseBundleWithoutTheHiddenStepGraphRefusesAForcedFloat16AndAutoKeepsOnnxRuntime(@TempDir Path dir) throws Exception {
        Path bundle = TestBundles.withFloat16Embedding(TestBundles.TINY_DENSE, dir.resolve("d"));
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        var manifest = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(bundle.resolve("manifest.json").toFile());
        manifest.remove("shortlist");   // the hidden-state step graph is the shortlist's
        json.writeValue(bundle.resolve("manifest.json").toFile(), manifest);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> load(bundle, EnginePaths.AUTO.withOutput(OutputProjection.FLOAT16)));
        assertTrue(e.getMessage().contains("it has no hidden-state step graph, which comes with the lexical shortlist"), e.getMessage());
        try (Translator t = load(bundle, EnginePaths.AUTO)) {
            assertFalse(float16Output(t, t.tokenizer().sourceIds("Fehler"), 1));
        }
    }

    private static boolean float16Output(Translator t, int[] source, int rows) {
        int[][] sources = new int[rows][];
        java.util.Arrays.fill(sources, source);
        try (DecoderState state = t.decoder().newState(t.encoder().encode(sources))) {
            return state.float16Output();
        }
    }

    /** The first step's log-probs for the sources, from bos. */
    private static float[] firstStep(Translator t, int[][] sources) {
        try (DecoderState state = t.decoder().newState(t.encoder().encode(sources))) {
            int[] bos = new int[sources.length];
            java.util.Arrays.fill(bos, t.config().bos());
            state.setInputs(bos, 0);
            t.decoder().step(state);
            float[] out = new float[state.logProbs().capacity()];
            state.logProbs().get(0, out);
            return out;
        }
    }

    private static Translator load(Path bundle, EnginePaths paths) {
        return Translator.load(bundle, KMatrixKernels.preferred(), Translator.DEFAULT_MAX_BATCH, paths);
    }

    private static WeightStore.Tensor tensor(float[] values, int rows, int columns) {
        FloatBuffer data = DirectBuffers.floats(values.length);
        data.put(0, values);
        return new WeightStore.Tensor(new long[] {rows, columns}, data);
    }

    private static double[] referenceLogProbs(float[] embedding, float[] hidden, int row, int vocab, int d) {
        double[] logits = new double[vocab];
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < vocab; v++) {
            double sum = 0;
            for (int i = 0; i < d; i++) {
                sum += (double) hidden[row * d + i] * embedding[v * d + i];
            }
            logits[v] = sum;
            max = Math.max(max, sum);
        }
        double total = 0;
        for (double logit : logits) {
            total += Math.exp(logit - max);
        }
        double shift = max + Math.log(total);
        for (int v = 0; v < vocab; v++) {
            logits[v] -= shift;
        }
        return logits;
    }
}
