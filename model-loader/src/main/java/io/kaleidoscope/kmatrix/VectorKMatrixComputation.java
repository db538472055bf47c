package io.kaleidoscope.kmatrix;

import java.util.Arrays;

/**
 * One layer prepared for {@link VectorKMatrixKernel}: its fused-level plans (one for four rows at
 * once, one for single rows; the same plan unless the register file is small) and one coefficient
 * stream per plan and stacked product, built once at load time.
 *
 * <p>A call copies rows into scratch four at a time (zero-padded to n; scratch holds rows at
 * z[0], z[n], z[2n], z[3n]), runs every group of the plan with {@link FourRowButterflies} (the
 * one to three rows left over with {@link OneRowButterflies}), and writes the outputs with the
 * stack or chunk-sum rule and the bias ({@link VectorRowOutput}). Per stacked product the input
 * is copied again, since the transform works in place.
 */
final class VectorKMatrixComputation implements KMatrixKernel.Computation {
    static final int ROWS_PER_PASS = 4;

    /**
     * Wide strides per group in the four-row passes: two (16 data vectors live) where there are
     * 32 vector registers, one (8 live) where there are 16, which two would spill.
     */
    static final int FOUR_ROW_GROUP_BITS = VectorRegisters.large() ? 2 : 1;
    /** Wide strides per group for a single row: two, whose 4 data vectors fit either register file. */
    static final int ONE_ROW_GROUP_BITS = 2;

    private final KMatrixShape shape;
    private final float[] bias;
    private final ButterflyPlan fourRowPlan;
    private final ButterflyPlan oneRowPlan;
    private final float[][] fourRowStreams;
    private final float[][] oneRowStreams;

    VectorKMatrixComputation(KMatrixWeights weights) {
        this(weights, FOUR_ROW_GROUP_BITS, ONE_ROW_GROUP_BITS);
    }

    /** With chosen group sizes; tests use it to cover every shape of pass. */
    VectorKMatrixComputation(KMatrixWeights weights, int fourRowGroupBits, int oneRowGroupBits) {
        this.shape = weights.shape();
        this.bias = weights.bias();
        int lanes = VectorKMatrixKernel.SPECIES.length();
        this.fourRowPlan = new ButterflyPlan(shape, lanes, fourRowGroupBits);
        this.fourRowStreams = streams(fourRowPlan, weights);
        if (oneRowGroupBits == fourRowGroupBits) {
            this.oneRowPlan = fourRowPlan;
            this.oneRowStreams = fourRowStreams;
        } else {
            this.oneRowPlan = new ButterflyPlan(shape, lanes, oneRowGroupBits);
            this.oneRowStreams = streams(oneRowPlan, weights);
        }
    }

    /** One coefficient stream per stacked product, in the order the plan reads them. */
    private static float[][] streams(ButterflyPlan plan, KMatrixWeights weights) {
        float[][] streams = new float[weights.shape().stacks()][];
        for (int stack = 0; stack < streams.length; stack++) {
            streams[stack] = plan.coefficientStream(weights, stack);
        }
        return streams;
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
                float[] cs = fourRowStreams[stack];
                int c = 0;
                for (ButterflyPlan.Group group : fourRowPlan.groups()) {
                    c = FourRowButterflies.run(group, z, n, cs, c);
                }
                for (int q = 0; q < ROWS_PER_PASS; q++) {
                    VectorRowOutput.write(shape, stack, z, q * n, bias, y, yOffset + (r + q) * out);
                }
            }
        }
        for (; r < batch; r++) {
            for (int stack = 0; stack < shape.stacks(); stack++) {
                copyPadded(x, xOffset + r * in, z, 0);
                float[] cs = oneRowStreams[stack];
                int c = 0;
                for (ButterflyPlan.Group group : oneRowPlan.groups()) {
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
