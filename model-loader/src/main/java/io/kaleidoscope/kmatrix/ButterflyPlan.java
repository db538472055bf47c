package io.kaleidoscope.kmatrix;

import java.util.ArrayList;
import java.util.List;

/**
 * How the vector kernel walks the levels of one n-point BB* product: consecutive levels are
 * fused into groups that each make one pass over the data.
 *
 * <p>A level at stride s pairs position k with k xor s. Levels whose stride is at least the
 * vector length ("wide" levels) pair whole vectors; narrower ones pair lanes inside one vector.
 * A group holds consecutive levels whose wide strides take at most {@link #MAX_GROUP_BITS}
 * distinct values: it loads the 2^m vectors that those m strides connect (positions
 * base + any sum of distinct wide strides), applies all its levels while they sit in registers
 * (narrow levels by lane shuffles), and stores them once. Loads and stores, not arithmetic, bound
 * a level done on its own, so fusing is where the speed comes from.
 *
 * <p>For n = 512 with 16 lanes the 18 levels become three passes:
 * [256, 128, 64], [32, 16, 8, 4, 2, 1, 1, 2, 4, 8, 16, 32, 64], [128, 256]. With one lane (the
 * batch-in-lanes layout, where every stride is wide) they become five:
 * [256, 128, 64], [32, 16, 8], [4, 2, 1, 1, 2, 4], [8, 16, 32], [64, 128, 256].
 *
 * <p>The plan also fixes the order in which the kernel reads coefficients, so they are streamed
 * from one array front to back ({@link #coefficientStream}). Immutable.
 */
final class ButterflyPlan {
    /** At most 2^3 = 8 vectors live per group, leaving registers for coefficients and temporaries. */
    static final int MAX_GROUP_BITS = 3;

    /** One pass over the data. */
    record Group(int[] levels, int[] levelStrides, int[] wideStrides, int[] levelBits, int[] bases) {
        /** Number of distinct wide strides, m: the group works on 2^m vectors at a time. */
        int bits() {
            return wideStrides.length;
        }

        /** Position of local vector i (bit j of i selects wideStrides[j]) for a base position. */
        int position(int base, int i) {
            int k = base;
            for (int j = 0; j < wideStrides.length; j++) {
                if ((i >> j & 1) != 0) {
                    k += wideStrides[j];
                }
            }
            return k;
        }
    }

    private final KMatrixShape shape;
    private final int vectorLength;
    private final List<Group> groups;

    /**
     * @param vectorLength lanes per vector along the position axis; 1 when the batch is in the lanes
     */
    ButterflyPlan(KMatrixShape shape, int vectorLength) {
        if (vectorLength > shape.n()) {
            throw new IllegalArgumentException("vector length %d exceeds n=%d".formatted(vectorLength, shape.n()));
        }
        this.shape = shape;
        this.vectorLength = vectorLength;
        this.groups = buildGroups();
    }

    List<Group> groups() {
        return groups;
    }

    int vectorLength() {
        return vectorLength;
    }

    private List<Group> buildGroups() {
        List<Group> result = new ArrayList<>();
        List<Integer> levels = new ArrayList<>();
        List<Integer> wide = new ArrayList<>();
        for (int level = 0; level < shape.levels(); level++) {
            int s = shape.stride(level);
            boolean fits = s < vectorLength || wide.contains(s) || wide.size() < MAX_GROUP_BITS;
            if (!fits) {
                result.add(makeGroup(levels, wide));
                levels.clear();
                wide.clear();
            }
            if (s >= vectorLength && !wide.contains(s)) {
                wide.add(s);
            }
            levels.add(level);
        }
        result.add(makeGroup(levels, wide));
        return List.copyOf(result);
    }

    private Group makeGroup(List<Integer> levels, List<Integer> wide) {
        int[] levelArray = levels.stream().mapToInt(Integer::intValue).toArray();
        int[] wideArray = wide.stream().mapToInt(Integer::intValue).toArray();
        int[] strides = new int[levelArray.length];
        int[] bits = new int[levelArray.length];
        for (int t = 0; t < levelArray.length; t++) {
            strides[t] = shape.stride(levelArray[t]);
            bits[t] = wide.indexOf(strides[t]);   // -1 for a narrow level
        }
        int mask = 0;
        for (int s : wideArray) {
            mask |= s;
        }
        int baseCount = shape.n() / vectorLength >> wideArray.length;
        int[] bases = new int[baseCount];
        int b = 0;
        for (int k = 0; k < shape.n(); k += vectorLength) {
            if ((k & mask) == 0) {
                bases[b++] = k;
            }
        }
        return new Group(levelArray, strides, wideArray, bits, bases);
    }

    /**
     * The coefficients of one stacked product in the order the kernel consumes them: for each
     * group, base and level of the group, for each local vector i in 0..2^m: {@code vectorLength}
     * self coefficients of the vector's positions, then its {@code vectorLength} partner
     * coefficients. With one lane this is (self, partner) scalar pairs.
     */
    float[] coefficientStream(KMatrixWeights weights, int stack) {
        float[] stream = new float[shape.levels() * shape.n() * 2];
        float[] self = weights.self();
        float[] partner = weights.partner();
        int c = 0;
        for (Group group : groups) {
            int vectors = 1 << group.bits();
            for (int base : group.bases()) {
                for (int level : group.levels()) {
                    int offset = weights.offset(stack, level);
                    for (int i = 0; i < vectors; i++) {
                        int k = group.position(base, i);
                        System.arraycopy(self, offset + k, stream, c, vectorLength);
                        c += vectorLength;
                        System.arraycopy(partner, offset + k, stream, c, vectorLength);
                        c += vectorLength;
                    }
                }
            }
        }
        if (c != stream.length) {
            throw new IllegalStateException("plan for " + shape + " covers " + c + " of " + stream.length + " coefficients");
        }
        return stream;
    }
}
