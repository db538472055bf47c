package io.kaleidoscope.kmatrix;

/**
 * Writes one transformed row of one stacked product into an output row, applying the layer's
 * output rule (DESIGN.md §2) and its bias in the same pass. The row is read as
 * {@code z[zOffset + m·zStride]} for m in [0, n), so that both a plain row (stride 1) and one
 * column of a batch-in-lanes tile (stride = lanes) can be written.
 * <ul>
 *   <li>stacked (out > n): y[stack·n + j] = z_j + bias[stack·n + j] for positions below out;</li>
 *   <li>chunk-summed (out ≤ n): y[j] = bias[j] + Σ_c z_(j + c·out) over the chunks c.</li>
 * </ul>
 */
final class RowOutput {
    private RowOutput() {}

    static void write(KMatrixShape shape, int stack, float[] z, int zOffset, int zStride,
                      float[] bias, float[] y, int yRow) {
        int n = shape.n();
        int out = shape.out();
        if (out > n) {
            int start = stack * n;
            int count = Math.min(n, out - start);
            for (int j = 0; j < count; j++) {
                y[yRow + start + j] = z[zOffset + j * zStride] + bias[start + j];
            }
            return;
        }
        for (int j = 0; j < out; j++) {
            y[yRow + j] = z[zOffset + j * zStride] + bias[j];
        }
        for (int chunk = out; chunk < n; chunk += out) {
            int count = Math.min(out, n - chunk);
            for (int j = 0; j < count; j++) {
                y[yRow + j] += z[zOffset + (chunk + j) * zStride];
            }
        }
    }
}
