package io.kaleidoscope.kmatrix;

import jdk.incubator.vector.VectorShuffle;

/**
 * The lane permutations of the narrow butterfly levels: XOR_s swaps lanes i and i xor s, so a
 * vector holding positions k..k+L−1 meets its partners k xor s for s &lt; L.
 *
 * <p>One static final field per stride: C2 compiles {@code rearrange} to a single permute only
 * for a shuffle it sees as a constant. A float vector has at most 16 lanes, so the narrow strides
 * are 1, 2, 4 and 8; a stride not below a smaller species' length is never asked for (identity).
 */
final class LaneShuffles {
    static final VectorShuffle<Float> XOR_1 = xor(1);
    static final VectorShuffle<Float> XOR_2 = xor(2);
    static final VectorShuffle<Float> XOR_4 = xor(4);
    static final VectorShuffle<Float> XOR_8 = xor(8);

    private LaneShuffles() {}

    private static VectorShuffle<Float> xor(int stride) {
        int lanes = VectorKMatrixKernel.SPECIES.length();
        return VectorShuffle.fromOp(VectorKMatrixKernel.SPECIES, i -> stride < lanes ? i ^ stride : i);
    }
}
