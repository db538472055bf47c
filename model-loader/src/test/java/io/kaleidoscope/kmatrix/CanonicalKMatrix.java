package io.kaleidoscope.kmatrix;

/**
 * Test oracle: DESIGN.md §2 read literally, in double precision, on the canonical twiddles
 * (stacks, 2·log2 n, n/2, 2, 2). It shares no code with the kernels except {@link KMatrixShape}'s
 * sizes, so a mistake in the unit-stride conversion or a kernel cannot hide behind it.
 */
final class CanonicalKMatrix {
    private CanonicalKMatrix() {}

    /** One row: pad, run each stacked product level by level, stack or chunk-sum, add bias. */
    static double[] apply(KMatrixShape shape, float[] twiddles, float[] bias, float[] x, int xOffset) {
        int n = shape.n();
        int log2n = shape.log2n();
        int levels = 2 * log2n;
        double[] y = new double[shape.out()];
        for (int stack = 0; stack < shape.stacks(); stack++) {
            double[] z = new double[n];
            for (int k = 0; k < shape.in(); k++) {
                z[k] = x[xOffset + k];
            }
            for (int level = 0; level < levels; level++) {
                // B* half: strides n/2 ... 1; B half: strides 1 ... n/2.
                int s = level < log2n ? n >> (level + 1) : 1 << (level - log2n);
                for (int i = 0; i < n / 2; i++) {
                    int o = i % s;
                    int p = 2 * (i - o) + o;
                    int q = p + s;
                    int t = ((stack * levels + level) * (n / 2) + i) * 4;
                    double a = twiddles[t], b = twiddles[t + 1], c = twiddles[t + 2], d = twiddles[t + 3];
                    double xp = z[p], xq = z[q];
                    z[p] = a * xp + b * xq;
                    z[q] = c * xp + d * xq;
                }
            }
            if (shape.out() > n) {
                for (int j = 0; j < n && stack * n + j < shape.out(); j++) {
                    y[stack * n + j] += z[j];
                }
            } else {
                for (int m = 0; m < n; m++) {
                    y[m % shape.out()] += z[m];
                }
            }
        }
        for (int j = 0; j < y.length; j++) {
            y[j] += bias[j];
        }
        return y;
    }
}
