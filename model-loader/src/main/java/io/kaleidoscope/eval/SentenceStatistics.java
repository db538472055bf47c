package io.kaleidoscope.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * BLEU and chrF are corpus metrics computed from statistics summed over sentences (n-gram
 * matches, totals, lengths). Keeping each sentence's statistics lets a paired bootstrap resample
 * sentences without tokenising them again.
 */
public final class SentenceStatistics {
    private SentenceStatistics() {}

    /**
     * @param hypotheses one line per sentence
     * @param references one or more reference streams, each with one line per sentence
     * @param ofSentence a metric's statistics of one hypothesis against its references
     */
    static long[][] of(List<String> hypotheses, List<List<String>> references,
            BiFunction<String, List<String>, long[]> ofSentence) {
        for (List<String> stream : references) {
            if (stream.size() != hypotheses.size()) {
                throw new IllegalArgumentException("every reference stream needs one line per hypothesis");
            }
        }
        long[][] statistics = new long[hypotheses.size()][];
        for (int i = 0; i < hypotheses.size(); i++) {
            List<String> sentenceReferences = new ArrayList<>(references.size());
            for (List<String> stream : references) {
                sentenceReferences.add(stream.get(i));
            }
            statistics[i] = ofSentence.apply(hypotheses.get(i), sentenceReferences);
        }
        return statistics;
    }

    /** Element-wise sum of equally long statistics. */
    public static long[] sum(long[][] statistics) {
        long[] sums = new long[statistics.length == 0 ? 0 : statistics[0].length];
        for (long[] sentence : statistics) {
            addTo(sums, sentence);
        }
        return sums;
    }

    static void addTo(long[] sums, long[] sentence) {
        for (int k = 0; k < sums.length; k++) {
            sums[k] += sentence[k];
        }
    }
}
