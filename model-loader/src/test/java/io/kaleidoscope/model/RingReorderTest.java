package io.kaleidoscope.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaleidoscope.TestBundles;
import io.kaleidoscope.Translator;
import java.nio.FloatBuffer;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link DecoderState#reorder} moves the conv rings in place: every row ends up with its parent's
 * ring as it was before the call, whatever the pattern of parents within a sentence (kept rows,
 * swaps, cycles, one parent for the whole beam), for full rings and for rings not yet wrapped.
 */
class RingReorderTest {
    private static final int BEAM = 4;
    private static final int[][] SOURCES = {{5, 6, 7, 3}, {40, 41, 3}, {9, 10, 11, 12, 13, 3}};
    /** Parents per sentence, as offsets within its four rows. */
    private static final int[][][] PATTERNS = {
        {{0, 1, 2, 3}, {1, 0, 3, 2}, {1, 2, 3, 0}},   // kept; swapped pairs; a cycle
        {{2, 2, 2, 2}, {0, 0, 1, 1}, {3, 1, 1, 0}},   // one parent; two parents; a mix
        {{0, 0, 0, 3}, {3, 3, 3, 3}, {1, 0, 2, 2}},
    };

    @ParameterizedTest
    @ValueSource(ints = {1, 4, 40})   // the step just run: rings partly written, then wrapped
    void everyRowGetsItsParentsRing(int lastStep) {
        try (Translator t = Translator.load(TestBundles.MODELS.resolve("tiny-kmatrix"));
             DecoderState state = t.decoder().newState(t.encoder().encode(SOURCES).repeatRows(BEAM))) {
            ModelConfig config = t.config();
            int rows = state.rows();
            state.setInputs(new int[rows], lastStep);
            float[][] before = new float[config.decoderLayers()][];
            for (int l = 0; l < before.length; l++) {
                before[l] = distinctValuesInWrittenSlots(state.convRings[l], config, l, lastStep);
            }
            for (int[][] pattern : PATTERNS) {
                int[] parents = new int[rows];
                for (int r = 0; r < rows; r++) {
                    parents[r] = (r / BEAM) * BEAM + pattern[r / BEAM][r % BEAM];
                }
                state.reorder(parents);
                for (int l = 0; l < before.length; l++) {
                    int width = config.convStateFloats(l);
                    float[] after = new float[before[l].length];
                    state.convRings[l].get(0, after);
                    for (int r = 0; r < rows; r++) {
                        assertArrayEquals(Arrays.copyOfRange(before[l], parents[r] * width, (parents[r] + 1) * width),
                                Arrays.copyOfRange(after, r * width, (r + 1) * width),
                                "layer " + l + " row " + r + " parents " + Arrays.toString(parents));
                    }
                    before[l] = after;
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 4, 11})
    void aParentOutsideTheSentenceIsRefused(int parentOfRowOne) {
        try (Translator t = Translator.load(TestBundles.MODELS.resolve("tiny-kmatrix"));
             DecoderState state = t.decoder().newState(t.encoder().encode(SOURCES).repeatRows(BEAM))) {
            int[] parents = new int[state.rows()];
            for (int r = 0; r < parents.length; r++) {
                parents[r] = r;
            }
            parents[1] = parentOfRowOne;
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> state.reorder(parents));
            assertTrue(e.getMessage().contains("row 1's parent " + parentOfRowOne + " is not a row of the same sentence"),
                    e.getMessage());
        }
    }

    /**
     * Fills the slots written after step {@code lastStep} with values unique across the ring and
     * leaves the others zero, as in a search; returns a copy.
     */
    private static float[] distinctValuesInWrittenSlots(FloatBuffer ring, ModelConfig config, int layer, int lastStep) {
        int slots = config.decoderKernels()[layer] - 1;
        int headDim = config.headDim();
        int written = Math.min(lastStep + 1, slots);
        float[] values = new float[ring.capacity()];
        for (int i = 0; i < values.length; i++) {
            int slot = (i / headDim) % slots;
            values[i] = slot < written ? i + 1 : 0f;
        }
        ring.put(0, values);
        return values;
    }
}
