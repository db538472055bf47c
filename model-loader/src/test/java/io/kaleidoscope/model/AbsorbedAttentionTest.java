package io.kaleidoscope.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaleidoscope.TestBundles;
import io.kaleidoscope.Translator;
import io.kaleidoscope.bundle.Bundle;
import io.kaleidoscope.kmatrix.KMatrixKernels;
import io.kaleidoscope.onnx.OnnxWeights;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which searches take the absorbed attention path, and bundles that predate its graphs. */
class AbsorbedAttentionTest {

    /** Rows, source length and rows per sentence are all the rule reads. */
    private static EncodedBatch rows(int sentences, int beam, int sourceLength) {
        return new EncodedBatch(sentences * beam, sourceLength, null, null, null, null, beam);
    }

    @Test
    void autoTakesTheAbsorbedPathWhenItReadsFewerFloatsPerStep() {
        Bundle bundle = Bundle.open(TestBundles.TINY_DENSE);
        ModelConfig config = ModelConfig.of(bundle.manifest());
        assertEquals(128, config.dModel());
        assertEquals(4, config.heads());
        try (AbsorbedAttention auto = AbsorbedAttention.open(bundle, new OnnxWeights(bundle.weights()), config,
                AbsorbedAttention.Path.AUTO)) {
            // absorbed iff B <= 4 and B·(H − 1)·S <= d, here 3·B·S <= 128, whatever the beam
            assertTrue(auto.chosenFor(rows(1, 1, 42)));       // 126 <= 128
            assertFalse(auto.chosenFor(rows(1, 1, 43)));      // 129 > 128
            assertTrue(auto.chosenFor(rows(1, 4, 42)));       // the beam's rows share the keys and values
            assertFalse(auto.chosenFor(rows(1, 4, 43)));
            assertTrue(auto.chosenFor(rows(4, 4, 10)));       // 120 <= 128
            assertFalse(auto.chosenFor(rows(4, 1, 11)));      // 132 > 128
            assertFalse(auto.chosenFor(rows(5, 4, 2)));       // 30 <= 128, but five sentences
            assertFalse(auto.chosenFor(rows(32, 4, 1)));      // 96 <= 128, but 32 sentences
        }
        try (AbsorbedAttention forced = AbsorbedAttention.open(bundle, new OnnxWeights(bundle.weights()), config,
                AbsorbedAttention.Path.ABSORBED)) {
            assertTrue(forced.chosenFor(rows(32, 1, 100)));
        }
        assertNull(AbsorbedAttention.open(bundle, new OnnxWeights(bundle.weights()), config, AbsorbedAttention.Path.STANDARD));
    }

    @Test
    void theBeamKeepsItsRowsPerSentenceThroughRepeatAndCompaction() {
        try (Translator t = Translator.load(TestBundles.TINY_KMATRIX)) {
            EncodedBatch encoded = t.encoder().encode(new int[][] {{5, 6, 3}, {7, 3}, {8, 9, 10, 3}});
            EncodedBatch beam = encoded.repeatRows(4);
            assertEquals(4, beam.group());
            assertEquals(12, beam.rows());
            assertEquals(3, beam.sentences());
            assertEquals(encoded.encBias(), beam.encBias(), "the beam's rows share their sentence's tensors");
            assertThrows(IllegalStateException.class, () -> beam.repeatRows(2));
            float[] expected = new float[encoded.sourceLength()];
            encoded.encBias().get(2 * encoded.sourceLength(), expected);
            assertThrows(IllegalArgumentException.class, () -> beam.keepSentences(new int[] {1, 2}, t.config()),
                    "sentence 1 would overwrite sentence 2 before it moves");
            EncodedBatch kept = beam.keepSentences(new int[] {2}, t.config());   // the third sentence's group
            assertEquals(1, kept.sentences());
            assertEquals(4, kept.rows());
            EncodedBatch first = kept.oneRowPerSentence();
            assertEquals(1, first.rows());
            float[] actual = new float[encoded.sourceLength()];
            first.encBias().get(0, actual);
            assertArrayEquals(expected, actual, "the third sentence's source bias");
            assertEquals(encoded.sourceLength(), first.encBias().capacity(), "a view of the kept sentence only");
        }
    }

    @Test
    void aCompactedAbsorbedSearchKeepsTheTensorsOfItsRemainingSentences() {
        try (Translator t = Translator.load(TestBundles.TINY_KMATRIX, KMatrixKernels.preferred(), 8,
                EnginePaths.AUTO.withAttention(AbsorbedAttention.Path.ABSORBED))) {
            EncodedBatch encoded = t.encoder().encode(new int[][] {{5, 6, 7, 8, 3}, {9, 10, 3}, {11, 12, 13, 3}})
                    .repeatRows(2);
            int[][] tokens = {{2, 2, 2, 2, 2, 2}, {20, 21, 22, 23, 24, 25}, {30, 31, 32, 33, 34, 35}};
            int vocab = t.config().vocabSize();
            float[] whole = new float[6 * vocab];
            try (DecoderState state = t.decoder().newState(encoded)) {
                for (int step = 0; step < 3; step++) {
                    state.setInputs(tokens[step], step);
                    t.decoder().step(state);
                }
                state.logProbs().get(0, whole);
            }
            int[] keep = {0, 1, 4, 5};   // the first sentence's beam stays, the third's moves into the second's place
            DecoderState state = t.decoder().newState(encoded);
            for (int step = 0; step < 2; step++) {
                state.setInputs(tokens[step], step);
                t.decoder().step(state);
            }
            DecoderState badOrder = t.decoder().newState(encoded);
            assertThrows(IllegalArgumentException.class, () -> t.decoder().compact(badOrder, new int[] {2, 3, 4, 5}),
                    "the second sentence's rows would overwrite the third's before they move");
            badOrder.close();
            try (DecoderState compacted = t.decoder().compact(state, keep)) {
                assertTrue(compacted.absorbedAttention());
                int[] next = new int[keep.length];
                for (int r = 0; r < keep.length; r++) {
                    next[r] = tokens[2][keep[r]];
                }
                compacted.setInputs(next, 2);
                t.decoder().step(compacted);
                for (int r = 0; r < keep.length; r++) {
                    for (int v = 0; v < vocab; v++) {
                        assertEquals(whole[keep[r] * vocab + v], compacted.logProb(r, v), 1e-5, "row " + r + " token " + v);
                    }
                }
            }
        }
    }

    @Test
    void aBundleWithoutTheGraphsDecodesOnTheStandardPathAndRefusesAForcedAbsorbedOne(@TempDir Path dir) throws Exception {
        Path old = withoutAbsorbedGraphs(TestBundles.copy(TestBundles.TINY_KMATRIX, dir.resolve("old")));
        try (Translator t = Translator.load(old, KMatrixKernels.preferred(), 8, EnginePaths.AUTO);
             Translator current = Translator.load(TestBundles.TINY_KMATRIX, KMatrixKernels.preferred(), 8,
                     EnginePaths.AUTO.withAttention(AbsorbedAttention.Path.ABSORBED))) {
            int[][] sources = {{5, 6, 7, 3}, {9, 3}};
            try (DecoderState state = t.decoder().newState(t.encoder().encode(sources))) {
                assertFalse(state.absorbedAttention());
            }
            assertArrayEquals(current.translateIds(sources, current.defaultOptions()),
                    t.translateIds(sources, t.defaultOptions()));
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Translator.load(old, KMatrixKernels.preferred(), 8, EnginePaths.AUTO.withAttention(AbsorbedAttention.Path.ABSORBED)));
        assertTrue(e.getMessage().contains("has no absorbed-attention graphs (decoder_absorb); re-export its graphs with python3 -m training.regraph"),
                e.getMessage());
    }

    /** Removes the absorbed-attention graphs from a bundle: files, checksums and graph entries. */
    private static Path withoutAbsorbedGraphs(Path bundle) throws Exception {
        int removed = TestBundles.withoutGraphs(bundle, name -> name.equals(AbsorbedAttention.GRAPH) || name.endsWith(AbsorbedAttention.SUFFIX));
        assertEquals(3, removed);
        return bundle;
    }
}
