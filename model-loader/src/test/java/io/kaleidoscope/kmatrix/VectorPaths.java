package io.kaleidoscope.kmatrix;

/** Vector kernels that force one path for every batch size, so tests cover both. */
final class VectorPaths {
    private VectorPaths() {}

    static KMatrixKernel rowPathOnly() {
        return forced("vector, row path only", Integer.MAX_VALUE);
    }

    static KMatrixKernel lanePathOnly() {
        return forced("vector, lane path only", 1);
    }

    private static KMatrixKernel forced(String description, int lanePathMinBatch) {
        KMatrixKernel vector = KMatrixKernels.vector();
        return new KMatrixKernel() {
            @Override
            public String description() {
                return description;
            }

            @Override
            public int rowsPerTile() {
                return vector.rowsPerTile();
            }

            @Override
            public Computation prepare(KMatrixWeights weights) {
                return new VectorKMatrixComputation(weights, lanePathMinBatch);
            }
        };
    }
}
