package io.kaleidoscope.kmatrix;

/**
 * Test oracle: the n×n matrix of one BB* product, built as the explicit product of its 2·log2 n
 * level matrices (each level matrix written out entry by entry from the twiddles), in double.
 * The product is accumulated as M ← Level · M; each level matrix has two entries per row, so the
 * product costs O(n²) per level rather than O(n³), but the entries are those of the dense
 * level matrix.
 */
final class LevelMatrixProduct {
    private LevelMatrixProduct() {}

    /** Entries of one level matrix as (row, column, value) triples, two per row. */
    static double[][] levelMatrix(int n, int s, float[] twiddles, int blockOffset) {
        double[][] level = new double[n][n];
        for (int i = 0; i < n / 2; i++) {
            int o = i % s;
            int p = 2 * (i - o) + o;
            int q = p + s;
            int t = blockOffset + 4 * i;
            level[p][p] = twiddles[t];
            level[p][q] = twiddles[t + 1];
            level[q][p] = twiddles[t + 2];
            level[q][q] = twiddles[t + 3];
        }
        return level;
    }

    /** The dense matrix of stacked product {@code stack}: rows are outputs, columns inputs. */
    static double[][] matrix(KMatrixShape shape, float[] twiddles, int stack) {
        int n = shape.n();
        int levels = shape.levels();
        double[][] m = new double[n][n];
        for (int k = 0; k < n; k++) {
            m[k][k] = 1.0;
        }
        for (int level = 0; level < levels; level++) {
            int s = level < shape.log2n() ? n >> (level + 1) : 1 << (level - shape.log2n());
            double[][] lm = levelMatrix(n, s, twiddles, (stack * levels + level) * (n / 2) * 4);
            double[][] next = new double[n][n];
            for (int row = 0; row < n; row++) {
                for (int col = 0; col < n; col++) {
                    double v = lm[row][col];
                    if (v != 0.0) {
                        double[] src = m[col];
                        double[] dst = next[row];
                        for (int j = 0; j < n; j++) {
                            dst[j] += v * src[j];
                        }
                    }
                }
            }
            m = next;
        }
        return m;
    }

    /** The whole layer for a batch: pad, multiply each stack's matrix, stack or chunk-sum, bias. */
    static double[] apply(KMatrixShape shape, float[] twiddles, float[] bias, float[] x, int batch) {
        int n = shape.n();
        double[] y = new double[batch * shape.out()];
        for (int stack = 0; stack < shape.stacks(); stack++) {
            double[][] m = matrix(shape, twiddles, stack);
            for (int r = 0; r < batch; r++) {
                for (int row = 0; row < n; row++) {
                    double sum = 0;
                    for (int col = 0; col < shape.in(); col++) {   // columns beyond in meet zero padding
                        sum += m[row][col] * x[r * shape.in() + col];
                    }
                    int j;
                    if (shape.out() > n) {
                        j = stack * n + row;
                        if (j >= shape.out()) {
                            continue;
                        }
                    } else {
                        j = row % shape.out();
                    }
                    y[r * shape.out() + j] += sum;
                }
            }
        }
        for (int r = 0; r < batch; r++) {
            for (int j = 0; j < shape.out(); j++) {
                y[r * shape.out() + j] += bias[j];
            }
        }
        return y;
    }
}
