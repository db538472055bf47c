package io.kaleidoscope.kmatrix;

import java.util.ArrayList;
import java.util.List;

/**
 * How the vector kernel walks the levels of one n-point BB* product: consecutive levels are
 * fused into groups that each make one pass over the data.
 *
 * <p>A level at stride s pairs position k with k xor s. Levels whose stride is at least the
 * vector length L ("wide" levels) pair whole vectors; narrower ones pair lanes inside one vector.
 * A wide group holds consecutive wide levels whose strides take at most {@code maxGroupBits}
 * distinct values m: it loads the 2^m vectors those strides connect (positions base + any sum of
 * distinct wide strides), applies all its levels while they sit in registers, and stores them
 * once. The consecutive narrow levels (where B* meets B) form one group that works on one vector
 * at a time with lane shuffles. Loads and stores, not arithmetic, bound a level done on its own,
 * so fusing is where the speed comes from.
 *
 * <p>For n = 512, L = 16 and at most two wide strides per group the 18 levels become seven
 * passes: [256, 128], [64, 32], [16], [8, 4, 2, 1, 1, 2, 4, 8], [16, 32], [64, 128], [256].
 *
 * <p>The plan also fixes the order in which the kernel reads coefficients, so they are streamed
 * from one array front to back ({@link #coefficientStream}). Immutable.
 */
final class ButterflyPlan {
    /**
     * At most 2^2 = 4 vectors per row live per group: with four rows at once that is 16 vectors,
     * leaving registers for coefficients and temporaries where there are 32 (measured: 2 beats 3
     * bits with 4 rows); where there are 16 such a group runs two rows at a time.
     */
    static final int MAX_GROUP_BITS = 2;

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
    private final int maxGroupBits;
    private final List<Group> groups;

    /**
     * @param vectorLength lanes per vector along the position axis
     */
    ButterflyPlan(KMatrixShape shape, int vectorLength) {
        this(shape, vectorLength, MAX_GROUP_BITS);
    }

    /**
     * @param vectorLength lanes per vector along the position axis
     * @param maxGroupBits at most this many distinct wide strides per group (2^bits vectors live)
     */
    ButterflyPlan(KMatrixShape shape, int vectorLength, int maxGroupBits) {
        this.maxGroupBits = maxGroupBits;
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

    /**
     * Greedy grouping in application order: a run of narrow levels is one group; wide levels join
     * the current wide group while their strides take at most MAX_GROUP_BITS distinct values.
     */
    private List<Group> buildGroups() {
        List<Group> result = new ArrayList<>();
        List<Integer> levels = new ArrayList<>();
        List<Integer> wide = new ArrayList<>();
        boolean narrowGroup = false;
        for (int level = 0; level < shape.levels(); level++) {
            int s = shape.stride(level);
            boolean narrow = s < vectorLength;
            boolean fits = levels.isEmpty()
                    || (narrow && narrowGroup)
                    || (!narrow && !narrowGroup && (wide.contains(s) || wide.size() < maxGroupBits));
            if (!fits) {
                result.add(makeGroup(levels, wide));
                levels.clear();
                wide.clear();
            }
            narrowGroup = narrow;
            if (!narrow && !wide.contains(s)) {
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
     * coefficients.
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
