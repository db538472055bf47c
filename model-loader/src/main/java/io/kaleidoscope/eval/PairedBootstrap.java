package io.kaleidoscope.eval;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;

/**
 * Paired bootstrap resampling (Koehn 2004, "Statistical Significance Tests for Machine
 * Translation Evaluation"): is one system's corpus score better than another's on the same test
 * sentences by more than the choice of sentences explains? Each resample draws as many sentence
 * indices as the test set has, with replacement, and scores both systems on the same draw, so
 * the difference varies only with the sentences, not with two independent draws.
 *
 * <p>Reported: the observed difference, the middle 95% of the resampled differences (the lowest
 * and the highest 2.5% dropped, rounded down), how many resamples the model won outright, and the
 * one-sided p-value of "the model is not better", {@code (1 + resamples the model did not win) /
 * (1 + resamples)}. The seed is fixed so that a rerun prints the same figures.
 */
public final class PairedBootstrap {
    /** The seed {@code ./kaleido evaluate --baseline} uses. */
    public static final long DEFAULT_SEED = 20041;

    /**
     * @param observed model − baseline on the whole test set
     * @param lower the lowest resampled difference once the lowest 2.5% are dropped
     * @param upper the highest once the highest 2.5% are dropped
     * @param wins resamples in which the model scored strictly higher
     * @param resamples how many resamples were drawn
     * @param pValue one-sided: {@code (1 + resamples − wins) / (1 + resamples)}
     */
    public record Comparison(double observed, double lower, double upper, int wins, int resamples, double pValue) {}

    private PairedBootstrap() {}

    /**
     * @param model each sentence's statistics for the model under test
     * @param baseline the same sentences' statistics for the baseline
     * @param metric the corpus score of summed statistics, e.g. {@code s -> CorpusBleu.fromStatistics(s).score()}
     */
    public static Comparison compare(long[][] model, long[][] baseline, ToDoubleFunction<long[]> metric,
            int resamples, long seed) {
        if (model.length != baseline.length) {
            throw new IllegalArgumentException("model and baseline must score the same sentences: "
                    + model.length + " against " + baseline.length);
        }
        if (model.length == 0 || resamples < 1) {
            throw new IllegalArgumentException("needs at least one sentence and one resample");
        }
        double observed = metric.applyAsDouble(SentenceStatistics.sum(model))
                - metric.applyAsDouble(SentenceStatistics.sum(baseline));
        SplittableRandom random = new SplittableRandom(seed);
        int sentences = model.length;
        long[] modelSums = new long[model[0].length];
        long[] baselineSums = new long[baseline[0].length];
        double[] differences = new double[resamples];
        int wins = 0;
        for (int r = 0; r < resamples; r++) {
            Arrays.fill(modelSums, 0);
            Arrays.fill(baselineSums, 0);
            for (int draw = 0; draw < sentences; draw++) {
                int i = random.nextInt(sentences);
                SentenceStatistics.addTo(modelSums, model[i]);
                SentenceStatistics.addTo(baselineSums, baseline[i]);
            }
            differences[r] = metric.applyAsDouble(modelSums) - metric.applyAsDouble(baselineSums);
            if (differences[r] > 0) {
                wins++;
            }
        }
        Arrays.sort(differences);
        // the middle 95%: as many resamples cut from each end, so that swapping the two systems
        // mirrors the interval exactly
        int cut = (int) (0.025 * resamples);
        return new Comparison(observed, differences[cut], differences[resamples - 1 - cut],
                wins, resamples, (1.0 + resamples - wins) / (1.0 + resamples));
    }
}
