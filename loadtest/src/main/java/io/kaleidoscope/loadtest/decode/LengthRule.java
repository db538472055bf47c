package io.kaleidoscope.loadtest.decode;

import io.kaleidoscope.SearchOptions;
import java.util.Arrays;
import java.util.Locale;

/**
 * An output length limit for a benchmark run, ⌊a · source tokens⌋ + b (eos included on both
 * sides), in place of the bundles' own (1.5, 10).
 *
 * <p>Why: a bundle with random weights almost never emits eos, so under the bundles' limit every
 * sentence decodes to 1.5 × its source length + 10 tokens, about 2.5 times as many steps as a
 * trained model takes on the test sentences. That spreads the encoder's cost, which both models
 * share, over too many steps and flatters the K-matrix/dense ratio. {@link #fittedTo} gives a
 * limit under which such a bundle decodes about as many tokens as the references have.
 */
record LengthRule(double a, int b) {
    LengthRule {
        if (!(a >= 0) || b < 1) {
            throw new IllegalArgumentException("a length rule needs a >= 0 and b >= 1, got a=%s b=%d".formatted(a, b));
        }
    }

    /**
     * a = reference tokens / source tokens over the sentences (eos included in both), b = 1: the
     * limits then add up to the references' tokens, plus about half a token per sentence for
     * the rounding down.
     */
    static LengthRule fittedTo(int[][] sources, int[][] references) {
        long source = Arrays.stream(sources).mapToLong(s -> s.length).sum();
        long reference = Arrays.stream(references).mapToLong(r -> r.length).sum();
        return new LengthRule((double) reference / source, 1);
    }

    SearchOptions applyTo(SearchOptions options) {
        return options.withMaxLength(a, b);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "⌊%.3f · source tokens⌋ + %d", a, b);
    }
}
