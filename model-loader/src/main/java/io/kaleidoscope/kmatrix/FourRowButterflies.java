package io.kaleidoscope.kmatrix;

import static io.kaleidoscope.kmatrix.LaneShuffles.XOR_1;
import static io.kaleidoscope.kmatrix.LaneShuffles.XOR_2;
import static io.kaleidoscope.kmatrix.LaneShuffles.XOR_4;
import static io.kaleidoscope.kmatrix.LaneShuffles.XOR_8;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Runs one fused group of butterfly levels ({@link ButterflyPlan.Group}) over four rows at once.
 * Positions lie along the lanes (a vector holds positions k..k+L−1 of one row); each coefficient
 * vector is loaded once and used for all four rows, which is what lifts the kernel from bound by
 * coefficient loads (one row) to bound by arithmetic.
 *
 * <ul>
 *   <li>a wide group (strides ≥ L) loads, for each base, the 2^m vectors its m strides connect in
 *       each row, applies all its levels in registers and stores them once;</li>
 *   <li>the narrow group (strides &lt; L) works on one vector per row: the partner of each lane
 *       is another lane of the same vector ({@link LaneShuffles}).</li>
 * </ul>
 * Coefficients are read front to back from {@link ButterflyPlan#coefficientStream}: per vector
 * and level, L self then L partner values.
 *
 * <p>Why the code is unrolled by hand (generated once, then edited as source): C2 keeps vectors
 * in registers only when every Vector API call inlines into one compiled method. A helper taking
 * or returning vectors is not always inlined in a method this large, and a vector that crosses a
 * call is boxed on the heap: an early version with such helpers allocated 96 bytes per vector
 * operation and ran 40× slower. Here the only calls are the JDK's force-inlined Vector API
 * methods. Four rows × four vectors (m ≤ 2) keep 16 data vectors live, which fits the 32 vector
 * registers of AVX-512 with room for coefficients and temporaries; with AVX2's 16 they would
 * spill, so there such a group runs two rows at a time, twice ({@link VectorRegisters}).
 */
final class FourRowButterflies {
    static final VectorSpecies<Float> SPECIES = VectorKMatrixKernel.SPECIES;
    static final int L = SPECIES.length();

    private FourRowButterflies() {}

    /**
     * Applies one group in place to four rows at z[0], z[n], … (positions 0..n−1 of each row).
     *
     * @param cs           the coefficient stream of this stacked product
     * @param c            where this group's coefficients start in it
     * @param twoRowPasses whether a group of two wide strides runs two rows at a time (8 data
     *                     vectors live: AVX2's 16 registers) instead of four (16: AVX-512's 32)
     * @return where the next group's coefficients start
     */
    static int run(ButterflyPlan.Group group, float[] z, int n, float[] cs, int c, boolean twoRowPasses) {
        return switch (group.bits()) {
            case 0 -> runNarrow(group, z, n, cs, c);
            case 1 -> run2(group, z, n, cs, c);
            case 2 -> twoRowPasses ? run4InPairs(group, z, n, cs, c) : run4(group, z, n, cs, c);
            default -> throw new IllegalStateException("group with " + group.bits() + " wide strides");
        };
    }

    /** Narrow levels: one vector per base and row, partners found by lane shuffles. */
    private static int runNarrow(ButterflyPlan.Group g, float[] z, int n, float[] cs, int c) {
        int[] strides = g.levelStrides();
        for (int k0 : g.bases()) {
            FloatVector v0 = FloatVector.fromArray(SPECIES, z, k0);
            FloatVector v1 = FloatVector.fromArray(SPECIES, z, k0 + n);
            FloatVector v2 = FloatVector.fromArray(SPECIES, z, k0 + 2 * n);
            FloatVector v3 = FloatVector.fromArray(SPECIES, z, k0 + 3 * n);
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
                v1 = v1.rearrange(xor).fma(partner, v1.mul(self));
                v2 = v2.rearrange(xor).fma(partner, v2.mul(self));
                v3 = v3.rearrange(xor).fma(partner, v3.mul(self));
                c += 2 * L;
            }
            v0.intoArray(z, k0);
            v1.intoArray(z, k0 + n);
            v2.intoArray(z, k0 + 2 * n);
            v3.intoArray(z, k0 + 3 * n);
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
            FloatVector v10 = FloatVector.fromArray(SPECIES, z, k0 + n);
            FloatVector v11 = FloatVector.fromArray(SPECIES, z, k0 + d0 + n);
            FloatVector v20 = FloatVector.fromArray(SPECIES, z, k0 + 2 * n);
            FloatVector v21 = FloatVector.fromArray(SPECIES, z, k0 + d0 + 2 * n);
            FloatVector v30 = FloatVector.fromArray(SPECIES, z, k0 + 3 * n);
            FloatVector v31 = FloatVector.fromArray(SPECIES, z, k0 + d0 + 3 * n);
            for (int bit : bits) {
                FloatVector s0 = FloatVector.fromArray(SPECIES, cs, c);
                FloatVector p0 = FloatVector.fromArray(SPECIES, cs, c + 1 * L);
                FloatVector s1 = FloatVector.fromArray(SPECIES, cs, c + 2 * L);
                FloatVector p1 = FloatVector.fromArray(SPECIES, cs, c + 3 * L);
                FloatVector t00 = v01.fma(p0, v00.mul(s0));
                v01 = v00.fma(p1, v01.mul(s1));
                v00 = t00;
                FloatVector t10 = v11.fma(p0, v10.mul(s0));
                v11 = v10.fma(p1, v11.mul(s1));
                v10 = t10;
                FloatVector t20 = v21.fma(p0, v20.mul(s0));
                v21 = v20.fma(p1, v21.mul(s1));
                v20 = t20;
                FloatVector t30 = v31.fma(p0, v30.mul(s0));
                v31 = v30.fma(p1, v31.mul(s1));
                v30 = t30;
                c += 4 * L;
            }
            v00.intoArray(z, k0);
            v01.intoArray(z, k0 + d0);
            v10.intoArray(z, k0 + n);
            v11.intoArray(z, k0 + d0 + n);
            v20.intoArray(z, k0 + 2 * n);
            v21.intoArray(z, k0 + d0 + 2 * n);
            v30.intoArray(z, k0 + 3 * n);
            v31.intoArray(z, k0 + d0 + 3 * n);
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
            FloatVector v10 = FloatVector.fromArray(SPECIES, z, k0 + n);
            FloatVector v11 = FloatVector.fromArray(SPECIES, z, k0 + d0 + n);
            FloatVector v12 = FloatVector.fromArray(SPECIES, z, k0 + d1 + n);
            FloatVector v13 = FloatVector.fromArray(SPECIES, z, k0 + d0 + d1 + n);
            FloatVector v20 = FloatVector.fromArray(SPECIES, z, k0 + 2 * n);
            FloatVector v21 = FloatVector.fromArray(SPECIES, z, k0 + d0 + 2 * n);
            FloatVector v22 = FloatVector.fromArray(SPECIES, z, k0 + d1 + 2 * n);
            FloatVector v23 = FloatVector.fromArray(SPECIES, z, k0 + d0 + d1 + 2 * n);
            FloatVector v30 = FloatVector.fromArray(SPECIES, z, k0 + 3 * n);
            FloatVector v31 = FloatVector.fromArray(SPECIES, z, k0 + d0 + 3 * n);
            FloatVector v32 = FloatVector.fromArray(SPECIES, z, k0 + d1 + 3 * n);
            FloatVector v33 = FloatVector.fromArray(SPECIES, z, k0 + d0 + d1 + 3 * n);
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
                        FloatVector t10 = v11.fma(p0, v10.mul(s0));
                        v11 = v10.fma(p1, v11.mul(s1));
                        v10 = t10;
                        FloatVector t20 = v21.fma(p0, v20.mul(s0));
                        v21 = v20.fma(p1, v21.mul(s1));
                        v20 = t20;
                        FloatVector t30 = v31.fma(p0, v30.mul(s0));
                        v31 = v30.fma(p1, v31.mul(s1));
                        v30 = t30;
                        FloatVector s2 = FloatVector.fromArray(SPECIES, cs, c + 4 * L);
                        FloatVector p2 = FloatVector.fromArray(SPECIES, cs, c + 5 * L);
                        FloatVector s3 = FloatVector.fromArray(SPECIES, cs, c + 6 * L);
                        FloatVector p3 = FloatVector.fromArray(SPECIES, cs, c + 7 * L);
                        FloatVector t02 = v03.fma(p2, v02.mul(s2));
                        v03 = v02.fma(p3, v03.mul(s3));
                        v02 = t02;
                        FloatVector t12 = v13.fma(p2, v12.mul(s2));
                        v13 = v12.fma(p3, v13.mul(s3));
                        v12 = t12;
                        FloatVector t22 = v23.fma(p2, v22.mul(s2));
                        v23 = v22.fma(p3, v23.mul(s3));
                        v22 = t22;
                        FloatVector t32 = v33.fma(p2, v32.mul(s2));
                        v33 = v32.fma(p3, v33.mul(s3));
                        v32 = t32;
                    }
                    default -> {
                        FloatVector s0 = FloatVector.fromArray(SPECIES, cs, c);
                        FloatVector p0 = FloatVector.fromArray(SPECIES, cs, c + 1 * L);
                        FloatVector s2 = FloatVector.fromArray(SPECIES, cs, c + 4 * L);
                        FloatVector p2 = FloatVector.fromArray(SPECIES, cs, c + 5 * L);
                        FloatVector t00 = v02.fma(p0, v00.mul(s0));
                        v02 = v00.fma(p2, v02.mul(s2));
                        v00 = t00;
                        FloatVector t10 = v12.fma(p0, v10.mul(s0));
                        v12 = v10.fma(p2, v12.mul(s2));
                        v10 = t10;
                        FloatVector t20 = v22.fma(p0, v20.mul(s0));
                        v22 = v20.fma(p2, v22.mul(s2));
                        v20 = t20;
                        FloatVector t30 = v32.fma(p0, v30.mul(s0));
                        v32 = v30.fma(p2, v32.mul(s2));
                        v30 = t30;
                        FloatVector s1 = FloatVector.fromArray(SPECIES, cs, c + 2 * L);
                        FloatVector p1 = FloatVector.fromArray(SPECIES, cs, c + 3 * L);
                        FloatVector s3 = FloatVector.fromArray(SPECIES, cs, c + 6 * L);
                        FloatVector p3 = FloatVector.fromArray(SPECIES, cs, c + 7 * L);
                        FloatVector t01 = v03.fma(p1, v01.mul(s1));
                        v03 = v01.fma(p3, v03.mul(s3));
                        v01 = t01;
                        FloatVector t11 = v13.fma(p1, v11.mul(s1));
                        v13 = v11.fma(p3, v13.mul(s3));
                        v11 = t11;
                        FloatVector t21 = v23.fma(p1, v21.mul(s1));
                        v23 = v21.fma(p3, v23.mul(s3));
                        v21 = t21;
                        FloatVector t31 = v33.fma(p1, v31.mul(s1));
                        v33 = v31.fma(p3, v33.mul(s3));
                        v31 = t31;
                    }
                }
                c += 8 * L;
            }
            v00.intoArray(z, k0);
            v01.intoArray(z, k0 + d0);
            v02.intoArray(z, k0 + d1);
            v03.intoArray(z, k0 + d0 + d1);
            v10.intoArray(z, k0 + n);
            v11.intoArray(z, k0 + d0 + n);
            v12.intoArray(z, k0 + d1 + n);
            v13.intoArray(z, k0 + d0 + d1 + n);
            v20.intoArray(z, k0 + 2 * n);
            v21.intoArray(z, k0 + d0 + 2 * n);
            v22.intoArray(z, k0 + d1 + 2 * n);
            v23.intoArray(z, k0 + d0 + d1 + 2 * n);
            v30.intoArray(z, k0 + 3 * n);
            v31.intoArray(z, k0 + d0 + 3 * n);
            v32.intoArray(z, k0 + d1 + 3 * n);
            v33.intoArray(z, k0 + d0 + d1 + 3 * n);
        }
        return c;
    }

    /** Rows 0 and 1, then rows 2 and 3 with the same coefficients (read again, from L1). */
    private static int run4InPairs(ButterflyPlan.Group g, float[] z, int n, float[] cs, int c) {
        run4TwoRows(g, z, n, 0, cs, c);
        return run4TwoRows(g, z, n, 2 * n, cs, c);
    }

    /**
     * 2^2 = 4 vectors per base and row for the two rows at z[row0] and z[row0 + n]: 8 data vectors
     * live, which AVX2's 16 registers hold beside the coefficients. Returns where the next group's
     * coefficients start, as {@link #run4} does.
     */
    private static int run4TwoRows(ButterflyPlan.Group g, float[] z, int n, int row0, float[] cs, int c) {
        int d0 = g.wideStrides()[0];
        int d1 = g.wideStrides()[1];
        int[] bits = g.levelBits();
        for (int base : g.bases()) {
            int k0 = base + row0;
            FloatVector v00 = FloatVector.fromArray(SPECIES, z, k0);
            FloatVector v01 = FloatVector.fromArray(SPECIES, z, k0 + d0);
            FloatVector v02 = FloatVector.fromArray(SPECIES, z, k0 + d1);
            FloatVector v03 = FloatVector.fromArray(SPECIES, z, k0 + d0 + d1);
            FloatVector v10 = FloatVector.fromArray(SPECIES, z, k0 + n);
            FloatVector v11 = FloatVector.fromArray(SPECIES, z, k0 + d0 + n);
            FloatVector v12 = FloatVector.fromArray(SPECIES, z, k0 + d1 + n);
            FloatVector v13 = FloatVector.fromArray(SPECIES, z, k0 + d0 + d1 + n);
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
                        FloatVector t10 = v11.fma(p0, v10.mul(s0));
                        v11 = v10.fma(p1, v11.mul(s1));
                        v10 = t10;
                        FloatVector s2 = FloatVector.fromArray(SPECIES, cs, c + 4 * L);
                        FloatVector p2 = FloatVector.fromArray(SPECIES, cs, c + 5 * L);
                        FloatVector s3 = FloatVector.fromArray(SPECIES, cs, c + 6 * L);
                        FloatVector p3 = FloatVector.fromArray(SPECIES, cs, c + 7 * L);
                        FloatVector t02 = v03.fma(p2, v02.mul(s2));
                        v03 = v02.fma(p3, v03.mul(s3));
                        v02 = t02;
                        FloatVector t12 = v13.fma(p2, v12.mul(s2));
                        v13 = v12.fma(p3, v13.mul(s3));
                        v12 = t12;
                    }
                    default -> {
                        FloatVector s0 = FloatVector.fromArray(SPECIES, cs, c);
                        FloatVector p0 = FloatVector.fromArray(SPECIES, cs, c + 1 * L);
                        FloatVector s2 = FloatVector.fromArray(SPECIES, cs, c + 4 * L);
                        FloatVector p2 = FloatVector.fromArray(SPECIES, cs, c + 5 * L);
                        FloatVector t00 = v02.fma(p0, v00.mul(s0));
                        v02 = v00.fma(p2, v02.mul(s2));
                        v00 = t00;
                        FloatVector t10 = v12.fma(p0, v10.mul(s0));
                        v12 = v10.fma(p2, v12.mul(s2));
                        v10 = t10;
                        FloatVector s1 = FloatVector.fromArray(SPECIES, cs, c + 2 * L);
                        FloatVector p1 = FloatVector.fromArray(SPECIES, cs, c + 3 * L);
                        FloatVector s3 = FloatVector.fromArray(SPECIES, cs, c + 6 * L);
                        FloatVector p3 = FloatVector.fromArray(SPECIES, cs, c + 7 * L);
                        FloatVector t01 = v03.fma(p1, v01.mul(s1));
                        v03 = v01.fma(p3, v03.mul(s3));
                        v01 = t01;
                        FloatVector t11 = v13.fma(p1, v11.mul(s1));
                        v13 = v11.fma(p3, v13.mul(s3));
                        v11 = t11;
                    }
                }
                c += 8 * L;
            }
            v00.intoArray(z, k0);
            v01.intoArray(z, k0 + d0);
            v02.intoArray(z, k0 + d1);
            v03.intoArray(z, k0 + d0 + d1);
            v10.intoArray(z, k0 + n);
            v11.intoArray(z, k0 + d0 + n);
            v12.intoArray(z, k0 + d1 + n);
            v13.intoArray(z, k0 + d0 + d1 + n);
        }
        return c;
    }
}
