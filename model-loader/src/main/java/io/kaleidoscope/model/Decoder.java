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
     * The state takes the encoded batch over: {@link #compact} rewrites its buffers in place, so
     * another search needs its own.
     */
    DecoderState newState(EncodedBatch encoded, int[] vocabulary);


    /** Runs one step. Allocates nothing in steady state. */
    void step(DecoderState state);

    /**
     * A state holding only rows {@code keep} of {@code state} (new row r is old row keep[r]),
     * made in place: whole beam groups, each staying where it is or coming from beyond the new
     * end ({@link DecoderState#compact}); {@code state} (and its encoded batch) is closed and must
     * not be used again. Searches call it to stop computing rows whose sentences are finished.
     * The search keeps its attention path and vocabulary.
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

    /**
     * Gets the Java kernels this decoder runs compiled by the JIT before real work (the K-matrix
     * layers, the float16 output projection; nothing for a decoder that is all ONNX Runtime).
     * Safe beside the engine thread.
     */
    default void warmUpKernels() {
    }

    @Override
    void close();
}
