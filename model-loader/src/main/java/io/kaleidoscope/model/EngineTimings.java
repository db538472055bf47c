package io.kaleidoscope.model;

/**
 * Where decoding time goes, accumulated in nanoseconds by the engine thread (single writer; read
 * a {@link #snapshot()} from that thread or after it finished). Each figure is wall time measured
 * with {@link System#nanoTime()} around the named work; the measuring costs about 25 ns per
 * timed call, well under 0.1% of a step.
 *
 * <ul>
 *   <li>{@code encoder}: the encoder graph, once per batch;</li>
 *   <li>{@code kmatrix}: the Java K-matrix layers (with their staging copies and the ReLU);</li>
 *   <li>{@code decoderGraphs}: ONNX Runtime decoder graphs except the output projection (for the
 *       dense model: the whole step graph, projection included, which it cannot separate);</li>
 *   <li>{@code outputProjection}: the K-matrix model's output graph (projection + log-softmax);</li>
 *   <li>{@code search}: the search's own work between steps (candidate selection, reordering).</li>
 * </ul>
 * It also counts the tokens decoded: source tokens (eos included) and output tokens (eos not).
 */
public final class EngineTimings {
    long encoder;
    long kmatrix;
    long decoderGraphs;
    long outputProjection;
    long search;
    long steps;
    long sourceTokens;
    long targetTokens;

    /** An immutable copy of the figures. */
    public record Snapshot(long encoderNanos, long kmatrixNanos, long decoderGraphsNanos, long outputProjectionNanos,
                           long searchNanos, long steps, long sourceTokens, long targetTokens) {
        public long totalNanos() {
            return encoderNanos + kmatrixNanos + decoderGraphsNanos + outputProjectionNanos + searchNanos;
        }
    }

    public Snapshot snapshot() {
        return new Snapshot(encoder, kmatrix, decoderGraphs, outputProjection, search, steps, sourceTokens, targetTokens);
    }

    public void reset() {
        encoder = kmatrix = decoderGraphs = outputProjection = search = steps = sourceTokens = targetTokens = 0;
    }

    /** Adds search time measured by the caller (the search loop minus its decoder steps). */
    public void addSearch(long nanos) {
        search += nanos;
    }

    /** Counts a decoded batch's tokens. */
    public void addTokens(long source, long target) {
        sourceTokens += source;
        targetTokens += target;
    }

    void addEncoder(long nanos) {
        encoder += nanos;
    }
}
