package io.kaleidoscope.kmatrix;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector form of {@link RowOutput}: one transformed row z[zRow, zRow + n) of one stacked
 * product, plus bias, into an output row, with the stack (out &gt; n) or chunk-sum (out ≤ n) rule
 * of DESIGN.md §2. Contiguous loads and stores; a masked tail where a length is not a multiple of
 * the vector length.
 */
final class VectorRowOutput {
    private static final VectorSpecies<Float> SPECIES = VectorKMatrixKernel.SPECIES;
    private static final int L = SPECIES.length();

    private VectorRowOutput() {}

    static void write(KMatrixShape shape, int stack, float[] z, int zRow, float[] bias, float[] y, int yRow) {
        int n = shape.n();
        int out = shape.out();
        if (out > n) {
            int start = stack * n;
            add(z, zRow, bias, start, y, yRow + start, Math.min(n, out - start));
            return;
        }
        add(z, zRow, bias, 0, y, yRow, out);
        for (int chunk = out; chunk < n; chunk += out) {
            add(z, zRow + chunk, y, yRow, y, yRow, Math.min(out, n - chunk));
        }
    }

    /** dst[d + j] = a[ai + j] + b[bi + j] for j in [0, count). dst may be b (in place). */
    private static void add(float[] a, int ai, float[] b, int bi, float[] dst, int d, int count) {
        int j = 0;
        for (; j + L <= count; j += L) {
            FloatVector.fromArray(SPECIES, a, ai + j).add(FloatVector.fromArray(SPECIES, b, bi + j)).intoArray(dst, d + j);
        }
        if (j < count) {
            VectorMask<Float> live = SPECIES.indexInRange(j, count);
            FloatVector.fromArray(SPECIES, a, ai + j, live)
                    .add(FloatVector.fromArray(SPECIES, b, bi + j, live))
                    .intoArray(dst, d + j, live);
        }
    }
}
