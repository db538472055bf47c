package io.kaleidoscope.eval;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Corpus chrF2 as sacreBLEU computes it: character n-grams 1..6 with whitespace removed, beta 2,
 * statistics summed over the corpus (with several references, each sentence uses the reference
 * with its best sentence chrF), F-beta of the precision and recall averaged over the orders.
 * Mirrors {@code training/bleu.py}.
 */
public final class CorpusChrf {
    private static final int ORDER = 6;
    private static final double BETA = 2.0;

    private CorpusChrf() {}

    public static double score(List<String> hypotheses, List<List<String>> references) {
        return fromStatistics(SentenceStatistics.sum(sentenceStatistics(hypotheses, references)));
    }

    /** Each sentence's statistics ({@link #sentenceStatistics(String, List)}), in order. */
    public static long[][] sentenceStatistics(List<String> hypotheses, List<List<String>> references) {
        return SentenceStatistics.of(hypotheses, references, CorpusChrf::sentenceStatistics);
    }

    /**
     * What corpus chrF sums over sentences: {@link #stats} against the reference with the best
     * sentence chrF (the first wins ties). Summing these and calling {@link #fromStatistics} is
     * corpus chrF; a paired bootstrap resamples them.
     */
    public static long[] sentenceStatistics(String hypothesis, List<String> references) {
        long[] best = null;
        double bestScore = -1;
        for (String reference : references) {
            long[] stats = stats(hypothesis, reference);
            double s = fromStatistics(stats);
            if (s > bestScore) {
                bestScore = s;
                best = stats;
            }
        }
        return best;
    }

    /** Per order: hypothesis n-grams, reference n-grams, matches (clipped). */
    private static long[] stats(String hypothesis, String reference) {
        String h = hypothesis.replaceAll("\\s+", "");
        String r = reference.replaceAll("\\s+", "");
        long[] stats = new long[3 * ORDER];
        for (int n = 1; n <= ORDER; n++) {
            Map<String, Integer> hc = grams(h, n);
            Map<String, Integer> rc = grams(r, n);
            long matches = 0;
            for (Map.Entry<String, Integer> e : hc.entrySet()) {
                matches += Math.min(e.getValue(), rc.getOrDefault(e.getKey(), 0));
            }
            stats[3 * (n - 1)] = Math.max(0, h.length() - n + 1);
            stats[3 * (n - 1) + 1] = Math.max(0, r.length() - n + 1);
            stats[3 * (n - 1) + 2] = matches;
        }
        return stats;
    }

    private static Map<String, Integer> grams(String s, int n) {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i + n <= s.length(); i++) {
            counts.merge(s.substring(i, i + n), 1, Integer::sum);
        }
        return counts;
    }

    /** Corpus chrF2 from summed {@link #sentenceStatistics(String, List)}. */
    public static double fromStatistics(long[] stats) {
        double factor = BETA * BETA;
        double eps = 1e-16;
        double precision = 0;
        double recall = 0;
        int effective = 0;
        for (int n = 0; n < ORDER; n++) {
            long hyp = stats[3 * n];
            long ref = stats[3 * n + 1];
            long match = stats[3 * n + 2];
            precision += hyp > 0 ? (double) match / hyp : eps;
            recall += ref > 0 ? (double) match / ref : eps;
            effective += hyp > 0 && ref > 0 ? 1 : 0;
        }
        if (effective == 0) {
            return 0.0;
        }
        precision /= effective;
        recall /= effective;
        if (precision + recall == 0) {
            return 0.0;
        }
        return 100.0 * (1 + factor) * precision * recall / (factor * precision + recall);
    }
}
