package io.kaleidoscope.eval;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Corpus BLEU as sacreBLEU computes it by default: 13a tokenisation, case-sensitive, n-grams
 * 1..4 with counts clipped by the best reference and summed over the corpus, the closest
 * reference length (ties: the shorter), brevity penalty, "exp" smoothing of orders without
 * matches. Mirrors {@code training/bleu.py}; tested against sacreBLEU's published example.
 */
public final class CorpusBleu {
    private static final int MAX_ORDER = 4;

    /** The score and its parts, printed in sacreBLEU's format by {@link #toString()}. */
    public record Score(double score, double[] precisions, double brevityPenalty, int hypLength, int refLength) {
        @Override
        public String toString() {
            StringBuilder p = new StringBuilder();
            for (int n = 0; n < precisions.length; n++) {
                p.append(n == 0 ? "" : "/").append(String.format(java.util.Locale.ROOT, "%.1f", precisions[n]));
            }
            return String.format(java.util.Locale.ROOT, "BLEU = %.2f %s (BP = %.3f ratio = %.3f hyp_len = %d ref_len = %d)",
                    score, p, brevityPenalty, (double) hypLength / Math.max(refLength, 1), hypLength, refLength);
        }
    }

    private CorpusBleu() {}

    /**
     * @param hypotheses one line per sentence
     * @param references one or more reference streams, each with one line per sentence
     */
    public static Score score(List<String> hypotheses, List<List<String>> references) {
        return fromStatistics(SentenceStatistics.sum(sentenceStatistics(hypotheses, references)));
    }

    /** Each sentence's statistics ({@link #sentenceStatistics(String, List)}), in order. */
    public static long[][] sentenceStatistics(List<String> hypotheses, List<List<String>> references) {
        return SentenceStatistics.of(hypotheses, references, CorpusBleu::sentenceStatistics);
    }

    /**
     * What corpus BLEU sums over sentences: per order 1..4 the clipped n-gram matches
     * ({@code [0, 4)}) and the hypothesis n-grams ({@code [4, 8)}), then the hypothesis length and
     * the closest reference length (ties: the shorter). Summing these and calling
     * {@link #fromStatistics} is corpus BLEU; a paired bootstrap resamples them.
     */
    public static long[] sentenceStatistics(String hypothesis, List<String> references) {
        long[] statistics = new long[2 * MAX_ORDER + 2];
        String[] h = Tokenizer13a.tokenize(hypothesis);
        int bestRef = -1;
        int bestDiff = Integer.MAX_VALUE;
        Map<List<String>, Integer> maxRef = new HashMap<>();
        for (String reference : references) {
            String[] r = Tokenizer13a.tokenize(reference);
            int diff = Math.abs(r.length - h.length);
            if (diff < bestDiff || (diff == bestDiff && r.length < bestRef)) {
                bestDiff = diff;
                bestRef = r.length;
            }
            ngrams(r).forEach((gram, count) -> maxRef.merge(gram, count, Math::max));
        }
        for (Map.Entry<List<String>, Integer> e : ngrams(h).entrySet()) {
            int order = e.getKey().size();
            statistics[order - 1] += Math.min(e.getValue(), maxRef.getOrDefault(e.getKey(), 0));
            statistics[MAX_ORDER + order - 1] += e.getValue();
        }
        statistics[2 * MAX_ORDER] = h.length;
        statistics[2 * MAX_ORDER + 1] = bestRef;
        return statistics;
    }

    /** Corpus BLEU from summed {@link #sentenceStatistics(String, List)}. */
    public static Score fromStatistics(long[] sums) {
        long[] correct = java.util.Arrays.copyOfRange(sums, 0, MAX_ORDER);
        long[] total = java.util.Arrays.copyOfRange(sums, MAX_ORDER, 2 * MAX_ORDER);
        int hypLength = Math.toIntExact(sums[2 * MAX_ORDER]);
        int refLength = Math.toIntExact(sums[2 * MAX_ORDER + 1]);
        double[] precisions = new double[MAX_ORDER];
        double smooth = 1.0;
        // No match at any order: BLEU 0 with zero precisions, as sacreBLEU stops early (its #141),
        // not the smoothed precisions' small positive score.
        boolean anyMatch = java.util.Arrays.stream(correct).anyMatch(c -> c > 0);
        for (int n = 0; n < MAX_ORDER && anyMatch; n++) {
            if (total[n] == 0) {
                break;
            }
            if (correct[n] == 0) {
                smooth *= 2;
                precisions[n] = 100.0 / (smooth * total[n]);
            } else {
                precisions[n] = 100.0 * correct[n] / total[n];
            }
        }
        double bp = hypLength == 0 ? 0.0 : hypLength >= refLength ? 1.0 : Math.exp(1.0 - (double) refLength / hypLength);
        double score = 0.0;
        boolean allPositive = true;
        double logSum = 0;
        for (double p : precisions) {
            allPositive &= p > 0;
            logSum += p > 0 ? Math.log(p) : 0;
        }
        if (allPositive) {
            score = bp * Math.exp(logSum / MAX_ORDER);
        }
        return new Score(score, precisions, bp, hypLength, refLength);
    }

    /**
     * N-gram counts for orders 1..4, keyed by the token list itself (a separator character could
     * occur inside a token: a model's byte pieces can produce any character).
     */
    private static Map<List<String>, Integer> ngrams(String[] tokens) {
        Map<List<String>, Integer> counts = new HashMap<>();
        for (int n = 1; n <= MAX_ORDER; n++) {
            for (int i = 0; i + n <= tokens.length; i++) {
                counts.merge(List.of(java.util.Arrays.copyOfRange(tokens, i, i + n)), 1, Integer::sum);
            }
        }
        return counts;
    }
}
