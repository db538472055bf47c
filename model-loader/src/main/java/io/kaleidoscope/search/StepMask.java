package io.kaleidoscope.search;

import io.kaleidoscope.model.ModelConfig;

/**
 * Which tokens a row may produce at a step (docs/bundle-format.md §7): never pad or bos; at the
 * last step a sentence is allowed (max output length − 1, counting from 0) only eos.
 */
final class StepMask {
    private StepMask() {}

    /** The log-prob the search uses for token v, or −∞ where the token is not allowed. */
    static float allowed(ModelConfig config, float logProb, int token, int step, int maxLength) {
        if (token == config.pad() || token == config.bos()) {
            return Float.NEGATIVE_INFINITY;
        }
        if (step >= maxLength - 1 && token != config.eos()) {
            return Float.NEGATIVE_INFINITY;
        }
        return logProb;
    }

    /**
     * Max output length in tokens, eos included: ⌊a · source length⌋ + b, the source length
     * counting its ids including the final eos.
     */
    static int maxOutputLength(int sourceLength, double a, int b) {
        return (int) Math.floor(a * sourceLength) + b;
    }
}
