package io.kaleidoscope;

/**
 * How to search for a translation.
 *
 * @param beam          1 = greedy, k > 1 = beam search of width k
 * @param lengthPenalty exponent of the length normalisation of finished beam hypotheses
 * @param maxLengthA    max output tokens = ⌊a · source tokens⌋ + b (eos included on both sides)
 * @param maxLengthB    see maxLengthA
 */
public record SearchOptions(int beam, double lengthPenalty, double maxLengthA, int maxLengthB) {
    public SearchOptions {
        if (beam < 1 || beam > 64) {
            throw new IllegalArgumentException("beam must be in [1, 64], got " + beam);
        }
        if (maxLengthA < 0 || maxLengthB < 1) {
            throw new IllegalArgumentException("max length must allow at least one token, got a=%s b=%d".formatted(maxLengthA, maxLengthB));
        }
    }

    /** The same options with another beam width. */
    public SearchOptions withBeam(int width) {
        return new SearchOptions(width, lengthPenalty, maxLengthA, maxLengthB);
    }
}
