package io.kaleidoscope.kmatrix;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Runs one fused group of butterfly levels ({@link ButterflyPlan.Group}) over a scratch buffer
 * with the Vector API: for each base, load the group's 2^m vectors, apply every level of the
 * group in registers, store them once.
 *
 * <p>Two data layouts share this code:
 * <ul>
 *   <li><b>row layout</b> ({@code lanes = false}): one row, positions along the lanes. A vector
 *       holds positions k..k+L−1; wide levels pair two vectors, narrow levels (stride < L) pair
 *       lanes of one vector through a fixed xor shuffle. Coefficients are vectors (L self, then L
 *       partner values per vector and level).</li>
 *   <li><b>lane layout</b> ({@code lanes = true}): a tile of L rows transposed, position k of all
 *       rows in one vector at {@code z[k·L]}. Every level pairs whole vectors and a coefficient is
 *       one scalar broadcast to all rows, so each coefficient read serves L rows.</li>
 * </ul>
 * The coefficients are read front to back from the stream {@link ButterflyPlan#coefficientStream}
 * built for the same plan. Stateless; allocates nothing once compiled (vectors live in registers).
 */
final class VectorButterflyPass {
    static final VectorSpecies<Float> SPECIES = VectorKMatrixKernel.SPECIES;
    static final int L = SPECIES.length();

    /** XOR_SHUFFLES[j] swaps lanes i and i xor 2^j, for the narrow levels of the row layout. */
    private static final VectorShuffle<Float>[] XOR_SHUFFLES = xorShuffles();

    private VectorButterflyPass() {}

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] xorShuffles() {
        int count = Integer.numberOfTrailingZeros(L);
        VectorShuffle<Float>[] shuffles = new VectorShuffle[Math.max(count, 1)];
        for (int j = 0; j < count; j++) {
            int bit = 1 << j;
            shuffles[j] = VectorShuffle.fromOp(SPECIES, i -> i ^ bit);
        }
        return shuffles;
    }

    /**
     * Applies one group in place.
     *
     * @param z     scratch buffer in the row or the lane layout
     * @param cs    coefficient stream of this stack
     * @param c     index in the stream where this group's coefficients start
     * @param lanes true for the lane layout
     * @return index in the stream just after this group's coefficients
     */
    static int run(ButterflyPlan.Group group, float[] z, float[] cs, int c, boolean lanes) {
        return switch (group.bits()) {
            case 0 -> run1(group, z, cs, c);
            case 1 -> run2(group, z, cs, c, lanes);
            case 2 -> run4(group, z, cs, c, lanes);
            case 3 -> run8(group, z, cs, c, lanes);
            default -> throw new IllegalStateException("group with " + group.bits() + " wide strides");
        };
    }

    /** new = self·v + partner·p, coefficients for one vector at cs[c]. */
    private static FloatVector mix(FloatVector v, FloatVector p, float[] cs, int c, boolean lanes) {
        if (lanes) {
            return p.fma(FloatVector.broadcast(SPECIES, cs[c + 1]), v.mul(cs[c]));
        }
        FloatVector self = FloatVector.fromArray(SPECIES, cs, c);
        FloatVector partner = FloatVector.fromArray(SPECIES, cs, c + L);
        return p.fma(partner, v.mul(self));
    }

    /** A narrow level on one vector of the row layout: the partner is a lane of the same vector. */
    private static FloatVector mixInVector(FloatVector v, int stride, float[] cs, int c) {
        return mix(v, v.rearrange(XOR_SHUFFLES[Integer.numberOfTrailingZeros(stride)]), cs, c, false);
    }

    /** Only narrow levels (row layout): one vector per base. */
    private static int run1(ButterflyPlan.Group g, float[] z, float[] cs, int c) {
        int[] strides = g.levelStrides();
        for (int base : g.bases()) {
            FloatVector v0 = FloatVector.fromArray(SPECIES, z, base);
            for (int stride : strides) {
                v0 = mixInVector(v0, stride, cs, c);
                c += 2 * L;
            }
            v0.intoArray(z, base);
        }
        return c;
    }

    private static int run2(ButterflyPlan.Group g, float[] z, float[] cs, int c, boolean lanes) {
        int unit = lanes ? L : 1;          // floats between consecutive positions
        int step = lanes ? 2 : 2 * L;      // stream floats per vector and level
        int d0 = g.wideStrides()[0] * unit;
        int[] strides = g.levelStrides();
        int[] bits = g.levelBits();
        for (int base : g.bases()) {
            int k0 = base * unit;
            FloatVector v0 = FloatVector.fromArray(SPECIES, z, k0);
            FloatVector v1 = FloatVector.fromArray(SPECIES, z, k0 + d0);
            for (int t = 0; t < bits.length; t++) {
                if (bits[t] < 0) {
                    v0 = mixInVector(v0, strides[t], cs, c);
                    v1 = mixInVector(v1, strides[t], cs, c + step);
                } else {
                    FloatVector n0 = mix(v0, v1, cs, c, lanes);
                    v1 = mix(v1, v0, cs, c + step, lanes);
                    v0 = n0;
                }
                c += 2 * step;
            }
            v0.intoArray(z, k0);
            v1.intoArray(z, k0 + d0);
        }
        return c;
    }

    private static int run4(ButterflyPlan.Group g, float[] z, float[] cs, int c, boolean lanes) {
        int unit = lanes ? L : 1;
        int step = lanes ? 2 : 2 * L;
        int d0 = g.wideStrides()[0] * unit;
        int d1 = g.wideStrides()[1] * unit;
        int[] strides = g.levelStrides();
        int[] bits = g.levelBits();
        for (int base : g.bases()) {
            int k0 = base * unit;
            FloatVector v0 = FloatVector.fromArray(SPECIES, z, k0);
            FloatVector v1 = FloatVector.fromArray(SPECIES, z, k0 + d0);
            FloatVector v2 = FloatVector.fromArray(SPECIES, z, k0 + d1);
            FloatVector v3 = FloatVector.fromArray(SPECIES, z, k0 + d1 + d0);
            for (int t = 0; t < bits.length; t++) {
                FloatVector n0, n1, n2, n3;
                switch (bits[t]) {
                    case 0 -> {
                        n0 = mix(v0, v1, cs, c, lanes);
                        n1 = mix(v1, v0, cs, c + step, lanes);
                        n2 = mix(v2, v3, cs, c + 2 * step, lanes);
                        n3 = mix(v3, v2, cs, c + 3 * step, lanes);
                    }
                    case 1 -> {
                        n0 = mix(v0, v2, cs, c, lanes);
                        n1 = mix(v1, v3, cs, c + step, lanes);
                        n2 = mix(v2, v0, cs, c + 2 * step, lanes);
                        n3 = mix(v3, v1, cs, c + 3 * step, lanes);
                    }
                    default -> {
                        int s = strides[t];
                        n0 = mixInVector(v0, s, cs, c);
                        n1 = mixInVector(v1, s, cs, c + step);
                        n2 = mixInVector(v2, s, cs, c + 2 * step);
                        n3 = mixInVector(v3, s, cs, c + 3 * step);
                    }
                }
                v0 = n0;
                v1 = n1;
                v2 = n2;
                v3 = n3;
                c += 4 * step;
            }
            v0.intoArray(z, k0);
            v1.intoArray(z, k0 + d0);
            v2.intoArray(z, k0 + d1);
            v3.intoArray(z, k0 + d1 + d0);
        }
        return c;
    }

    private static int run8(ButterflyPlan.Group g, float[] z, float[] cs, int c, boolean lanes) {
        int unit = lanes ? L : 1;
        int step = lanes ? 2 : 2 * L;
        int d0 = g.wideStrides()[0] * unit;
        int d1 = g.wideStrides()[1] * unit;
        int d2 = g.wideStrides()[2] * unit;
        int[] strides = g.levelStrides();
        int[] bits = g.levelBits();
        for (int base : g.bases()) {
            int k0 = base * unit;
            FloatVector v0 = FloatVector.fromArray(SPECIES, z, k0);
            FloatVector v1 = FloatVector.fromArray(SPECIES, z, k0 + d0);
            FloatVector v2 = FloatVector.fromArray(SPECIES, z, k0 + d1);
            FloatVector v3 = FloatVector.fromArray(SPECIES, z, k0 + d1 + d0);
            FloatVector v4 = FloatVector.fromArray(SPECIES, z, k0 + d2);
            FloatVector v5 = FloatVector.fromArray(SPECIES, z, k0 + d2 + d0);
            FloatVector v6 = FloatVector.fromArray(SPECIES, z, k0 + d2 + d1);
            FloatVector v7 = FloatVector.fromArray(SPECIES, z, k0 + d2 + d1 + d0);
            for (int t = 0; t < bits.length; t++) {
                FloatVector n0, n1, n2, n3, n4, n5, n6, n7;
                switch (bits[t]) {
                    case 0 -> {
                        n0 = mix(v0, v1, cs, c, lanes);
                        n1 = mix(v1, v0, cs, c + step, lanes);
                        n2 = mix(v2, v3, cs, c + 2 * step, lanes);
                        n3 = mix(v3, v2, cs, c + 3 * step, lanes);
                        n4 = mix(v4, v5, cs, c + 4 * step, lanes);
                        n5 = mix(v5, v4, cs, c + 5 * step, lanes);
                        n6 = mix(v6, v7, cs, c + 6 * step, lanes);
                        n7 = mix(v7, v6, cs, c + 7 * step, lanes);
                    }
                    case 1 -> {
                        n0 = mix(v0, v2, cs, c, lanes);
                        n1 = mix(v1, v3, cs, c + step, lanes);
                        n2 = mix(v2, v0, cs, c + 2 * step, lanes);
                        n3 = mix(v3, v1, cs, c + 3 * step, lanes);
                        n4 = mix(v4, v6, cs, c + 4 * step, lanes);
                        n5 = mix(v5, v7, cs, c + 5 * step, lanes);
                        n6 = mix(v6, v4, cs, c + 6 * step, lanes);
                        n7 = mix(v7, v5, cs, c + 7 * step, lanes);
                    }
                    case 2 -> {
                        n0 = mix(v0, v4, cs, c, lanes);
                        n1 = mix(v1, v5, cs, c + step, lanes);
                        n2 = mix(v2, v6, cs, c + 2 * step, lanes);
                        n3 = mix(v3, v7, cs, c + 3 * step, lanes);
                        n4 = mix(v4, v0, cs, c + 4 * step, lanes);
                        n5 = mix(v5, v1, cs, c + 5 * step, lanes);
                        n6 = mix(v6, v2, cs, c + 6 * step, lanes);
                        n7 = mix(v7, v3, cs, c + 7 * step, lanes);
                    }
                    default -> {
                        int s = strides[t];
                        n0 = mixInVector(v0, s, cs, c);
                        n1 = mixInVector(v1, s, cs, c + step);
                        n2 = mixInVector(v2, s, cs, c + 2 * step);
                        n3 = mixInVector(v3, s, cs, c + 3 * step);
                        n4 = mixInVector(v4, s, cs, c + 4 * step);
                        n5 = mixInVector(v5, s, cs, c + 5 * step);
                        n6 = mixInVector(v6, s, cs, c + 6 * step);
                        n7 = mixInVector(v7, s, cs, c + 7 * step);
                    }
                }
                v0 = n0;
                v1 = n1;
                v2 = n2;
                v3 = n3;
                v4 = n4;
                v5 = n5;
                v6 = n6;
                v7 = n7;
                c += 8 * step;
            }
            v0.intoArray(z, k0);
            v1.intoArray(z, k0 + d0);
            v2.intoArray(z, k0 + d1);
            v3.intoArray(z, k0 + d1 + d0);
            v4.intoArray(z, k0 + d2);
            v5.intoArray(z, k0 + d2 + d0);
            v6.intoArray(z, k0 + d2 + d1);
            v7.intoArray(z, k0 + d2 + d1 + d0);
        }
        return c;
    }
}
