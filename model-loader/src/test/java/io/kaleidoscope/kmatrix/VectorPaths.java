package io.kaleidoscope.kmatrix;

/**
 * The vector kernel with its group sizes forced, so tests cover plans with one wide stride per
 * group (every pass shape of the kernel then occurs) and two, for the four-row and the one-row
 * passes alike, whichever blocking this machine's register file picks by default.
 */
final class VectorPaths {
    private VectorPaths() {}

    static KMatrixKernel withGroupBits(int bits) {
        return withGroupBits(bits, bits);
    }

    /** Four-row passes with {@code fourRowBits} wide strides per group, single rows with {@code oneRowBits}. */
    static KMatrixKernel withGroupBits(int fourRowBits, int oneRowBits) {
        KMatrixKernel vector = KMatrixKernels.vector();
        return new KMatrixKernel() {
            @Override
            public String description() {
                return "vector, " + fourRowBits + " wide strides per group for four rows, " + oneRowBits + " for one";
            }

            @Override
            public int rowsPerTile() {
                return vector.rowsPerTile();
            }

            @Override
            public Computation prepare(KMatrixWeights weights) {
                if (weights.shape().n() < VectorKMatrixKernel.SPECIES.length()) {
                    return vector.prepare(weights);
                }
                return new VectorKMatrixComputation(weights, fourRowBits, oneRowBits);
            }
        };
    }
}
