package io.kaleidoscope;

/**
 * How to search for a translation.
 *
 * @param beam          1 = greedy, k > 1 = beam search of width k
 * @param lengthPenalty exponent of the length normalisation of finished beam hypotheses
 * @param maxLengthA    max output tokens = ⌊a · source tokens⌋ + b (eos included on both sides)
 * @param maxLengthB    see maxLengthA
 * @param maxTokens     a further cap on output tokens per sentence, eos not counted
 *                      ({@link #NO_CAP}: only the relative limit applies)
 * @param shortlist     score only the candidates of the bundle's lexical shortlist (when it has
 *                      one; docs/engine.md) instead of the whole vocabulary
 */
public record SearchOptions(int beam, double lengthPenalty, double maxLengthA, int maxLengthB, int maxTokens,
                            boolean shortlist) {
    /** maxTokens when only the limit relative to the source applies. */
    public static final int NO_CAP = Integer.MAX_VALUE;
    /**
     * Output tokens per sentence at most, whatever the options say: a search keeps every
     * hypothesis' history for the whole allowed length, so ⌊a · source⌋ + b with a huge a would
     * ask for gigabytes before the first step. Far above any real sentence (1.5 · 1,000 + 10).
     */
    public static final int MAX_OUTPUT_TOKENS = 4096;

    /** Options without an absolute cap on the output length. */
    public SearchOptions(int beam, double lengthPenalty, double maxLengthA, int maxLengthB) {
        this(beam, lengthPenalty, maxLengthA, maxLengthB, NO_CAP, false);
    }

    /** Options over the whole vocabulary. */
    public SearchOptions(int beam, double lengthPenalty, double maxLengthA, int maxLengthB, int maxTokens) {
        this(beam, lengthPenalty, maxLengthA, maxLengthB, maxTokens, false);
    }

    public SearchOptions {
        if (beam < 1 || beam > 64) {
            throw new IllegalArgumentException("beam must be in [1, 64], got " + beam);
        }
        if (!(maxLengthA >= 0) || !Double.isFinite(maxLengthA) || maxLengthB < 1) {
            throw new IllegalArgumentException("max length must be a finite a >= 0 and b >= 1, got a=%s b=%d".formatted(maxLengthA, maxLengthB));
        }
        if (!Double.isFinite(lengthPenalty)) {
            throw new IllegalArgumentException("length penalty must be a finite number, got " + lengthPenalty);
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("max tokens must be >= 1, got " + maxTokens);
        }
    }

    /**
     * Output tokens allowed for a source of the given length, eos included: the relative limit
     * ⌊a · source⌋ + b, capped at maxTokens + 1 and at {@link #MAX_OUTPUT_TOKENS} + 1.
     */
    public int maxOutputLength(int sourceTokens) {
        double relative = Math.floor(maxLengthA * sourceTokens) + maxLengthB;   // in double: no int overflow
        long cap = Math.min((long) MAX_OUTPUT_TOKENS, maxTokens) + 1;
        return (int) Math.min(relative, cap);
    }

    /** The same options with another beam width. */
    public SearchOptions withBeam(int width) {
        return new SearchOptions(width, lengthPenalty, maxLengthA, maxLengthB, maxTokens, shortlist);
    }

    /** The same options with the length limit ⌊a · source tokens⌋ + b (eos included on both sides). */
    public SearchOptions withMaxLength(double a, int b) {
        return new SearchOptions(beam, lengthPenalty, a, b, maxTokens, shortlist);
    }

    /** The same options with at most {@code tokens} output tokens per sentence (eos not counted). */
    public SearchOptions withMaxTokens(int tokens) {
        return new SearchOptions(beam, lengthPenalty, maxLengthA, maxLengthB, tokens, shortlist);
    }

    /** The same options with the shortlist on or off. */
    public SearchOptions withShortlist(boolean on) {
        return new SearchOptions(beam, lengthPenalty, maxLengthA, maxLengthB, maxTokens, on);
    }
}
