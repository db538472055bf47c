package io.kaleidoscope.kmatrix;

import java.util.Arrays;

/**
 * Moves a block of rows into the lane layout of the scratch tile: {@code z[k·L + r] = x[r·in + k]}
 * for r below the row count and k below in; every other slot of the first n positions is zero,
 * which is the zero padding of DESIGN.md §2 (and keeps unused lanes finite).
 */
final class LaneTranspose {
    private static final int L = VectorButterflyPass.L;

    private LaneTranspose() {}

    static void gather(float[] x, int xRow, int in, int rows, float[] z, int n) {
        if (rows < L) {
            Arrays.fill(z, 0, in * L, 0f);
        }
        for (int r = 0; r < rows; r++) {
            int src = xRow + r * in;
            for (int k = 0; k < in; k++) {
                z[k * L + r] = x[src + k];
            }
        }
        Arrays.fill(z, in * L, n * L, 0f);
    }
}
