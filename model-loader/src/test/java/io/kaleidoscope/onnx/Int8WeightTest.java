package io.kaleidoscope.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;

/** The int8 form of a weight: per-output scales, round half to even, Wᵀ layout, refusals. */
class Int8WeightTest {
    @Test
    void eachOutputRowIsScaledByItsLargestMagnitudeAndRoundedHalfToEven() {
        float[][] w = {
            {127f, -63.5f, 0.5f, 1.5f, 2.5f},    // scale 1: halves round to even
            {0f, 0f, 0f, 0f, 0f},                // all zero: scale 1, all 0
            {254f, -254f, 1f, 3f, -1f},          // scale 2: 127, −127, 0.5→0, 1.5→2, −0.5→−0
        };
        Int8Weight q = Int8Weight.of(buffer(w), 3, 5, 127);
        assertEquals(3, q.outputs());
        assertEquals(5, q.inputs());
        assertArrayEquals(new float[] {1f, 1f, 2f}, floats(q.scales(), 3));
        byte[][] expected = {{127, -64, 0, 2, 2}, {0, 0, 0, 0, 0}, {127, -127, 0, 2, 0}};
        for (int j = 0; j < 3; j++) {
            for (int i = 0; i < 5; i++) {
                assertEquals(expected[j][i], q.transposed().get(i * 3 + j), "W[" + j + "][" + i + "] at Wᵀ[" + i + "][" + j + "]");
            }
        }
        for (int j = 0; j < 3; j++) {
            assertEquals(0, q.zeros().get(j));
        }
    }

    @Test
    void aScaleThatIsNotAPowerOfTwoReconstructsEachWeightWithinHalfAStep() {
        float[][] w = {{0.3f, -0.11f, 0.07f, 0.0013f}};
        Int8Weight q = Int8Weight.of(buffer(w), 1, 4, 127);
        float scale = q.scales().get(0);
        assertEquals(0.3f / 127f, scale);
        for (int i = 0; i < 4; i++) {
            float back = q.transposed().get(i) * scale;
            assertEquals(w[0][i], back, scale / 2, "weight " + i);
        }
        assertEquals(127, q.transposed().get(0));
    }

    @Test
    void withSevenBitsEachRowSpansMinus63To63() {
        float[][] w = {
            {63f, -31.5f, 0.5f, 1.5f, -63f},     // scale 1: −31.5 → −32 (half to even), 0.5 → 0, 1.5 → 2
            {0.63f, 0.2f, -0.1f, 0f, 0.01f},     // scale 0.01: 63, 20, −10, 0, 1
        };
        Int8Weight q = Int8Weight.of(buffer(w), 2, 5, 63);
        assertEquals(1f, q.scales().get(0));
        assertEquals(0.63f / 63, q.scales().get(1));
        byte[][] expected = {{63, -32, 0, 2, -63}, {63, 20, -10, 0, 1}};
        for (int j = 0; j < 2; j++) {
            for (int i = 0; i < 5; i++) {
                assertEquals(expected[j][i], q.transposed().get(i * 2 + j), "W[" + j + "][" + i + "]");
            }
        }
    }

    @Test
    void theMachinesRangeIs127Or63() {
        assertTrue(Int8Range.WEIGHT_MAX == 127 || Int8Range.WEIGHT_MAX == 63, "range " + Int8Range.WEIGHT_MAX);
        float[][] w = {{-2f, 1f}};
        assertEquals(-Int8Range.WEIGHT_MAX, Int8Weight.of(buffer(w), 1, 2).transposed().get(0));
    }

    @Test
    void aWrongSizeOrANonFiniteWeightIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Int8Weight.of(FloatBuffer.allocate(5), 2, 3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Int8Weight.of(buffer(new float[][] {{1f, Float.NaN}}), 1, 2));
        assertEquals("weight row 0 holds NaN", e.getMessage());
    }

    private static FloatBuffer buffer(float[][] rows) {
        FloatBuffer b = DirectBuffers.floats(rows.length * rows[0].length);
        for (int j = 0; j < rows.length; j++) {
            b.put(j * rows[0].length, rows[j]);
        }
        return b;
    }

    private static float[] floats(FloatBuffer b, int n) {
        float[] out = new float[n];
        b.get(0, out);
        return out;
    }
}
