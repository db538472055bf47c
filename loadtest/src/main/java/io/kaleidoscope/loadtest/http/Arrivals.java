package io.kaleidoscope.loadtest.http;

import java.util.Random;

/**
 * When requests are due in an open-loop run: evenly spaced at a constant rate, or a Poisson
 * process (exponential gaps) with the same mean rate. The schedule never depends on responses.
 */
final class Arrivals {
    enum Kind { CONSTANT, POISSON }

    private final Kind kind;
    private final double meanGapNanos;
    private final Random random;

    Arrivals(Kind kind, double ratePerSecond, long seed) {
        if (!(ratePerSecond > 0)) {
            throw new IllegalArgumentException("rate must be > 0, got " + ratePerSecond);
        }
        this.kind = kind;
        this.meanGapNanos = 1e9 / ratePerSecond;
        this.random = new Random(seed);
    }

    /** Nanoseconds from this request's due time to the next one's. */
    long nextGapNanos() {
        double gap = kind == Kind.CONSTANT ? meanGapNanos : -Math.log(1 - random.nextDouble()) * meanGapNanos;
        return Math.max(1, Math.round(gap));
    }
}
