package io.kaleidoscope.search;

/**
 * When a search drops the rows of its finished sentences, and in which order the others go
 * ({@link io.kaleidoscope.model.Decoder#compact}).
 *
 * <p>The decoder compacts in place: a kept row either stays where it is or moves into the place
 * of a dropped one from beyond the new end. So the holes left by finished sentences are filled
 * with the last live sentences, and only those move (at most as many as were dropped), rather
 * than every sentence after the first hole shifting down.
 */
final class Compaction {
    private Compaction() {}

    /**
     * Whether a search should compact now: when at least a quarter of its sentences are finished.
     * Measured at batch 32 × beam 4 (base-size random weights, 96 sentences at reference lengths),
     * while compaction still copied into a new state: a quarter ~4% faster than a half, an eighth
     * no faster than a quarter (docs/engine.md, "Compaction in place").
     */
    static boolean due(int finished, int total) {
        return finished > 0 && 4 * finished >= total;
    }

    /**
     * The live groups in their new order: new group i is old group {@code result[i]}, which is i
     * itself when that group is live, else a live group from beyond the new end, the last first.
     */
    static int[] liveGroups(boolean[] finished) {
        int live = 0;
        for (boolean f : finished) {
            if (!f) {
                live++;
            }
        }
        int[] order = new int[live];
        int from = finished.length - 1;
        for (int i = 0; i < live; i++) {
            if (!finished[i]) {
                order[i] = i;
                continue;
            }
            while (finished[from]) {
                from--;
            }
            order[i] = from--;
        }
        return order;
    }

    /** The rows of {@code groups} (each {@code size} rows, group g owning rows g·size …), in that order. */
    static int[] rows(int[] groups, int size) {
        int[] rows = new int[groups.length * size];
        for (int i = 0; i < groups.length; i++) {
            for (int j = 0; j < size; j++) {
                rows[i * size + j] = groups[i] * size + j;
            }
        }
        return rows;
    }
}
