package io.kaleidoscope.search;

import io.kaleidoscope.model.Decoder;
import io.kaleidoscope.model.DecoderState;
import io.kaleidoscope.model.ModelConfig;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * Greedy decoding of a batch: every row starts from bos; each step takes the most probable
 * allowed token ({@link StepMask}); a sentence stops at eos. When a quarter of the rows still
 * being computed belong to finished sentences, the state is compacted to the others
 * ({@link Decoder#compact}, in {@link Compaction}'s order), so a batch stops paying for sentences
 * that are done.
 */
public final class GreedySearch {
    private GreedySearch() {}

    /**
     * @param initial    one row per sentence; closed by the caller (states made by compaction are
     *                   closed here)
     * @param maxLengths per sentence, the max output length in tokens including eos
     * @return per sentence, the output ids without bos and eos
     */
    public static int[][] run(Decoder decoder, DecoderState initial, ModelConfig config, int[] maxLengths) {
        int sentences = initial.rows();
        int vocab = config.vocabSize();
        int longest = Arrays.stream(maxLengths).max().orElse(0);
        int[][] out = new int[sentences][longest];
        int[] lengths = new int[sentences];
        boolean[] done = new boolean[sentences];
        int rows = sentences;
        int[] sentenceOf = new int[rows];
        for (int r = 0; r < rows; r++) {
            sentenceOf[r] = r;
        }
        int[] tokens = new int[rows];
        Arrays.fill(tokens, config.bos());
        float[] rowLogProbs = new float[vocab];
        int vectorEnd = RowScan.vectorEnd(vocab);
        int remaining = sentences;
        int finishedRows = 0;
        DecoderState state = initial;
        try {
            for (int step = 0; step < longest && remaining > 0; step++) {
                Cancellation.checkpoint();
                state.setInputs(tokens, step);
                decoder.step(state);
                FloatBuffer lp = state.logProbs();
                for (int r = 0; r < rows; r++) {
                    int s = sentenceOf[r];
                    int best = 0;
                    float bestScore = Float.NEGATIVE_INFINITY;
                    lp.get(r * vocab, rowLogProbs, 0, vocab);
                    for (int v0 = 0; v0 < vocab; v0 += RowScan.L) {
                        if (v0 < vectorEnd && !RowScan.anyAbove(rowLogProbs, v0, 0f, bestScore)) {
                            continue;   // nothing here beats the best so far
                        }
                        for (int v = v0; v < Math.min(v0 + RowScan.L, vocab); v++) {
                            float score = StepMask.allowed(config, rowLogProbs[v], v, step, maxLengths[s]);
                            if (score > bestScore) {   // strict: the first maximum wins, as argmax does
                                bestScore = score;
                                best = v;
                            }
                        }
                    }
                    tokens[r] = best;
                    if (done[s]) {
                        continue;
                    }
                    if (best == config.eos()) {
                        done[s] = true;
                        remaining--;
                        finishedRows++;
                    } else {
                        out[s][lengths[s]++] = best;
                    }
                }
                if (remaining > 0 && Compaction.due(finishedRows, rows)) {
                    boolean[] finished = new boolean[rows];
                    for (int r = 0; r < rows; r++) {
                        finished[r] = done[sentenceOf[r]];
                    }
                    int[] keep = Compaction.liveGroups(finished);
                    DecoderState next = decoder.compact(state, keep);
                    if (state != initial) {
                        state.close();
                    }
                    state = next;
                    for (int r = 0; r < keep.length; r++) {   // keep[r] is r or beyond the new end: safe in place
                        sentenceOf[r] = sentenceOf[keep[r]];
                        tokens[r] = tokens[keep[r]];
                    }
                    rows = keep.length;
                    finishedRows = 0;
                }
            }
        } finally {
            if (state != initial) {
                state.close();
            }
        }
        int[][] result = new int[sentences][];
        for (int s = 0; s < sentences; s++) {
            result[s] = Arrays.copyOf(out[s], lengths[s]);
        }
        return result;
    }
}
