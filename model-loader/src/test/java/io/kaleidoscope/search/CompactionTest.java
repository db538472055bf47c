package io.kaleidoscope.search;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kaleidoscope.model.EncodedBatch;
import org.junit.jupiter.api.Test;

class CompactionTest {
    @Test
    void holesAreFilledWithTheLastLiveGroups() {
        //                                           0      1     2      3      4     5      6      7
        int[] order = Compaction.liveGroups(new boolean[] {false, true, false, false, true, false, false, false});
        assertArrayEquals(new int[] {0, 7, 2, 3, 6, 5}, order);
        EncodedBatch.requireInPlaceOrder(order, 8, "group");   // what the decoder accepts
    }

    @Test
    void finishedGroupsAtTheEndMoveNothing() {
        assertArrayEquals(new int[] {0, 1}, Compaction.liveGroups(new boolean[] {false, false, true, true}));
        assertArrayEquals(new int[] {3, 2}, Compaction.liveGroups(new boolean[] {true, true, false, false}));
        assertArrayEquals(new int[] {}, Compaction.liveGroups(new boolean[] {true, true}));
    }

    @Test
    void rowsFollowTheirGroups() {
        assertArrayEquals(new int[] {0, 1, 2, 12, 13, 14}, Compaction.rows(new int[] {0, 4}, 3));
    }

    @Test
    void compactionIsDueAtAQuarterFinished() {
        assertFalse(Compaction.due(0, 1));
        assertFalse(Compaction.due(7, 32));
        assertTrue(Compaction.due(8, 32));
        assertTrue(Compaction.due(1, 4));
        assertTrue(Compaction.due(1, 1));
    }
}
