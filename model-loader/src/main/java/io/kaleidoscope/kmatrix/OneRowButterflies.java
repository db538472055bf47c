package io.kaleidoscope.kmatrix;

import static io.kaleidoscope.kmatrix.LaneShuffles.XOR_1;
import static io.kaleidoscope.kmatrix.LaneShuffles.XOR_2;
import static io.kaleidoscope.kmatrix.LaneShuffles.XOR_4;
import static io.kaleidoscope.kmatrix.LaneShuffles.XOR_8;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The one-row form of {@link FourRowButterflies}, for the rows left over when the batch is not
 * a multiple of four (and for batch 1, the latency case). Same plan, same coefficient stream,
 * same reasons for being unrolled.
 */
final class OneRowButterflies {
    static final VectorSpecies<Float> SPECIES = VectorKMatrixKernel.SPECIES;
    static final int L = SPECIES.length();

    private OneRowButterflies() {}

    /**
     * Applies one group in place to the row at z[0..n).
     *
     * @param cs the coefficient stream of this stacked product
     * @param c  where this group's coefficients start in it
     * @return where the next group's coefficients start
     */
    static int run(ButterflyPlan.Group group, float[] z, int n, float[] cs, int c) {
        return switch (group.bits()) {
            case 0 -> runNarrow(group, z, n, cs, c);
            case 1 -> run2(group, z, n, cs, c);
            case 2 -> run4(group, z, n, cs, c);
            default -> throw new IllegalStateException("group with " + group.bits() + " wide strides");
        };
    }

    /** Narrow levels: one vector per base and row, partners found by lane shuffles. */
    private static int runNarrow(ButterflyPlan.Group g, float[] z, int n, float[] cs, int c) {
        int[] strides = g.levelStrides();
        for (int k0 : g.bases()) {
            FloatVector v0 = FloatVector.fromArray(SPECIES, z, k0);
            for (int stride : strides) {
                VectorShuffle<Float> xor = switch (stride) {
                    case 1 -> XOR_1;
                    case 2 -> XOR_2;
                    case 4 -> XOR_4;
                    default -> XOR_8;
                };
                FloatVector self = FloatVector.fromArray(SPECIES, cs, c);
                FloatVector partner = FloatVector.fromArray(SPECIES, cs, c + L);
                v0 = v0.rearrange(xor).fma(partner, v0.mul(self));
                c += 2 * L;
            }
            v0.intoArray(z, k0);
        }
        return c;
    }

    /** 2^1 = 2 vectors per base and row. */
    private static int run2(ButterflyPlan.Group g, float[] z, int n, float[] cs, int c) {
        int d0 = g.wideStrides()[0];
        int[] bits = g.levelBits();
        for (int k0 : g.bases()) {
            FloatVector v00 = FloatVector.fromArray(SPECIES, z, k0);
            FloatVector v01 = FloatVector.fromArray(SPECIES, z, k0 + d0);
            for (int bit : bits) {
                FloatVector s0 = FloatVector.fromArray(SPECIES, cs, c);
                FloatVector p0 = FloatVector.fromArray(SPECIES, cs, c + 1 * L);
                FloatVector s1 = FloatVector.fromArray(SPECIES, cs, c + 2 * L);
                FloatVector p1 = FloatVector.fromArray(SPECIES, cs, c + 3 * L);
                FloatVector t00 = v01.fma(p0, v00.mul(s0));
                v01 = v00.fma(p1, v01.mul(s1));
                v00 = t00;
                c += 4 * L;
            }
            v00.intoArray(z, k0);
            v01.intoArray(z, k0 + d0);
        }
        return c;
    }

    /** 2^2 = 4 vectors per base and row. */
    private static int run4(ButterflyPlan.Group g, float[] z, int n, float[] cs, int c) {
        int d0 = g.wideStrides()[0];
        int d1 = g.wideStrides()[1];
        int[] bits = g.levelBits();
        for (int k0 : g.bases()) {
            FloatVector v00 = FloatVector.fromArray(SPECIES, z, k0);
            FloatVector v01 = FloatVector.fromArray(SPECIES, z, k0 + d0);
            FloatVector v02 = FloatVector.fromArray(SPECIES, z, k0 + d1);
            FloatVector v03 = FloatVector.fromArray(SPECIES, z, k0 + d0 + d1);
            for (int bit : bits) {
                switch (bit) {
                    case 0 -> {
                        FloatVector s0 = FloatVector.fromArray(SPECIES, cs, c);
                        FloatVector p0 = FloatVector.fromArray(SPECIES, cs, c + 1 * L);
                        FloatVector s1 = FloatVector.fromArray(SPECIES, cs, c + 2 * L);
                        FloatVector p1 = FloatVector.fromArray(SPECIES, cs, c + 3 * L);
                        FloatVector t00 = v01.fma(p0, v00.mul(s0));
                        v01 = v00.fma(p1, v01.mul(s1));
                        v00 = t00;
                        FloatVector s2 = FloatVector.fromArray(SPECIES, cs, c + 4 * L);
                        FloatVector p2 = FloatVector.fromArray(SPECIES, cs, c + 5 * L);
                        FloatVector s3 = FloatVector.fromArray(SPECIES, cs, c + 6 * L);
                        FloatVector p3 = FloatVector.fromArray(SPECIES, cs, c + 7 * L);
                        FloatVector t02 = v03.fma(p2, v02.mul(s2));
                        v03 = v02.fma(p3, v03.mul(s3));
                        v02 = t02;
                    }
                    default -> {
                        FloatVector s0 = FloatVector.fromArray(SPECIES, cs, c);
                        FloatVector p0 = FloatVector.fromArray(SPECIES, cs, c + 1 * L);
                        FloatVector s2 = FloatVector.fromArray(SPECIES, cs, c + 4 * L);
                        FloatVector p2 = FloatVector.fromArray(SPECIES, cs, c + 5 * L);
                        FloatVector t00 = v02.fma(p0, v00.mul(s0));
                        v02 = v00.fma(p2, v02.mul(s2));
                        v00 = t00;
                        FloatVector s1 = FloatVector.fromArray(SPECIES, cs, c + 2 * L);
                        FloatVector p1 = FloatVector.fromArray(SPECIES, cs, c + 3 * L);
                        FloatVector s3 = FloatVector.fromArray(SPECIES, cs, c + 6 * L);
                        FloatVector p3 = FloatVector.fromArray(SPECIES, cs, c + 7 * L);
                        FloatVector t01 = v03.fma(p1, v01.mul(s1));
                        v03 = v01.fma(p3, v03.mul(s3));
                        v01 = t01;
                    }
                }
                c += 8 * L;
            }
            v00.intoArray(z, k0);
            v01.intoArray(z, k0 + d0);
            v02.intoArray(z, k0 + d1);
            v03.intoArray(z, k0 + d0 + d1);
        }
        return c;
    }
}
