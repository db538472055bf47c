package io.kaleidoscope.kmatrix;

/**
 * An implementation of K-matrix products: a scalar reference and a Vector API kernel, chosen once
 * at start-up by {@link KMatrixKernels}. A kernel turns {@link KMatrixWeights} into a
 * {@link Computation} at load time (any layout conversion happens there, once) and says how
 * much scratch space a call needs.
 */
public interface KMatrixKernel {

    /** A short description for logs, e.g. "vector (512-bit, 16 float lanes)". */
    String description();

    /** Rows the kernel keeps in scratch at once; a workspace holds maxN × this many floats. */
    int rowsPerTile();

    /** Prepares one layer for this kernel. Called once per layer at load time. */
    Computation prepare(KMatrixWeights weights);

    /** Scratch space for layers with transform size up to {@code maxN}, for one thread. */
    default KMatrixWorkspace newWorkspace(int maxN) {
        return new KMatrixWorkspace(maxN, rowsPerTile());
    }

    /**
     * One prepared layer. Arguments have been checked by {@link KMatrixLayer}: input rows are
     * {@code x[xOffset + r·in + k]}, output rows {@code y[yOffset + r·out + j]}, the scratch array
     * holds at least n × rowsPerTile floats. Must not allocate.
     */
    interface Computation {
        void apply(float[] x, int xOffset, float[] y, int yOffset, int batch, float[] scratch);
    }
}
