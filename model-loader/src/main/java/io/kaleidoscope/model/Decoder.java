package io.kaleidoscope.model;

/**
 * One incremental decoder step for every row of a {@link DecoderState}: reads the state's tokens,
 * step index and conv rings, writes the log-probabilities and the step's conv inputs into the rings.
 * Two implementations: {@link DenseDecoder} (one ONNX graph) and {@link KMatrixDecoder} (ONNX
 * pieces around the Java K-matrix kernel). Not thread-safe: used by the engine thread.
 */
public interface Decoder extends AutoCloseable {

    /**
     * A state for a search over the encoded rows, every token scored: one row per sentence (a
     * greedy search, or a beam search's first step, which {@link #expand} then repeats for the
     * beam) or already repeated for the beam.
     */
    default DecoderState newState(EncodedBatch encoded) {
        return newState(encoded, null);
    }

    /**
     * A state for a search over the encoded rows that scores only the tokens {@code vocabulary}
     * (sorted ids, from the bundle's {@link Shortlist}; null = all). Throws
     * IllegalStateException when a vocabulary is given and the bundle has no shortlist graphs.
     */
    DecoderState newState(EncodedBatch encoded, int[] vocabulary);


    /** Runs one step. Allocates nothing in steady state. */
    void step(DecoderState state);

    /**
     * A state holding only rows {@code keep} of {@code state} (their sentences' encoder tensors and
     * the conv rings copied, in that order); {@code state} is closed and must not be used again. Searches call it
     * to stop computing rows whose sentences are finished. Allocates a new state: call it
     * rarely (the searches do when a good share of the rows finished). {@code keep} holds whole
     * beam groups; the search keeps its attention path and vocabulary.
     */
    DecoderState compact(DecoderState state, int[] keep);

    /**
     * The state with each row of {@code state} (one per sentence) repeated {@code beam} times, for
     * a beam search after its first step (every hypothesis of a sentence starts from the same bos
     * state, so that step is computed once per sentence): conv rings copied; the encoder tensors (per
     * sentence) shared; the attention path, absorbed tensors and vocabulary carried over;
     * {@code state} is closed.
     */
    DecoderState expand(DecoderState state, int beam);

    @Override
    void close();
}
