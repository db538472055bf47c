package io.kaleidoscope.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The searches skip a vector of log-probs only when the scalar scan would have skipped every one
 * of its tokens: no score strictly above the threshold (an equal score loses to the earlier token,
 * NaN and −∞ never win). That the searches' results are unchanged is GoldenParityTest's part
 * (greedy and beam outputs equal to PyTorch's).
 */
class RowScanTest {
    private static final int L = RowScan.L;

    @Test
    void aVectorIsKeptExactlyWhenSomeScoreBeatsTheThreshold() {
        float[] row = new float[3 * L];
        Arrays.fill(row, -5f);
        row[L + L - 1] = -2f;                                   // last lane of the second vector
        assertFalse(RowScan.anyAbove(row, 0, 0f, -5f));         // equal is not above
        assertTrue(RowScan.anyAbove(row, 0, 0f, -5.0001f));
        assertTrue(RowScan.anyAbove(row, L, 0f, -2.5f));
        assertFalse(RowScan.anyAbove(row, L, 0f, -2f));
        assertTrue(RowScan.anyAbove(row, L, -1f, -3.5f));       // base -1: score -3 > -3.5
        assertFalse(RowScan.anyAbove(row, L, -1f, -3f));
    }

    @Test
    void negativeInfinityAndNaNNeverBeatAnything() {
        float[] row = new float[L];
        Arrays.fill(row, Float.NEGATIVE_INFINITY);
        row[1] = Float.NaN;                                     // lanes that exist at every width
        assertFalse(RowScan.anyAbove(row, 0, 0f, Float.NEGATIVE_INFINITY));
        row[L - 1] = -80f;
        assertTrue(RowScan.anyAbove(row, 0, 0f, Float.NEGATIVE_INFINITY));
        assertFalse(RowScan.anyAbove(row, 0, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY));
    }

    @Test
    void theVectorPartEndsAtAWholeVector() {
        assertEquals(8000 - 8000 % L, RowScan.vectorEnd(8000));
        assertEquals(0, RowScan.vectorEnd(L - 1));
        assertEquals(2 * L, RowScan.vectorEnd(2 * L + 1));
    }
}
