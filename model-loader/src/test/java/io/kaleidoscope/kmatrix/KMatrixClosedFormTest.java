package io.kaleidoscope.kmatrix;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Twiddles whose product is known in closed form: identity, Walsh–Hadamard, xor permutations.
 * The values involved are small integers, so every kernel must reproduce them exactly.
 */
class KMatrixClosedFormTest {

    static java.util.List<KMatrixKernel> kernels() {
        return KMatrixParityTest.kernels();
    }

    private static void setBlock(float[] t, KMatrixShape shape, int level, float a, float b, float c, float d) {
        for (int i = 0; i < shape.n() / 2; i++) {
            int at = (level * (shape.n() / 2) + i) * 4;
            t[at] = a;
            t[at + 1] = b;
            t[at + 2] = c;
            t[at + 3] = d;
        }
    }

    private static float[] run(KMatrixKernel kernel, KMatrixShape shape, float[] twiddles, float[] x, int batch) {
        KMatrixLayer layer = KMatrixLayer.create(KMatrixWeights.fromCanonical(shape, twiddles, null), kernel);
        float[] y = new float[batch * shape.out()];
        layer.apply(x, y, batch, kernel.newWorkspace(shape.n()));
        return y;
    }

    private static float[] integerInput(int count, Random random) {
        float[] x = new float[count];
        for (int i = 0; i < count; i++) {
            x[i] = random.nextInt(9) - 4;
        }
        return x;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kernels")
    void identityBlocksGiveTheIdentity(KMatrixKernel kernel) {
        for (int n : new int[] {8, 16, 64, 512}) {
            KMatrixShape shape = KMatrixShape.of("identity", n, n);
            float[] t = new float[shape.twiddleCount()];
            for (int level = 0; level < shape.levels(); level++) {
                setBlock(t, shape, level, 1, 0, 0, 1);
            }
            for (int batch : new int[] {1, 5, 16, 33}) {
                float[] x = integerInput(batch * n, new Random(n + batch));
                assertEquals(java.util.Arrays.toString(x), java.util.Arrays.toString(run(kernel, shape, t, x, batch)),
                        kernel.description() + " n=" + n + " batch=" + batch);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kernels")
    void hadamardBlocksInTheBStarHalfGiveTheWalshHadamardTransform(KMatrixKernel kernel) {
        for (int n : new int[] {8, 16, 32, 256}) {
            KMatrixShape shape = KMatrixShape.of("hadamard", n, n);
            float[] t = new float[shape.twiddleCount()];
            for (int level = 0; level < shape.log2n(); level++) {
                setBlock(t, shape, level, 1, 1, 1, -1);                  // B*: Hadamard butterflies
                setBlock(t, shape, shape.log2n() + level, 1, 0, 0, 1);   // B: identity
            }
            int batch = 17;
            float[] x = integerInput(batch * n, new Random(n));
            float[] y = run(kernel, shape, t, x, batch);
            for (int r = 0; r < batch; r++) {
                for (int i = 0; i < n; i++) {
                    float expected = 0;   // Sylvester order: H[i][j] = (-1)^popcount(i & j)
                    for (int j = 0; j < n; j++) {
                        expected += (Integer.bitCount(i & j) % 2 == 0 ? 1 : -1) * x[r * n + j];
                    }
                    assertEquals(expected, y[r * n + i], kernel.description() + " n=" + n + " row " + r + " i=" + i);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kernels")
    void hadamardBlocksEverywhereGiveNTimesTheIdentity(KMatrixKernel kernel) {
        // H·H = n·I for the unnormalised Walsh–Hadamard matrix.
        int n = 64;
        KMatrixShape shape = KMatrixShape.of("hadamard2", n, n);
        float[] t = new float[shape.twiddleCount()];
        for (int level = 0; level < shape.levels(); level++) {
            setBlock(t, shape, level, 1, 1, 1, -1);
        }
        float[] x = integerInput(3 * n, new Random(3));
        float[] y = run(kernel, shape, t, x, 3);
        for (int i = 0; i < x.length; i++) {
            assertEquals(n * x[i], y[i], kernel.description() + " at " + i);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kernels")
    void swapBlocksGiveAnXorPermutation(KMatrixKernel kernel) {
        Random random = new Random(11);
        for (int n : new int[] {8, 32, 512, 1024}) {
            KMatrixShape shape = KMatrixShape.of("permutation", n, n);
            for (int trial = 0; trial < 4; trial++) {
                float[] t = new float[shape.twiddleCount()];
                int mask = 0;
                for (int level = 0; level < shape.levels(); level++) {
                    if (random.nextBoolean()) {
                        setBlock(t, shape, level, 0, 1, 1, 0);   // swap p and q
                        mask ^= shape.stride(level);
                    } else {
                        setBlock(t, shape, level, 1, 0, 0, 1);
                    }
                }
                for (int batch : new int[] {1, 16, 20}) {
                    float[] x = integerInput(batch * n, random);
                    float[] y = run(kernel, shape, t, x, batch);
                    for (int r = 0; r < batch; r++) {
                        for (int k = 0; k < n; k++) {
                            assertEquals(x[r * n + (k ^ mask)], y[r * n + k],
                                    "%s n=%d mask=%d batch=%d row %d k=%d".formatted(kernel.description(), n, mask, batch, r, k));
                        }
                    }
                }
            }
        }
    }
}
