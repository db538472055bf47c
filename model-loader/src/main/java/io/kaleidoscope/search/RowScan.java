package io.kaleidoscope.search;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vocabulary scans of the searches, one vector of log-probs at a time: a vector none of whose
 * scores beats the current threshold (the greedy search's best so far, the beam's 2k-th best
 * candidate) is skipped with one comparison; any other is walked token by token exactly as a
 * scalar scan would, so the results, ties included, are the scalar scan's. After the first few
 * hundred tokens almost every vector is skipped (docs/engine.md, "Search scans").
 */
final class RowScan {
    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    static final int L = SPECIES.length();

    private RowScan() {}

    /** Whether some score base + row[v..v+L) is greater than {@code threshold}. */
    static boolean anyAbove(float[] row, int v, float base, float threshold) {
        return FloatVector.fromArray(SPECIES, row, v).add(base).compare(VectorOperators.GT, threshold).anyTrue();
    }

    /** Where the vector part of a scan over {@code length} tokens ends (the rest is scalar). */
    static int vectorEnd(int length) {
        return SPECIES.loopBound(length);
    }
}
