package io.kaleidoscope.kmatrix;

import java.util.Arrays;

/**
 * One layer prepared for {@link VectorKMatrixKernel}: its fused-level plan and one coefficient
 * stream per stacked product, built once at load time.
 *
 * <p>A call copies rows into scratch four at a time (zero-padded to n; scratch holds rows at
 * z[0], z[n], z[2n], z[3n]), runs every group of the plan with {@link FourRowButterflies} (the
 * one to three rows left over with {@link OneRowButterflies}), and writes the outputs with the
 * stack or chunk-sum rule and the bias ({@link VectorRowOutput}). Per stacked product the input
 * is copied again, since the transform works in place.
 */
final class VectorKMatrixComputation implements KMatrixKernel.Computation {
    static final int ROWS_PER_PASS = 4;

    private final KMatrixShape shape;
    private final float[] bias;
    private final ButterflyPlan plan;
    private final float[][] streams;
    /** Whether groups of two wide strides run two rows at a time ({@link FourRowButterflies#run}). */
    private final boolean twoRowPasses;

    VectorKMatrixComputation(KMatrixWeights weights) {
        this(weights, ButterflyPlan.MAX_GROUP_BITS, !VectorRegisters.large());
    }

    /** With a chosen group size and row pairing; tests use it to cover every shape of pass. */
    VectorKMatrixComputation(KMatrixWeights weights, int maxGroupBits, boolean twoRowPasses) {
        this.shape = weights.shape();
        this.bias = weights.bias();
        this.twoRowPasses = twoRowPasses;
        this.plan = new ButterflyPlan(shape, VectorKMatrixKernel.SPECIES.length(), maxGroupBits);
        this.streams = new float[shape.stacks()][];
        for (int stack = 0; stack < shape.stacks(); stack++) {
            streams[stack] = plan.coefficientStream(weights, stack);
        }
    }

    @Override
    public void apply(float[] x, int xOffset, float[] y, int yOffset, int batch, float[] z) {
        int in = shape.in();
        int out = shape.out();
        int n = shape.n();
        int r = 0;
        for (; r + ROWS_PER_PASS <= batch; r += ROWS_PER_PASS) {
            for (int stack = 0; stack < shape.stacks(); stack++) {
                for (int q = 0; q < ROWS_PER_PASS; q++) {
                    copyPadded(x, xOffset + (r + q) * in, z, q * n);
                }
                float[] cs = streams[stack];
                int c = 0;
                for (ButterflyPlan.Group group : plan.groups()) {
                    c = FourRowButterflies.run(group, z, n, cs, c, twoRowPasses);
                }
                for (int q = 0; q < ROWS_PER_PASS; q++) {
                    VectorRowOutput.write(shape, stack, z, q * n, bias, y, yOffset + (r + q) * out);
                }
            }
        }
        for (; r < batch; r++) {
            for (int stack = 0; stack < shape.stacks(); stack++) {
                copyPadded(x, xOffset + r * in, z, 0);
                float[] cs = streams[stack];
                int c = 0;
                for (ButterflyPlan.Group group : plan.groups()) {
                    c = OneRowButterflies.run(group, z, n, cs, c);
                }
                VectorRowOutput.write(shape, stack, z, 0, bias, y, yOffset + r * out);
            }
        }
    }

    private void copyPadded(float[] x, int xRow, float[] z, int zRow) {
        System.arraycopy(x, xRow, z, zRow, shape.in());
        if (shape.in() < shape.n()) {
            Arrays.fill(z, zRow + shape.in(), zRow + shape.n(), 0f);
        }
    }
}
