package io.kaleidoscope.kmatrix;

/**
 * The vector kernel with its group size and row pairing forced, so tests cover plans with one
 * wide stride per group (every pass shape of the kernel then occurs) as well as two, with the
 * four-row passes over two strides run four rows at once (32 registers) and two at a time (16),
 * whichever this machine's register file picks by default.
 */
final class VectorPaths {
    private VectorPaths() {}

    static KMatrixKernel withGroupBits(int bits, boolean twoRowPasses) {
        KMatrixKernel vector = KMatrixKernels.vector();
        return new KMatrixKernel() {
            @Override
            public String description() {
                return "vector, " + bits + " wide strides per group" + (twoRowPasses ? ", two rows at a time" : "");
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
                return new VectorKMatrixComputation(weights, bits, twoRowPasses);
            }
        };
    }
}
