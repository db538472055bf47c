package io.kaleidoscope.search;

import io.kaleidoscope.model.Decoder;
import io.kaleidoscope.model.DecoderState;
import io.kaleidoscope.model.ModelConfig;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Comparator;

/**
 * Beam search over a batch of sentences (docs/bundle-format.md §7), sentence i owning rows
 * [i·k, i·k + k) of the decoder state.
 *
 * <p>A hypothesis' score is the float32 sum of its log-probs. Each step, per sentence, the 2k
 * best (score + log-prob) candidates over its live rows × vocabulary are walked best first: an
 * eos candidate finishes a hypothesis with normalised score sum / (length incl. eos)^lp; any
 * other extends the live beam, until k live hypotheses exist or k have finished. A sentence is
 * done when k have finished; its rows then idle with −∞ scores. The result is the finished
 * hypothesis with the best normalised score (the earliest on ties); {@link #runRanked} gives all k,
 * best first, for callers that offer alternatives. With k = 1 this is greedy.
 *
 * <p>Hypothesis histories live in two preallocated [rows][max length] arrays swapped each step;
 * the decoder's conv rings follow their parents through {@link DecoderState#reorder}. When a
 * quarter of the sentences still in the state are done, their rows are dropped
 * ({@link Decoder#compact}, in {@link Compaction}'s order).
 *
 * <p>The first step has one live hypothesis per sentence (bos), so it runs on a state with one
 * row per sentence when given one and {@link Decoder#expand}s it to the beam's rows afterwards:
 * the same candidates, for about a beam's share of that step's work (docs/engine.md, "First beam
 * step").
 */
public final class BeamSearch {
    /** A finished hypothesis of a sentence: its ids (without bos and eos) and normalised score. */
    public record Hypothesis(int[] ids, double score) {}

    /** Best first; on equal scores the one that finished first comes first. */
    private static final Comparator<Hypothesis> RANK = Comparator.comparingDouble(Hypothesis::score).reversed();

    private BeamSearch() {}

    /** The best finished hypothesis of each sentence. */
    public static Hypothesis[] run(Decoder decoder, DecoderState initial, ModelConfig config, int[] maxLengths,
                                   int beam, double lengthPenalty) {
        Hypothesis[][] ranked = runRanked(decoder, initial, config, maxLengths, beam, lengthPenalty);
        Hypothesis[] best = new Hypothesis[ranked.length];
        for (int i = 0; i < ranked.length; i++) {
            best[i] = ranked[i].length == 0 ? null : ranked[i][0];
        }
        return best;
    }

    /**
     * Every finished hypothesis of each sentence (k of them, or fewer for a search that was given
     * no room), best first: the same search as {@link #run}, whose result is each list's head.
     */
    public static Hypothesis[][] runRanked(Decoder decoder, DecoderState initial, ModelConfig config, int[] maxLengths,
                                           int beam, double lengthPenalty) {
        int sentences = maxLengths.length;
        int rows = sentences * beam;
        if (initial.rows() != rows && initial.rows() != sentences) {
            throw new IllegalArgumentException("state has %d rows, expected %d sentences, or %d sentences × beam %d"
                    .formatted(initial.rows(), sentences, sentences, beam));
        }
        // Rows per sentence in the state: 1 until the first step has been expanded, then the beam.
        int stateGroup = initial.rows() / sentences;
        int vocab = config.vocabSize();
        int longest = Arrays.stream(maxLengths).max().orElse(0);
        float[] scores = new float[rows];
        float[] newScores = new float[rows];
        int[][] history = new int[rows][longest];
        int[][] newHistory = new int[rows][longest];
        int[] tokens = new int[rows];
        int[] newTokens = new int[rows];
        int[] parents = new int[rows];
        // Sentence i's finished hypotheses in the order they finished; finishedCount[i] of them.
        Hypothesis[][] done = new Hypothesis[sentences][beam];
        int[] finishedCount = new int[sentences];
        // Group g (rows g·k .. g·k + k − 1) decodes sentence sentenceOf[g]; compaction drops groups.
        int groups = sentences;
        int[] sentenceOf = new int[sentences];
        for (int g = 0; g < groups; g++) {
            sentenceOf[g] = g;
        }
        // Candidate buffer of one sentence: the 2k best (score, row, token), sorted descending.
        int width = 2 * beam;
        float[] candScore = new float[width];
        int[] candRow = new int[width];
        int[] candToken = new int[width];
        float[] rowLogProbs = new float[vocab];

        Arrays.fill(scores, Float.NEGATIVE_INFINITY);
        for (int g = 0; g < groups; g++) {
            scores[g * stateGroup] = 0f;   // one live hypothesis; any copies must not be picked
        }
        Arrays.fill(tokens, config.bos());
        int sentencesLeft = sentences;
        int finishedGroups = 0;
        DecoderState state = initial;
        try {
            for (int step = 0; step < longest && sentencesLeft > 0; step++) {
                Cancellation.checkpoint();
                state.setInputs(tokens, step);
                decoder.step(state);
                FloatBuffer lp = state.logProbs();
                Arrays.fill(newScores, 0, rows, Float.NEGATIVE_INFINITY);
                Arrays.fill(newTokens, 0, rows, config.pad());
                for (int r = 0; r < rows; r++) {
                    parents[r] = r;
                }
                for (int g = 0; g < groups; g++) {
                    int i = sentenceOf[g];
                    if (finishedCount[i] >= beam) {
                        continue;
                    }
                    int found = topCandidates(config, lp, scores, g, stateGroup, vocab, step, maxLengths[i],
                            rowLogProbs, candScore, candRow, candToken);
                    int live = 0;
                    for (int c = 0; c < found; c++) {
                        float s = candScore[c];
                        int parent = candRow[c];
                        int length = step;   // a live hypothesis at step t has t tokens after bos
                        if (candToken[c] == config.eos()) {
                            if (finishedCount[i] < beam) {
                                double normalised = s / Math.pow(step + 1, lengthPenalty);
                                done[i][finishedCount[i]++] = new Hypothesis(Arrays.copyOf(history[parent], length), normalised);
                            }
                        } else if (live < beam) {
                            int row = g * beam + live;
                            newScores[row] = s;
                            newTokens[row] = candToken[c];
                            parents[row] = parent;
                            System.arraycopy(history[parent], 0, newHistory[row], 0, length);
                            newHistory[row][length] = candToken[c];
                            live++;
                        }
                        if (live == beam || finishedCount[i] >= beam) {
                            break;
                        }
                    }
                    if (finishedCount[i] >= beam) {
                        sentencesLeft--;
                        finishedGroups++;
                    }
                }
                float[] ts = scores;
                scores = newScores;
                newScores = ts;
                int[][] th = history;
                history = newHistory;
                newHistory = th;
                int[] tt = tokens;
                tokens = newTokens;
                newTokens = tt;
                if (stateGroup == beam) {
                    state.reorder(parents);
                } else {
                    // Every new row's parent is its sentence's one row: repeat those rows for the beam
                    // (expand closes the one-row state).
                    state = decoder.expand(state, beam);
                    stateGroup = beam;
                }

                if (sentencesLeft > 0 && Compaction.due(finishedGroups, groups)) {
                    // Drop the rows of finished sentences: compact the state and every per-row array.
                    boolean[] finished = new boolean[groups];
                    for (int g = 0; g < groups; g++) {
                        finished[g] = finishedCount[sentenceOf[g]] >= beam;
                    }
                    int[] keptGroups = Compaction.liveGroups(finished);
                    for (int g = 0; g < keptGroups.length; g++) {   // the group is g or beyond the new end: safe in place
                        sentenceOf[g] = sentenceOf[keptGroups[g]];
                    }
                    int[] keep = Compaction.rows(keptGroups, beam);
                    DecoderState next = decoder.compact(state, keep);
                    if (state != initial) {
                        state.close();
                    }
                    state = next;
                    int[][] keptHistory = new int[keep.length][];
                    int[][] spareHistory = new int[keep.length][];
                    for (int r = 0; r < keep.length; r++) {
                        scores[r] = scores[keep[r]];
                        tokens[r] = tokens[keep[r]];
                        keptHistory[r] = history[keep[r]];
                        spareHistory[r] = newHistory[keep[r]];
                    }
                    history = keptHistory;
                    newHistory = spareHistory;
                    rows = keep.length;
                    groups = rows / beam;
                    finishedGroups = 0;
                }
            }
        } finally {
            if (state != initial) {
                state.close();
            }
        }
        Hypothesis[][] ranked = new Hypothesis[sentences][];
        for (int i = 0; i < sentences; i++) {
            ranked[i] = Arrays.copyOf(done[i], finishedCount[i]);
            Arrays.sort(ranked[i], RANK);   // stable: ties keep the order they finished in
        }
        return ranked;
    }

    /**
     * Fills the 2k best candidates of the sentence decoded by row group {@code group} (state rows group·groupRows ..
     * group·groupRows + groupRows − 1), best first (on equal scores the lower row·V + token first); returns how many
     * are finite. {@code rowLogProbs} is scratch for one row's log-probs.
     */
    private static int topCandidates(ModelConfig config, FloatBuffer lp, float[] scores, int group, int groupRows,
                                     int vocab, int step, int maxLength, float[] rowLogProbs,
                                     float[] candScore, int[] candRow, int[] candToken) {
        int width = candScore.length;
        int count = 0;
        int vectorEnd = RowScan.vectorEnd(vocab);
        for (int h = 0; h < groupRows; h++) {
            int row = group * groupRows + h;
            float base = scores[row];
            if (base == Float.NEGATIVE_INFINITY) {
                continue;
            }
            lp.get(row * vocab, rowLogProbs, 0, vocab);
            for (int v0 = 0; v0 < vocab; v0 += RowScan.L) {
                // Most vectors hold no score above the current 2k-th best (−∞ until 2k are found): skip them whole.
                float threshold = count == width ? candScore[width - 1] : Float.NEGATIVE_INFINITY;
                if (v0 < vectorEnd && !RowScan.anyAbove(rowLogProbs, v0, base, threshold)) {
                    continue;
                }
                for (int v = v0; v < Math.min(v0 + RowScan.L, vocab); v++) {
                    float s = base + rowLogProbs[v];
                    if ((count == width && s <= candScore[width - 1]) || s == Float.NEGATIVE_INFINITY) {
                        continue;
                    }
                    if (StepMask.allowed(config, 0f, v, step, maxLength) == Float.NEGATIVE_INFINITY) {
                        continue;
                    }
                    int at = count == width ? width - 1 : count++;
                    while (at > 0 && candScore[at - 1] < s) {
                        candScore[at] = candScore[at - 1];
                        candRow[at] = candRow[at - 1];
                        candToken[at] = candToken[at - 1];
                        at--;
                    }
                    candScore[at] = s;
                    candRow[at] = row;
                    candToken[at] = v;
                }
            }
        }
        return count;
    }
}
