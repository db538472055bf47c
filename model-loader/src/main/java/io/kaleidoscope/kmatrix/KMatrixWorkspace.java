package io.kaleidoscope.kmatrix;

/**
 * Scratch memory for one thread's K-matrix calls, so that a call allocates nothing.
 *
 * <p>Holds one buffer of {@code maxN × rowsPerTile} floats: a tile of rows in the layout the
 * kernel computes in. One workspace serves every layer of a model whose n is at most maxN. Not
 * thread-safe: owned by one thread (the engine thread) for its lifetime.
 */
public final class KMatrixWorkspace {
    final float[] tile;

    KMatrixWorkspace(int maxN, int rowsPerTile) {
        if (maxN < KMatrixShape.MIN_N || maxN > KMatrixShape.MAX_N) {
            throw new IllegalArgumentException("maxN must be in [%d, %d], got %d"
                    .formatted(KMatrixShape.MIN_N, KMatrixShape.MAX_N, maxN));
        }
        this.tile = new float[maxN * rowsPerTile];
    }

    /** Size of the scratch buffer in floats. */
    public int capacity() {
        return tile.length;
    }
}
