package io.kaleidoscope.kmatrix;

import java.util.Arrays;

/**
 * Plain Java K-matrix kernel: one row at a time, one level at a time, no Vector API.
 *
 * <p>It is the reference the vector kernel is tested against and the kernel a JVM without
 * {@code jdk.incubator.vector} uses. It reads the unit-stride coefficient layout of
 * {@link KMatrixWeights} directly.
 */
public final class ScalarKMatrixKernel implements KMatrixKernel {

    @Override
    public String description() {
        return "scalar (plain Java loops)";
    }

    @Override
    public int rowsPerTile() {
        return 1;
    }

    @Override
    public Computation prepare(KMatrixWeights weights) {
        return (x, xOffset, y, yOffset, batch, scratch) -> apply(weights, x, xOffset, y, yOffset, batch, scratch);
    }

    private static void apply(KMatrixWeights weights, float[] x, int xOffset, float[] y, int yOffset, int batch,
                              float[] z) {
        KMatrixShape shape = weights.shape();
        for (int r = 0; r < batch; r++) {
            int xRow = xOffset + r * shape.in();
            int yRow = yOffset + r * shape.out();
            for (int stack = 0; stack < shape.stacks(); stack++) {
                System.arraycopy(x, xRow, z, 0, shape.in());
                Arrays.fill(z, shape.in(), shape.n(), 0f);
                for (int level = 0; level < shape.levels(); level++) {
                    applyLevel(z, shape.n(), shape.stride(level), weights.self(), weights.partner(),
                            weights.offset(stack, level));
                }
                RowOutput.write(shape, stack, z, 0, 1, weights.bias(), y, yRow);
            }
        }
    }

    /** One butterfly level in place: each pair (p, p + s) is read before either is written. */
    private static void applyLevel(float[] z, int n, int s, float[] self, float[] partner, int c) {
        for (int base = 0; base < n; base += 2 * s) {
            for (int p = base; p < base + s; p++) {
                int q = p + s;
                float xp = z[p];
                float xq = z[q];
                z[p] = self[c + p] * xp + partner[c + p] * xq;
                z[q] = self[c + q] * xq + partner[c + q] * xp;
            }
        }
    }
}
