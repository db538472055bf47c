package io.kaleidoscope.search;

import io.kaleidoscope.model.Decoder;
import io.kaleidoscope.model.DecoderState;
import io.kaleidoscope.model.ModelConfig;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * Greedy decoding of a batch: every row starts from bos; each step takes the most probable
 * allowed token ({@link StepMask}); a row stops at eos. Rows that stopped keep being fed (their
 * output is ignored) until the whole batch is done, so the batch keeps its shape.
 */
public final class GreedySearch {
    private GreedySearch() {}

    /**
     * @param maxLengths per row, the max output length in tokens including eos
     * @return per row, the output ids without bos and eos
     */
    public static int[][] run(Decoder decoder, DecoderState state, ModelConfig config, int[] maxLengths) {
        int rows = state.rows();
        int vocab = config.vocabSize();
        int longest = Arrays.stream(maxLengths).max().orElse(0);
        int[][] out = new int[rows][longest];
        int[] lengths = new int[rows];
        boolean[] done = new boolean[rows];
        int[] tokens = new int[rows];
        Arrays.fill(tokens, config.bos());
        int remaining = rows;
        for (int step = 0; step < longest && remaining > 0; step++) {
            state.setInputs(tokens, step);
            decoder.step(state);
            FloatBuffer lp = state.logProbs();
            for (int r = 0; r < rows; r++) {
                int best = 0;
                float bestScore = Float.NEGATIVE_INFINITY;
                int base = r * vocab;
                for (int v = 0; v < vocab; v++) {
                    float s = StepMask.allowed(config, lp.get(base + v), v, step, maxLengths[r]);
                    if (s > bestScore) {   // strict: the first maximum wins, as argmax does
                        bestScore = s;
                        best = v;
                    }
                }
                tokens[r] = best;
                if (done[r]) {
                    continue;
                }
                if (best == config.eos()) {
                    done[r] = true;
                    remaining--;
                } else {
                    out[r][lengths[r]++] = best;
                }
            }
        }
        int[][] result = new int[rows][];
        for (int r = 0; r < rows; r++) {
            result[r] = Arrays.copyOf(out[r], lengths[r]);
        }
        return result;
    }
}
