package io.kaleidoscope.kmatrix;

/**
 * A K-matrix linear layer ready to run: y = K·x + bias on a batch of rows (DESIGN.md §2).
 *
 * <p>Built once at load time from canonical twiddles; the kernel converts them to its own
 * layout then. {@link #apply} allocates nothing and is safe to call from several threads as long
 * as each passes its own {@link KMatrixWorkspace}; the engine calls it from one thread.
 */
public final class KMatrixLayer {
    private final KMatrixShape shape;
    private final KMatrixKernel kernel;
    private final KMatrixKernel.Computation computation;

    private KMatrixLayer(KMatrixShape shape, KMatrixKernel kernel, KMatrixKernel.Computation computation) {
        this.shape = shape;
        this.kernel = kernel;
        this.computation = computation;
    }

    /** Prepares a layer from its weights for the given kernel. */
    public static KMatrixLayer create(KMatrixWeights weights, KMatrixKernel kernel) {
        return new KMatrixLayer(weights.shape(), kernel, kernel.prepare(weights));
    }

    /** Prepares a layer for the kernel chosen at start-up ({@link KMatrixKernels#preferred()}). */
    public static KMatrixLayer create(KMatrixWeights weights) {
        return create(weights, KMatrixKernels.preferred());
    }

    public KMatrixShape shape() {
        return shape;
    }

    public KMatrixKernel kernel() {
        return kernel;
    }

    /**
     * Computes {@code batch} rows: reads {@code x[xOffset + r·in + k]}, writes
     * {@code y[yOffset + r·out + j]} for r in [0, batch). x and y must not overlap.
     *
     * @throws IllegalArgumentException if an array is too short, the batch is negative, or the
     *                                  workspace was made for a smaller n or another kernel's tile
     */
    public void apply(float[] x, int xOffset, float[] y, int yOffset, int batch, KMatrixWorkspace workspace) {
        if (batch < 0) {
            throw new IllegalArgumentException("batch must be >= 0, got " + batch);
        }
        if (xOffset < 0 || (long) xOffset + (long) batch * shape.in() > x.length) {
            throw new IllegalArgumentException("layer '%s': input of length %d is too short for %d rows of %d at offset %d"
                    .formatted(shape.name(), x.length, batch, shape.in(), xOffset));
        }
        if (yOffset < 0 || (long) yOffset + (long) batch * shape.out() > y.length) {
            throw new IllegalArgumentException("layer '%s': output of length %d is too short for %d rows of %d at offset %d"
                    .formatted(shape.name(), y.length, batch, shape.out(), yOffset));
        }
        if (workspace.capacity() < shape.n() * kernel.rowsPerTile()) {
            throw new IllegalArgumentException("layer '%s': workspace of %d floats is too small (needs n=%d × %d rows)"
                    .formatted(shape.name(), workspace.capacity(), shape.n(), kernel.rowsPerTile()));
        }
        computation.apply(x, xOffset, y, yOffset, batch, workspace.tile);
    }

    /** Convenience: rows start at offset 0 in both arrays. */
    public void apply(float[] x, float[] y, int batch, KMatrixWorkspace workspace) {
        apply(x, 0, y, 0, batch, workspace);
    }
}
