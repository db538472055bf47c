package io.kaleidoscope.kmatrix;

import java.util.Random;

/** Random test data: twiddles in the canonical layout, biases and inputs. */
final class RandomTwiddles {
    private RandomTwiddles() {}

    /** Every 2×2 block a random rotation or reflection, as the model initialises them. */
    static float[] orthogonal(KMatrixShape shape, Random random) {
        float[] t = new float[shape.twiddleCount()];
        for (int b = 0; b < t.length; b += 4) {
            double angle = random.nextDouble() * 2 * Math.PI;
            float cos = (float) Math.cos(angle);
            float sin = (float) Math.sin(angle);
            boolean reflection = random.nextBoolean();
            t[b] = cos;
            t[b + 1] = -sin;
            t[b + 2] = sin;
            t[b + 3] = reflection ? -cos : cos;
            if (reflection) {
                t[b + 1] = sin;
            }
        }
        return t;
    }

    /** Every coefficient uniform in [-1, 1): a general, non-orthogonal K-matrix. */
    static float[] uniform(KMatrixShape shape, Random random) {
        return values(shape.twiddleCount(), random);
    }

    static float[] values(int count, Random random) {
        float[] v = new float[count];
        for (int i = 0; i < count; i++) {
            v[i] = random.nextFloat() * 2 - 1;
        }
        return v;
    }
}
