package io.kaleidoscope.kmatrix;

/**
 * The vector kernel with its group size forced, so tests cover plans with one wide stride per
 * group (every pass shape of the kernel then occurs) as well as the default of two.
 */
final class VectorPaths {
    private VectorPaths() {}

    static KMatrixKernel withGroupBits(int bits) {
        KMatrixKernel vector = KMatrixKernels.vector();
        return new KMatrixKernel() {
            @Override
            public String description() {
                return "vector, " + bits + " wide strides per group";
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
                return new VectorKMatrixComputation(weights, bits);
            }
        };
    }
}
