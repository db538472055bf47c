package io.kaleidoscope.kmatrix;

import java.util.Arrays;

/**
 * One layer prepared for {@link VectorKMatrixKernel}: the fused-level plans of both paths and
 * their coefficient streams, built once at load time.
 *
 * <p>Scratch use: the row path uses the first n floats, the lane path n × L floats laid out as
 * {@code z[k·L + r]} (position k, row r of the tile).
 */
final class VectorKMatrixComputation implements KMatrixKernel.Computation {
    private static final int L = VectorButterflyPass.L;

    private final KMatrixShape shape;
    private final float[] bias;
    private final int lanePathMinBatch;
    /** Row layout: null when n < L (a row does not fill one vector); then every batch takes the lane path. */
    private final ButterflyPlan rowPlan;
    private final float[][] rowStreams;
    private final ButterflyPlan lanePlan;
    private final float[][] laneStreams;

    VectorKMatrixComputation(KMatrixWeights weights, int lanePathMinBatch) {
        this.shape = weights.shape();
        this.bias = weights.bias();
        this.lanePathMinBatch = lanePathMinBatch;
        this.rowPlan = shape.n() >= L ? new ButterflyPlan(shape, L) : null;
        this.lanePlan = new ButterflyPlan(shape, 1);
        this.rowStreams = new float[shape.stacks()][];
        this.laneStreams = new float[shape.stacks()][];
        for (int stack = 0; stack < shape.stacks(); stack++) {
            rowStreams[stack] = rowPlan == null ? null : rowPlan.coefficientStream(weights, stack);
            laneStreams[stack] = lanePlan.coefficientStream(weights, stack);
        }
    }

    /**
     * Full tiles of L rows take the lane path once the batch reaches {@code lanePathMinBatch}; the
     * remaining rows take it too if there are at least that many, otherwise the row path. Without
     * a row plan (n < L) everything takes the lane path.
     */
    @Override
    public void apply(float[] x, int xOffset, float[] y, int yOffset, int batch, float[] z) {
        boolean lanesOnly = rowPlan == null;
        int tiles = lanesOnly || batch >= lanePathMinBatch ? batch / L : 0;
        int r = 0;
        for (int t = 0; t < tiles; t++, r += L) {
            laneTile(x, xOffset + r * shape.in(), y, yOffset + r * shape.out(), L, z);
        }
        int remainder = batch - r;
        if (remainder == 0) {
            return;
        }
        if (lanesOnly || remainder >= lanePathMinBatch) {
            laneTile(x, xOffset + r * shape.in(), y, yOffset + r * shape.out(), remainder, z);
            return;
        }
        for (; r < batch; r++) {
            row(x, xOffset + r * shape.in(), y, yOffset + r * shape.out(), z);
        }
    }

    /** Row path: one row, every stacked product in turn. */
    private void row(float[] x, int xRow, float[] y, int yRow, float[] z) {
        for (int stack = 0; stack < shape.stacks(); stack++) {
            System.arraycopy(x, xRow, z, 0, shape.in());
            Arrays.fill(z, shape.in(), shape.n(), 0f);
            float[] cs = rowStreams[stack];
            int c = 0;
            for (ButterflyPlan.Group group : rowPlan.groups()) {
                c = VectorButterflyPass.run(group, z, cs, c, false);
            }
            RowOutput.write(shape, stack, z, 0, 1, bias, y, yRow);
        }
    }

    /** Lane path: up to L rows transposed into the lanes of the scratch tile. */
    private void laneTile(float[] x, int xRow, float[] y, int yRow, int rows, float[] z) {
        int in = shape.in();
        int n = shape.n();
        for (int stack = 0; stack < shape.stacks(); stack++) {
            LaneTranspose.gather(x, xRow, in, rows, z, n);
            float[] cs = laneStreams[stack];
            int c = 0;
            for (ButterflyPlan.Group group : lanePlan.groups()) {
                c = VectorButterflyPass.run(group, z, cs, c, true);
            }
            for (int r = 0; r < rows; r++) {
                RowOutput.write(shape, stack, z, r, L, bias, y, yRow + r * shape.out());
            }
        }
    }
}
