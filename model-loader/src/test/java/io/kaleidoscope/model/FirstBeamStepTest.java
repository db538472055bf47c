package io.kaleidoscope.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaleidoscope.TestBundles;
import io.kaleidoscope.Translator;
import io.kaleidoscope.search.BeamSearch;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A beam search's first step runs on one row per sentence and the state is then expanded to the
 * beam ({@link Decoder#expand}): the same hypotheses as a search over the repeated rows from the
 * start, and each beam row starts from its sentence's conv rings.
 */
class FirstBeamStepTest {
    private static final int BEAM = 4;
    private static final int[][] SOURCES = {{5, 6, 7, 3}, {40, 41, 3}, {9, 10, 11, 12, 13, 3}};

    @ParameterizedTest
    @ValueSource(strings = {"tiny-dense", "tiny-kmatrix"})
    void theFirstStepRunsOncePerSentenceAndFindsTheSameHypotheses(String name) {
        try (Translator t = Translator.load(TestBundles.MODELS.resolve(name))) {
            int[] maxLengths = {9, 9, 9};
            RecordingDecoder recording = new RecordingDecoder(t.decoder());
            BeamSearch.Hypothesis[] firstOnce;
            // Each search gets its own encoded batch: compaction rewrites a search's batch in place.
            try (DecoderState state = recording.newState(t.encoder().encode(SOURCES), null)) {
                firstOnce = BeamSearch.run(recording, state, t.config(), maxLengths, BEAM, 1.0);
            }
            BeamSearch.Hypothesis[] repeated;
            try (DecoderState state = t.decoder().newState(t.encoder().encode(SOURCES).repeatRows(BEAM))) {
                repeated = BeamSearch.run(t.decoder(), state, t.config(), maxLengths, BEAM, 1.0);
            }
            assertEquals(3, recording.rowsPerStep.get(0), "first step: one row per sentence");
            assertEquals(12, recording.rowsPerStep.get(1), "then the beam's rows");
            assertEquals(1, recording.expansions);
            for (int i = 0; i < SOURCES.length; i++) {
                assertArrayEquals(repeated[i].ids(), firstOnce[i].ids(), "sentence " + i);
                assertEquals(repeated[i].score(), firstOnce[i].score(), 1e-5, "sentence " + i);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-dense", "tiny-kmatrix"})
    void expandGivesEveryBeamRowItsSentencesRingsAndKeepsTheAttentionPath(String name) {
        try (Translator t = Translator.load(TestBundles.MODELS.resolve(name))) {
            Decoder decoder = t.decoder();
            DecoderState first = decoder.newState(t.encoder().encode(SOURCES), null);
            assertEquals(3, first.rows());
            first.setInputs(new int[] {t.config().bos(), t.config().bos(), t.config().bos()}, 0);
            decoder.step(first);
            boolean absorbed = first.absorbedAttention();
            float[][] rings = new float[t.config().decoderLayers()][];
            for (int l = 0; l < rings.length; l++) {
                rings[l] = floats(first.convRings[l]);
            }
            try (DecoderState expanded = decoder.expand(first, BEAM)) {
                assertEquals(12, expanded.rows());
                assertEquals(BEAM, expanded.encoded.group());
                assertEquals(absorbed, expanded.absorbedAttention());
                for (int l = 0; l < rings.length; l++) {
                    int width = t.config().convStateFloats(l);
                    float[] after = floats(expanded.convRings[l]);
                    for (int r = 0; r < 12; r++) {
                        assertArrayEquals(Arrays.copyOfRange(rings[l], (r / BEAM) * width, (r / BEAM + 1) * width),
                                Arrays.copyOfRange(after, r * width, (r + 1) * width), "layer " + l + " row " + r);
                    }
                    assertTrue(anyNonZero(rings[l]), "the first step wrote layer " + l + "'s ring");
                }
                assertThrows(IllegalStateException.class, () -> decoder.expand(expanded, BEAM),
                        "rows already repeated");
            }
        }
    }

    private static float[] floats(FloatBuffer buffer) {
        float[] out = new float[buffer.capacity()];
        buffer.get(0, out);
        return out;
    }

    private static boolean anyNonZero(float[] values) {
        for (float v : values) {
            if (v != 0f) {
                return true;
            }
        }
        return false;
    }

    /** The real decoder, recording each step's row count and the expansions. */
    private static final class RecordingDecoder extends ForwardingDecoder {
        final List<Integer> rowsPerStep = new ArrayList<>();
        int expansions;

        RecordingDecoder(Decoder inner) {
            super(inner);
        }

        @Override
        public void step(DecoderState state) {
            rowsPerStep.add(state.rows());
            super.step(state);
        }

        @Override
        public DecoderState expand(DecoderState state, int beam) {
            expansions++;
            return super.expand(state, beam);
        }
    }
}
